"""``updater revert``: an apply undone from its change log, every changed cell back to
its value before and the inserted lines removed, written as one run (the audit log
records it)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError, reads_file
from updater.files.output import file_sha256
from updater.patch import journal
from updater.patch.grids import Grid, grid_kind, open_grid
from updater.patch.logs import check_changelog, current_user, read_changelog


@dataclass
class RevertResult:
    output: Path
    output_sha256: str
    cells_restored: int
    rows_removed: int
    identical: bool  # the restored file's sha256 is the original input's
    forced: bool = False
    recovered: list[str] = field(default_factory=list)  # interrupted runs finished first

    def summary_text(self) -> str:
        same = ("identical to the original (same sha256)" if self.identical
                else "cell-identical to the original (the file's bytes differ)")
        return "".join(f"updater revert: {line}\n" for line in self.recovered) + (
            f"updater revert: wrote {self.output}: {self.cells_restored} cells restored, "
                f"{self.rows_removed} inserted lines removed; {same}")


def _cell_of(change: Mapping[str, Any], grid: Grid, n: int, changelog: Path,
             ) -> tuple[int, int]:
    """(row, column) in the grid of change-log row ``n``; a row or column the patched file
    no longer has is refused (a file edited since apply, reverted with --force)."""
    column = change.get("column")
    if column not in grid.header:
        raise UpdaterError(f"change log row {n}: the patched file has no column {column!r}",
                           file=changelog, hint="revert the file apply wrote")
    return _row_of(change, grid, n, changelog), grid.header.index(column)


def _row_of(change: Mapping[str, Any], grid: Grid, n: int, changelog: Path) -> int:
    """The grid row (0-based) of change-log row ``n``'s ``output_row``, checked."""
    row = change.get("output_row")
    if not isinstance(row, int) or isinstance(row, bool) or not 1 <= row <= len(grid):
        raise UpdaterError(f"change log row {n}: the patched file has no data row {row!r} "
                           f"(it has {len(grid)})", file=changelog,
                           hint="revert the file apply wrote")
    return row - 1


@reads_file
def revert(changelog: str | Path, patched: str | Path, out: str | Path, *,
           force: bool = False, user: str | None = None) -> RevertResult:
    """Undo an apply: every changed cell back to its value before, inserted lines removed."""
    changelog, patched, out = Path(changelog), Path(patched), Path(out)
    recovered = journal.recover(out.parent)  # an apply or revert killed there, finished
    changelog, meta, changes, layout = read_changelog(changelog)
    if out.exists() and out.resolve() == patched.resolve():
        raise UpdaterError("the output would overwrite the patched file", file=out,
                           hint="write the restored copy to another file")
    if not patched.is_file():
        raise UpdaterError("no such file", file=patched, hint="check the path")
    check_changelog(changelog, layout, changes, grid_kind(patched))
    actual = file_sha256(patched)
    forced = actual != meta.get("output_sha256")
    if forced and not force:
        raise UpdaterError(
            f"the patched file changed since apply wrote it (sha256 {actual[:12]}, the change "
            f"log's {str(meta.get('output_sha256'))[:12]})", file=patched,
            hint="revert the file apply wrote, or use --force (edits made since may be lost)")
    grid = open_grid(patched, layout=layout)
    inserted = sorted({_row_of(c, grid, n, changelog) for n, c in enumerate(changes, start=1)
                       if c.get("kind") == "insert"})
    restored = 0
    for n, c in reversed(list(enumerate(changes, start=1))):
        if c.get("kind") == "cell":
            i, j = _cell_of(c, grid, n, changelog)
            grid.restore(i, j, c.get("restore"))
            restored += 1
    if inserted:
        gone = set(inserted)
        grid.reorder([(i, None) for i in range(len(grid)) if i not in gone])
    data = grid.to_bytes()
    sha = hashlib.sha256(data).hexdigest()
    journal.commit(out.parent, journal.new_run_id(), "revert",
                   {"command": "revert", "user": user or current_user(),
                    "plan_id": meta.get("plan_id"), "changelog": str(changelog),
                    "input_sha256": actual, "output": str(out), "output_sha256": sha,
                    "counts": {"cells_restored": restored, "rows_removed": len(inserted)},
                    "forced": forced, "dry_run": False},
                   [journal.Part("output", out, data)])
    return RevertResult(out, sha, restored, len(inserted), sha == meta.get("input_sha256"),
                        forced, recovered)
