"""Putting the schema back as it was just before an operation, from the two snapshots.

On SQLite an operation's effect *is* the change of ``sqlite_master`` text (plus, for some,
values), and a reverse that re-runs the saved text is the only exact one. So the generator
compares the schema just before and just after the operation, and undoes each difference:
objects the operation added are dropped (added tables moved to the archive), objects whose
text changed are re-created from the saved text, tables by a :class:`Rebuild` that carries
the rows over (with archived values where the operation lost some). The operation only
supplies :class:`Hints`: which table or column it renamed, which values were archived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from alembic.operations.ops import MigrateOperation

from migsafe.reverse.archive import new_tag
from migsafe.reverse.sqlite._sql import fold, q, statement_ops
from migsafe.reverse.sqlite.archive import archive_table_name, table_archive_sql
from migsafe.reverse.sqlite.model import Rebuild, SqliteColumnArchive, SqliteTableArchive
from migsafe.reverse.sqlite.rebuild import RebuildTableOp, restored_value
from migsafe.reverse.sqlite.schema import ROWID_NAMES, Schema, Table


@dataclass(frozen=True)
class Hints:
    """What the operation did that the snapshots alone cannot tell."""

    # folded name before -> name after
    tables: Mapping[str, str] = field(default_factory=dict)
    # (folded table before, folded column before) -> column name after
    columns: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # archives to restore, with the column (name after) to read for rows added since, or
    # None when the column was dropped (those rows get its default)
    restores: tuple[tuple[SqliteColumnArchive, str | None], ...] = ()


def restore_ops(pre: Schema, post: Schema, hints: Hints) -> list[MigrateOperation] | str:
    """Operations that turn the schema *post* back into *pre*; or why that cannot be exact."""
    tag = new_tag()
    rebuilds: list[Rebuild] = []
    claimed: set[str] = set()  # folded names (after) of tables that map to one before
    for key, before in pre.tables.items():
        after = post.table(hints.tables.get(key, before.name))
        if after is None:
            return f"table {before.name} is gone after the operation, and was not archived"
        claimed.add(fold(after.name))
        restores = [r for r in hints.restores if fold(r[0].table) == key]
        renamed = fold(after.name) != key or any(t == key for t, _ in hints.columns)
        if after.sql == before.sql and not restores and not renamed:
            continue
        if before.virtual or after.virtual:
            return f"{before.name} is a virtual table: it cannot be rebuilt with its rows"
        plan = _rebuild(pre, before, after, hints, restores, tag)
        if isinstance(plan, str):
            return plan
        rebuilds.append(plan)
    added = [t for k, t in post.tables.items() if k not in claimed]
    rebuilt_after = {fold(r.source) for r in rebuilds}
    rebuilt_before = {fold(r.target) for r in rebuilds}

    # What the operation added or changed goes first (an added table's indexes and
    # triggers too: their names are database-wide); a rebuilt table's go with it.
    out: list[str] = []
    for type_ in ("trigger", "view", "index"):
        for entry in post.entries.values():
            if entry.type != type_ or pre.entries.get((type_, fold(entry.name))) == entry:
                continue
            if type_ == "index" and fold(entry.table) in rebuilt_after:
                continue
            out.append(f"DROP {type_.upper()} {q(entry.name)}")
    for table in added:
        if table.virtual:
            return f"{table.name} is a virtual table: it cannot be archived by renaming it"
        archived = SqliteTableArchive(table.name, archive_table_name(table.name, tag=tag), (), ())
        out += table_archive_sql(archived)
    ops: list[MigrateOperation] = list(statement_ops(out))
    ops += [RebuildTableOp(r) for r in rebuilds]
    out = []
    for type_ in ("index", "view", "trigger"):
        for entry in pre.entries.values():
            if entry.type != type_ or post.entries.get((type_, fold(entry.name))) == entry:
                continue
            if type_ != "view" and fold(entry.table) in rebuilt_before:
                continue  # the rebuild re-creates it
            out.append(entry.sql)
    return ops + list(statement_ops(out))


def _rebuild(
    pre: Schema,
    before: Table,
    after: Table,
    hints: Hints,
    restores: list[tuple[SqliteColumnArchive, str | None]],
    tag: str,
) -> Rebuild | str:
    key = fold(before.name)
    by_column = {fold(a.column): (i, a, fallback) for i, (a, fallback) in enumerate(restores)}
    columns: list[tuple[str, str]] = []
    used: set[str] = set()
    for col in before.columns:
        if not col.insertable:
            continue  # generated: computes itself again
        now = after.column(hints.columns.get((key, fold(col.name)), col.name))
        live = f"live.{q(now.name)}" if now is not None and now.insertable else None
        if live is not None and now is not None:
            used.add(fold(now.name))
        restore = by_column.get(fold(col.name))
        if restore is not None:
            i, archived, _ = restore
            otherwise = live or col.default_sql()
            columns.append((col.name, restored_value(i, archived.keys[0], col.name, otherwise)))
        elif live is not None:
            columns.append((col.name, live))
        else:
            return f"column {before.name}.{col.name} would come back without its values"
    keeps = [
        SqliteColumnArchive(
            after.name,
            col.name,
            _keep_keys(after),
            archive_table_name(after.name, col.name, tag=tag),
        )
        for col in after.columns
        if col.insertable and fold(col.name) not in used
    ]
    return Rebuild(
        source=after.name,
        target=before.name,
        ddl=before.sql,
        columns=tuple(columns),
        scratch=f"migsafe_old__{before.name}__{tag}",
        restores=tuple(a for a, _ in restores),
        keeps=tuple(keeps),
        rowid=_shared_rowid(before, after),
        autoincrement=before.autoincrement,
        after=tuple(
            e.sql for type_ in ("index", "trigger") for e in pre.attached(before.name, type_)
        ),
    )


def _keep_keys(table: Table) -> tuple[str, ...]:
    """What identifies the rows of values archived on the way back: the primary key, else
    the rowid (only a pointer for whoever reads the archive)."""
    return table.primary_key or tuple(n for n in (table.rowid_alias(),) if n)


def _shared_rowid(before: Table, after: Table) -> str | None:
    """A name reaching the rowid of both tables, so rowids are carried over."""
    if before.without_rowid or after.without_rowid:
        return None
    return next(
        (n for n in ROWID_NAMES if before.column(n) is None and after.column(n) is None), None
    )
