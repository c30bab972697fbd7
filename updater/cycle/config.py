"""``updater.toml``: the facility's setup, written once, read by ``check`` and ``run``.

Where the release store, the inbox of newly downloaded publisher files and the output
folder are; which chargemaster(s) and crosswalk(s) to scan; who signs off; which
specialties coders are trained on. Relative paths are read from the folder of the file,
so a config works whatever folder a scheduled job starts in.

Mistakes are reported for people: the file and line, and for a misspelt key the nearest
valid one (``unknown key 'chargemasters' ...; did you mean 'chargemaster'?``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError
from updater.files.output import atomic_path
from updater.files.toml_lines import TomlLines, read_toml
from updater.vocabulary import CodeSystem

CONFIG_NAME = "updater.toml"

ICD10CM, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT


@dataclass(frozen=True)
class ChargemasterConfig:
    """One chargemaster export to scan, with its column profile when names are unusual."""

    path: Path
    profile: Path | None = None
    sheet: str | None = None
    name: str = ""


@dataclass(frozen=True)
class CrosswalkConfig:
    """One procedure <-> diagnosis crosswalk to scan."""

    path: Path
    sheet: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Config:
    """Everything ``updater.toml`` says, paths resolved; the defaults when there is none."""

    path: Path | None  # the file read, None when defaults
    store: Path = Path("releases")
    inbox: Path = Path("inbox")  # new publisher files waiting to be imported
    output: Path = Path("updater-out")
    systems: tuple[CodeSystem, ...] = (ICD10CM, HCPCS, CPT)
    chargemasters: tuple[ChargemasterConfig, ...] = ()
    crosswalks: tuple[CrosswalkConfig, ...] = ()
    training: tuple[str, ...] = ()  # specialty profile names or focus ranges
    sign_off: tuple[str, ...] = ()  # who signs off (names or roles), shown in reports
    conversion: tuple[Path, ...] = ()  # conversion tables beyond the one beside the zip
    maps: tuple[Path, ...] = ()  # the user's own old -> new maps


# --------------------------------------------------------------------- the file's shape

_TOP_KEYS = ("store", "inbox", "output", "systems", "chargemaster", "crosswalk", "training",
             "sign_off", "conversion", "maps")
_CHARGEMASTER_KEYS = ("path", "profile", "sheet", "name")
_CROSSWALK_KEYS = ("path", "sheet", "name")
_SYSTEMS = (ICD10CM, HCPCS, CPT)


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """The configuration in ``path``, or ``updater.toml`` in ``cwd`` (default: the current
    folder) when there is one, else the defaults.

    A ``path`` given but missing is an error: a scheduled job pointed at a config must not
    quietly run on defaults.
    """
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            if cwd is None:
                return Config(path=None)
            base = Config(path=None)
            return Config(path=None, store=cwd / base.store, inbox=cwd / base.inbox,
                          output=cwd / base.output)
        path = candidate
    elif not path.exists():
        raise UpdaterError("the configuration file does not exist", file=path,
                           hint="write one with 'updater init', or give the right --config")
    elif path.is_dir():
        raise UpdaterError("the configuration is a folder, not a file", file=path,
                           hint=f"give the file, e.g. {path / CONFIG_NAME}")
    data, text = read_toml(path, what="the configuration", hint=_syntax_hint)
    return _parse(data, text, path)


def _syntax_hint(message: str) -> str:
    hint = ("give each key once (a second chargemaster is a second [[chargemaster]] "
            "block)" if "overwrite" in message
            else "text values need quotes, e.g. store = \"releases\"")
    return f"{hint}; see 'updater init' for a commented example"


def _parse(data: dict[str, Any], text: str, path: Path) -> Config:
    lines = _Lines(text, path)
    folder = path.absolute().parent
    lines.check_keys(data, _TOP_KEYS, section=None)

    def top_path(key: str, default: Path) -> Path:
        if key not in data:
            return folder / default
        return folder / Path(lines.text(data[key], key, None)).expanduser()

    defaults = Config(path=None)
    systems = _systems(data.get("systems"), lines) if "systems" in data else defaults.systems
    chargemasters = tuple(
        ChargemasterConfig(path=lines.existing(folder, item["path"], "path", "chargemaster", i,
                                               what="chargemaster"),
                           profile=(lines.existing(folder, item["profile"], "profile",
                                                   "chargemaster", i, what="profile")
                                    if "profile" in item else None),
                           sheet=(lines.text(item["sheet"], "sheet", "chargemaster", i)
                                  if "sheet" in item else None),
                           name=lines.text(item.get("name", ""), "name", "chargemaster", i))
        for i, item in enumerate(lines.tables(data, "chargemaster", _CHARGEMASTER_KEYS)))
    crosswalks = tuple(
        CrosswalkConfig(path=lines.existing(folder, item["path"], "path", "crosswalk", i,
                                            what="crosswalk"),
                        sheet=(lines.text(item["sheet"], "sheet", "crosswalk", i)
                               if "sheet" in item else None),
                        name=lines.text(item.get("name", ""), "name", "crosswalk", i))
        for i, item in enumerate(lines.tables(data, "crosswalk", _CROSSWALK_KEYS)))
    for section, entries in (("chargemaster", chargemasters), ("crosswalk", crosswalks)):
        names = [e.name for e in entries if e.name]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UpdaterError(f"two [[{section}]] entries are named {twice[0]!r}", file=path,
                               line=lines.find("name", section, None, value=twice[0]),
                               hint="give each a name of its own; reports tell them apart "
                                    "by name")
    return Config(
        path=path,
        store=top_path("store", defaults.store),
        inbox=top_path("inbox", defaults.inbox),
        output=top_path("output", defaults.output),
        systems=systems,
        chargemasters=chargemasters,
        crosswalks=crosswalks,
        training=lines.texts(data, "training"),
        sign_off=lines.texts(data, "sign_off"),
        conversion=tuple(lines.existing(folder, p, "conversion", None, None,
                                        what="conversion table")
                         for p in lines.texts(data, "conversion")),
        maps=tuple(lines.existing(folder, p, "maps", None, None, what="map")
                   for p in lines.texts(data, "maps")),
    )


def _systems(value: Any, lines: _Lines) -> tuple[CodeSystem, ...]:
    names = lines.texts({"systems": value}, "systems")
    found: list[CodeSystem] = []
    valid = [s.value for s in _SYSTEMS]
    for name in names:
        if name.strip().lower() not in valid:
            near = difflib.get_close_matches(name.strip().lower(), valid, n=1)
            raise UpdaterError(
                f"unknown code system {name!r} in systems", file=lines.path,
                line=lines.find("systems", None, None),
                hint=(f"did you mean {near[0]!r}? " if near else "")
                + "use " + ", ".join(valid))
        system = CodeSystem(name.strip().lower())
        if system not in found:
            found.append(system)
    if not found:
        raise UpdaterError("systems is empty", file=lines.path,
                           line=lines.find("systems", None, None),
                           hint="name at least one of " + ", ".join(valid))
    return tuple(found)


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


class _Lines(TomlLines):
    """The config's checks, each naming the line of the key it is about."""

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.path = path

    def check_keys(self, data: dict[str, Any], valid: tuple[str, ...], *,
                   section: str | None, index: int | None = None) -> None:
        for key in data:
            if key in valid:
                continue
            near = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
            where = f" in [[{section}]]" if section else ""
            line = self.find(key, section, index)
            if line is None and section is None:  # written as a [table] of its own
                line = self.header_line(key)
            raise UpdaterError(
                f"unknown key {key!r}{where}", file=self.path, line=line,
                hint=(f"did you mean {near[0]!r}? " if near else "")
                + "valid keys: " + ", ".join(valid))

    def wrong_type(self, key: str, section: str | None, index: int | None, value: Any,
                   expected: str, example: str) -> UpdaterError:
        where = f" in [[{section}]]" if section else ""
        return UpdaterError(f"{key}{where} must be {expected}, not {_type_name(value)}",
                            file=self.path, line=self.find(key, section, index),
                            hint=f"e.g. {example}")

    def text(self, value: Any, key: str, section: str | None, index: int | None = None) -> str:
        if not isinstance(value, str):
            raise self.wrong_type(key, section, index, value, "text", f'{key} = "..."')
        return value

    def texts(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            shown = value if not isinstance(value, list) else next(
                v for v in value if not isinstance(v, str))
            expected = "a list of text" if not isinstance(value, list) else \
                "a list of text (each in quotes)"
            raise self.wrong_type(key, None, None, shown, expected,
                                  f'{key} = ["{_EXAMPLES.get(key, "...")}"]')
        return tuple(value)

    def tables(self, data: dict[str, Any], key: str,
               valid: tuple[str, ...]) -> list[dict[str, Any]]:
        value = data.get(key, [])
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
            raise UpdaterError(f"{key} must be a [[{key}]] table with path = \"...\", "
                               f"not {_type_name(value)}", file=self.path,
                               line=self.find(key, None, None),
                               hint=f'write it as [[{key}]] on a line of its own, then '
                                    f'path = "..." below it')
        for i, item in enumerate(items):
            self.check_keys(item, valid, section=key, index=i)
            if "path" not in item:
                raise UpdaterError(f"a [[{key}]] entry has no path", file=self.path,
                                   line=self.header_line(key, i),
                                   hint=f'add path = "..." (the {key} export) below it')
        return items

    def existing(self, folder: Path, value: Any, key: str, section: str | None,
                 index: int | None, *, what: str) -> Path:
        text = self.text(value, key, section, index)
        target = folder / Path(text).expanduser()
        if not target.exists():
            line = self.find(key, section, index, value=text)
            raise UpdaterError(f"the {what} {text!r} does not exist", file=self.path,
                               line=line,
                               hint=f"relative paths are read from {folder}; fix the path or "
                                    "remove the entry")
        return target


_EXAMPLES = {"training": "M00-M99,S00-T88", "sign_off": "Compliance officer",
             "conversion": "ICD-10-CM-Conversion-Table.xlsx", "maps": "cpt-to-report-see.csv",
             "systems": "icd10cm"}


def default_config_text() -> str:
    """The commented ``updater.toml`` that ``updater init`` writes; it loads as the
    defaults until someone fills in a chargemaster."""
    return '''\
# updater.toml: the facility's setup for `updater check` and `updater run`.
# Paths are read from the folder of this file. Remove the leading "# " to use a line.

# The release store: every publisher release imported once (updater import FILE).
store = "releases"

# New publisher files waiting to be imported, as downloaded (zips need no unpacking).
inbox = "inbox"

# Where `updater run` writes each cycle's folder, e.g. updater-out/2026-10-01/.
output = "updater-out"

# Code sets to follow: icd10cm (October 1 and April 1), hcpcs (January 1 and quarterly),
# cpt (January 1; Category III also July 1; PLA quarterly).
systems = ["icd10cm", "hcpcs", "cpt"]

# Who signs off the plan (names or roles), printed in the reports.
# sign_off = ["CDM coordinator", "Compliance officer"]

# What coders are trained on: specialty profile names or ICD-10-CM ranges.
# training = ["M00-M99,S00-T88"]

# Conversion tables beyond the CDC's (found beside the release zip), and your own
# old -> new maps (e.g. CPT "to report, see" guidance as two columns).
# conversion = ["ICD-10-CM-Conversion-Table.xlsx"]
# maps = ["cpt-to-report-see.csv"]

# The chargemaster export(s) to scan: one [[chargemaster]] block each.
# [[chargemaster]]
# name = "Main campus"
# path = "cdm-export.xlsx"
# profile = "profiles/cdm-export.toml"   # only when the column names are unusual
# sheet = "CDM"                          # only for an XLSX with several sheets

# Procedure <-> diagnosis crosswalk(s): one [[crosswalk]] block each.
# [[crosswalk]]
# name = "Orthopedics"
# path = "ortho-crosswalk.csv"
'''


def write_default_config(folder: Path, *, force: bool = False) -> Config:
    """Write the commented ``updater.toml`` into ``folder`` and create its inbox folder.

    An existing file is kept unless ``force``: it holds the facility's own setup.
    """
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise UpdaterError("the configuration already exists", file=target,
                           hint="edit it, or give --force to write a fresh one over it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            tmp.write_text(default_config_text(), encoding="utf-8")
        config = load_config(target)
        config.inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission ...
        raise UpdaterError(f"cannot write the configuration: {exc.strerror or exc}",
                           file=Path(exc.filename) if exc.filename else folder,
                           hint="give --dir a folder you can write to") from None
    return config
