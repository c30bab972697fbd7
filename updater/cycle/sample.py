"""Where the embedded synthetic sample lives: ``releases/sample`` in a source checkout,
or the copy installed with the package (``pip install .``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from updater.errors import UpdaterError
from updater.releases.readers import load_release
from updater.vocabulary import ReleaseKind

_REPO = Path(__file__).resolve().parents[2]


def _find(checkout: Path, packaged: str) -> Path:
    if checkout.is_dir():
        return checkout
    installed = Path(str(resources.files("updater") / "_sample" / packaged))
    if installed.is_dir():
        return installed
    raise UpdaterError("the embedded sample is not installed",
                       hint="reinstall updater with 'pip install .' from a full checkout")


def sample_dir() -> Path:
    """The synthetic sample releases."""
    return _find(_REPO / "releases" / "sample", "releases")


def sample_chargemasters_dir() -> Path:
    """The synthetic sample chargemaster and crosswalks."""
    return _find(_REPO / "chargemasters", "chargemasters")


def sample_releases() -> dict[str, list[Path]]:
    """Each code system's sample release files, oldest first (one file per version folder)."""
    root = sample_dir()
    found: dict[str, list[Path]] = {}
    for system in sorted(p for p in root.iterdir() if p.is_dir()):
        files = [f for version in sorted(v for v in system.iterdir() if v.is_dir())
                 for f in sorted(version.iterdir()) if f.is_file()]
        if files:
            found[system.name] = files
    return found


def sample_scan_pairs() -> list[tuple[Path, Path]]:
    """Each code system's first two full sample releases: the pairs the demo and the tests
    scan the sample chargemaster against."""
    pairs = []
    for files in sample_releases().values():
        loaded = sorted(((load_release(f)[0], f) for f in files), key=lambda r: r[0].effective)
        full = [f for release, f in loaded if release.kind is ReleaseKind.FULL]
        if len(full) >= 2:
            pairs.append((full[0], full[1]))
    return pairs
