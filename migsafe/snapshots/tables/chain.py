"""What the revisions touch so far, as their statements are walked in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pglast import ast

from migsafe.snapshots.tables.names import Name, _fmt, _split

ExistsFn = Callable[[str], bool]
OwnerFn = Callable[[str], "str | None"]
TablesFn = Callable[[Sequence[str]], list[str]]


class _Opaque(Exception):
    """A statement whose effect cannot be pinned to tables."""


@dataclass
class _Chain:
    """What the revisions touch so far; dicts are ordered sets."""

    schema: str  # for unqualified names
    existing: ExistsFn | None
    owner: OwnerFn | None
    version_table: Name
    tables: dict[Name, None] = field(default_factory=dict)
    created: dict[Name, None] = field(default_factory=dict)
    missing: dict[Name, None] = field(default_factory=dict)
    indexes: dict[Name, Name] = field(default_factory=dict)  # created by the chain -> table
    temp: set[str] = field(default_factory=set)
    version_writes: int = 0

    def exists_now(self, name: Name) -> bool:
        return self.existing(_fmt(name)) if self.existing is not None else True

    def touch(self, name: Name, *, missing_ok: bool = False) -> None:
        """A table written or altered: dump it, unless the chain created it."""
        if name == self.version_table:
            self.version_writes += 1
        if name[0] == "pg_temp" or name in self.tables or name in self.created:
            return
        if self.exists_now(name):
            self.tables[name] = None
        elif not missing_ok:
            self.missing[name] = None

    def create(self, name: Name) -> None:
        if name[0] == "pg_temp" or name in self.tables or name in self.created:
            return
        if self.existing is not None and self.existing(_fmt(name)):
            self.tables[name] = None  # CREATE ... IF NOT EXISTS, or it fails anyway
        else:
            self.created[name] = None

    def rename(self, old: Name, new: Name, *, missing_ok: bool) -> None:
        """Both names: the old one is dumped, the new one dropped on restore."""
        self.touch(old, missing_ok=missing_ok)
        self.create(new)
        for index, table in self.indexes.items():
            if table == old:
                self.indexes[index] = new

    def qualify(self, names: Sequence[str]) -> Name:
        if len(names) == 1:
            return ("pg_temp", names[0]) if names[0] in self.temp else (self.schema, names[0])
        return (names[-2], names[-1])

    def rv(self, rel: ast.RangeVar | None) -> Name:
        if rel is None or rel.relname is None:
            raise _Opaque("a statement without its table")
        if rel.relpersistence == "t":
            self.temp.add(rel.relname)
            return ("pg_temp", rel.relname)
        return self.qualify([rel.schemaname, rel.relname] if rel.schemaname else [rel.relname])

    def belongs_to(self, name: Name, what: str, *, missing_ok: bool = False) -> Name | None:
        """The table an index or sequence belongs to, through the chain or the catalog."""
        if name in self.indexes:
            return self.indexes[name]
        if self.owner is None:
            raise _Opaque(f"{what} {_fmt(name)}: its table needs the live catalog")
        table = self.owner(_fmt(name))
        if table:
            return _split(table)
        if missing_ok:
            return None
        raise _Opaque(f"{what} {_fmt(name)} belongs to no table")
