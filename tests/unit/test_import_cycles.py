"""The layers point one way: no module of migsafe or flags imports itself back, however far round.

A cycle is what makes a layer impossible to read, test or replace alone (issue 11): the CLI
reached from the engine through the root package, snapshots and the engine importing each
other. Every import counts, those inside functions too (a local import hides a cycle, it
does not break it); only ``if TYPE_CHECKING:`` blocks are left out, since they never run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("migsafe", "flags")


def modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the packages (a package is its
    ``__init__``)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def imported_names(name: str, path: Path, *, with_type_checking: bool = False) -> set[str]:
    """Every dotted name the module imports, anywhere in it: ``from a import b`` is ``a`` and
    ``a.b`` (b may be a module). Relative imports are resolved against the module's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if with_type_checking else _type_checking_only(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(mods: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ``mods`` it imports (a name is cut back to the longest module)."""
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets = set()
        for imported in imported_names(name, path):
            while imported and imported not in mods:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    work: list[tuple[str, Iterator[str]]] = []  # the depth-first path, each with what is left

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        work.append((node, iter(sorted(graph[node]))))

    for start in sorted(graph):
        if start in index:
            continue
        enter(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    enter(target)
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_back() -> None:
    found = cycles(import_graph(modules(ROOT)))
    report = "\n".join(f"{len(c)} modules: {', '.join(c)}" for c in found)
    assert not found, f"import cycles (local imports count; TYPE_CHECKING does not):\n{report}"


@pytest.mark.parametrize("layer", ["migsafe.engine", "migsafe.api", "migsafe.cli"])
def test_snapshots_is_a_library_below_the_engine(layer: str) -> None:
    """migsafe/snapshots/ is reached by the engine through its ``Database`` protocol; it never
    imports the engine, the api or the CLI, not even for a type annotation."""
    mods = modules(ROOT, ("migsafe",))
    offenders = sorted(
        f"{name} imports {imported}"
        for name, path in mods.items()
        if name.startswith("migsafe.snapshots")
        for imported in imported_names(name, path, with_type_checking=True)
        if (imported == layer or imported.startswith(layer + ".")) and imported in mods
    )
    assert not offenders, "\n".join(offenders)


_EACH_ON_ITS_OWN = textwrap.dedent(
    """
    import importlib, sys, traceback
    failed = []
    for name in sys.argv[1:]:
        for loaded in [m for m in sys.modules if m.partition(".")[0] in ("migsafe", "flags")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    print("\\n".join(failed))
    """
)


def test_every_module_imports_first() -> None:
    """Each module imported first, in a process where nothing of migsafe is loaded yet.

    The graph above cannot see one kind of cycle: importing ``pkg.sub`` runs ``pkg/__init__``
    first, which may import a module that imports ``pkg.sub`` back while it is half done
    (``snapshots.kept_sql`` -> ``snapshots.restore`` -> ``restore.plan`` -> ``kept_sql``).
    """
    names = [n for n in modules(ROOT) if not n.endswith("__main__")]
    done = subprocess.run(
        [sys.executable, "-c", _EACH_ON_ITS_OWN, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""


def _write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_behind_a_local_import_is_found(tmp_path: Path) -> None:
    """The check itself: a cycle closed inside a function (through a package's ``__init__``
    and a relative import) is reported; one closed only under TYPE_CHECKING is not."""
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "def run():\n    from pkg.low import work\n",
            "pkg/low.py": "from . import helpers\n",
            "pkg/helpers.py": "import pkg\n",
            "pkg/typed.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from pkg.other import X\n",
            "pkg/other.py": "from pkg.typed import Y\n",
        },
    )
    found = cycles(import_graph(modules(tmp_path, ("pkg",))))
    assert found == [["pkg", "pkg.helpers", "pkg.low"]]
