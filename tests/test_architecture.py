"""The package's shape, read from the source with ``ast`` (nothing is imported).

Stages run one way: a module may import its own stage and the ones before it in
``STAGES``, never a later one. No two modules import each other, directly or round a
longer loop. Inside the library every ``updater`` import sits at the top of its module, so
what a module needs is read off its first lines; only the CLI imports the library inside
its commands, so that ``updater --help`` answers before pandas is loaded.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "updater"
STAGES = ("top", "files", "releases", "impact", "plan", "patch", "reports", "cycle", "cli")
# ``python -m updater`` starts the CLI: updater/__main__.py belongs to the CLI's stage
ENTRY_POINTS = {"updater.__main__": "cli"}
# Function-level imports of other packages the library may keep: heavy packages on paths
# that may never run. Anything else is imported at the top of its module.
LAZY_THIRD_PARTY = {
    "duckdb",  # only `updater claims` runs queries
    "pyspark",  # optional: the Spark engine of `updater claims`, not a dependency
    "openpyxl",  # 0.15 s: only when a workbook is written, read or patched
    "jinja2",  # only when a claims query is rendered
}
# Function-level imports of updater modules inside the library, "module -> imported": why.
# None is needed today.
LAZY_UPDATER_ALLOWED: dict[str, str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else "top"


def _resolve(name: str) -> str | None:
    """The module an imported name lives in (``updater.plan.model.Plan`` -> ``...model``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def _imports(module: str) -> list[tuple[str, int, bool]]:
    """Every updater module ``module`` imports: (imported, line, at the top of the module).
    ``from updater.x import y`` counts as importing ``updater.x`` (its ``__init__`` runs)
    and, when ``y`` is a module, ``updater.x.y`` too."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] != "updater":
                continue
            target = _resolve(name)
            if target and target != module:
                found.append((target, node.lineno, id(node) in top))
    return found


IMPORTS = {m: _imports(m) for m in MODULES}


def _function_level_third_party(module: str) -> list[tuple[str, int]]:
    """Imports of other packages inside a function or class (a module-level ``try`` for a
    platform's module is not one)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    inside = {id(node) for scope in ast.walk(tree)
              if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
              for node in ast.walk(scope)}
    found = []
    for node in ast.walk(tree):
        if id(node) not in inside or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.ImportFrom):
            roots = [] if node.level else [(node.module or "").split(".")[0]]
        else:
            roots = [a.name.split(".")[0] for a in node.names]
        found += [(root, node.lineno) for root in roots if root and root != "updater"]
    return found


def _commented(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or above the block of imports it is part of."""
    if "#" in lines[line - 1]:
        return True
    above = line - 2
    while above >= 0 and lines[above].strip().startswith(("import ", "from ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_package_is_where_the_test_looks() -> None:
    assert {"updater", "updater.cli", "updater.releases.diff"} <= MODULES.keys()
    assert any(IMPORTS.values())


def test_imports_run_from_later_stages_to_earlier_ones() -> None:
    upward = sorted({f"{m} ({_stage(m)}) line {line} imports {t} ({_stage(t)})"
                     for m, found in IMPORTS.items() for t, line, _ in found
                     if STAGES.index(_stage(t)) > STAGES.index(_stage(m))})
    assert not upward, "\n".join(upward)


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for m, found in IMPORTS.items():
        edges[m].update(t for t, _, _ in found)
    cycles = [" <-> ".join(c) for c in _cycles(edges)]
    assert not cycles, "\n".join(cycles)


def test_the_library_imports_updater_modules_at_the_top() -> None:
    hidden = sorted({f"{m} line {line} imports {t}" for m, found in IMPORTS.items()
                     if _stage(m) != "cli" for t, line, at_top in found
                     if not at_top and f"{m} -> {t}" not in LAZY_UPDATER_ALLOWED})
    assert not hidden, "\n".join(hidden)


def test_function_level_imports_are_only_of_heavy_optional_packages() -> None:
    """...and each says why it waits, in a comment on its line or the line above."""
    others, silent = [], []
    for m in MODULES:
        if _stage(m) == "cli":
            continue
        lines = MODULES[m].read_text(encoding="utf-8").splitlines()
        for root, line in _function_level_third_party(m):
            if root not in LAZY_THIRD_PARTY:
                others.append(f"{m} line {line} imports {root}")
            elif not _commented(lines, line):
                silent.append(f"{m} line {line} imports {root} without a comment")
    assert not others, "\n".join(others)
    assert not silent, "\n".join(silent)



def test_no_module_takes_another_modules_private_names() -> None:
    """A name with a leading underscore is its module's own business: what another module
    needs is given a public name (a private helper module, such as ``readers._lines``, is
    imported as a module by its package's readers)."""
    taken = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = _absolute(node, module)
            if base.split(".")[0] != "updater":
                continue
            taken += [f"{module}: {base}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")
                      and f"{base}.{a.name}" not in MODULES]
    assert taken == []
