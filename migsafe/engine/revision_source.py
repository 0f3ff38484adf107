"""Revision files read as source: their identifiers without importing them.

Alembic imports every revision file to build its revision map: on a long chain whose files
import the application's models that is seconds per command, while a revert of one run needs
one or two of them. The identifiers Alembic reads (``revision``, ``down_revision``,
``branch_labels``, ``depends_on``) are literals in files Alembic writes, so :func:`identifiers`
reads them with ``ast``, and :class:`LazyModule` stands in for the module until something
else is asked of it (``upgrade``, ``downgrade``, a helper): then the file is imported, exactly
as Alembic would have (``alembic.util.load_python_file``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

_IDS = ("revision", "down_revision", "branch_labels", "depends_on")


@dataclass(frozen=True)
class Identifiers:
    """What a revision file declares about its place in the graph, and its docstring."""

    revision: str
    down_revision: str | tuple[str, ...] | None
    branch_labels: Any
    depends_on: Any
    doc: str | None


def identifiers(path: str | Path) -> Identifiers | None:
    """The file's identifiers when all are literals at module level; None otherwise (the file
    does not parse, has no literal ``revision``, or computes one of them)."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    # The identifiers come before the functions: parsing only that head is several times
    # cheaper on a long chain (status and the revision map read every file). A head that
    # does not parse on its own, or lacks them, gets the whole file parsed.
    head = _HEAD_END.split(source, maxsplit=1)[0]
    found = _read(head) if head != source else None
    return found if found is not None else _read(source)


# The first top-level function, class or decorator.
_HEAD_END = re.compile(r"^(?=def |async def |class |@)", re.MULTILINE)


def _read(source: str) -> Identifiers | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    values: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _IDS:
                try:
                    values[target.id] = ast.literal_eval(value)  # type: ignore[arg-type]
                except ValueError:
                    return None
            elif not isinstance(target, ast.Name):
                return None  # `revision, down_revision = ...`: let Alembic read it
    revision = values.get("revision")
    if not isinstance(revision, str) or "down_revision" not in values:
        return None
    down = values["down_revision"]
    if isinstance(down, list):
        down = tuple(down)
    if down is not None and not isinstance(down, str | tuple):
        return None
    return Identifiers(
        revision=revision,
        down_revision=down,
        branch_labels=values.get("branch_labels"),
        depends_on=values.get("depends_on"),
        doc=ast.get_docstring(tree, clean=False),
    )


class LazyModule(ModuleType):
    """A revision module that is imported on first use of anything but its identifiers."""

    def __init__(self, path: Path, ids: Identifiers) -> None:
        super().__init__(path.stem, ids.doc)
        self.__file__ = str(path)
        self.revision = ids.revision
        self.down_revision = ids.down_revision
        self.branch_labels = ids.branch_labels
        self.depends_on = ids.depends_on
        self._migsafe_path = path
        self._migsafe_loaded: ModuleType | None = None

    def load(self) -> ModuleType:
        """Import the file (once) and return the real module."""
        loaded = self.__dict__.get("_migsafe_loaded")
        if loaded is None:
            from alembic.util import load_python_file

            path: Path = self.__dict__["_migsafe_path"]
            loaded = load_python_file(path.parent, path.name)
            self._migsafe_loaded = loaded
        return loaded

    @property
    def loaded(self) -> bool:
        return self.__dict__.get("_migsafe_loaded") is not None

    def __getattr__(self, name: str) -> Any:
        # Only called for names not set above: upgrade, downgrade, helpers, constants.
        if name.startswith("__") or name == "_alembic_source_encoding":
            raise AttributeError(name)  # probes (pickle, copy, Alembic's encoding check)
        return getattr(self.load(), name)


def is_loaded(module: ModuleType | None) -> bool:
    """Whether asking *module* for its functions costs nothing (it is imported already)."""
    return module is not None and (not isinstance(module, LazyModule) or module.loaded)
