"""The SQL of a :class:`~migsafe.reverse.sqlite.model.Rebuild`, and the operation that runs it.

``RebuildTableOp`` is registered with Alembic (``Operations.implementation_for``), like
:class:`~migsafe.reverse.ops.RestoreArchiveOp`: it runs online with ``Operations.invoke`` and
renders in offline mode, so the stored reverse is plain SQL statements.

The sequence is SQLite's own "generalized ALTER TABLE" procedure, in the order that leaves
other objects' text alone: with ``legacy_alter_table`` on (and ``foreign_keys`` off, SQLite's
default, which the revert must keep), renaming the old table does not rewrite the views,
triggers and foreign keys that name it, and the new table is created under its final name,
so its stored text is exactly the saved one (a rename would store the name quoted).
"""

from __future__ import annotations

from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

from migsafe.reverse._sql import exact
from migsafe.reverse.sqlite._sql import literal, q
from migsafe.reverse.sqlite.archive import column_archive_sql
from migsafe.reverse.sqlite.model import Rebuild


def rebuild_sql(r: Rebuild) -> list[str]:
    """The statements that turn ``r.source`` into ``r.target`` as ``r.ddl`` defines it."""
    out = ["PRAGMA legacy_alter_table = ON"]
    for keep in r.keeps:
        out += column_archive_sql(keep, source=r.source)
    out.append(f"ALTER TABLE {q(r.source)} RENAME TO {q(r.scratch)}")
    out.append(r.ddl)
    names = [q(c) for c, _ in r.columns]
    values = [expr for _, expr in r.columns]
    if r.rowid is not None:
        names.insert(0, r.rowid)
        values.insert(0, f"live.{r.rowid}")
    joins = "".join(
        f" LEFT JOIN {q(a.archive_table)} AS kept{i} ON "
        + " AND ".join(f"live.{q(k)} = kept{i}.{q(k)}" for k in a.keys)
        for i, a in enumerate(r.restores)
    )
    out.append(
        f"INSERT INTO {q(r.target)} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM {q(r.scratch)} AS live{joins}"
    )
    if r.autoincrement:
        out += _keep_sequence(r.target, r.scratch)
    out.append(f"DROP TABLE {q(r.scratch)}")
    out += list(r.after)
    out.append("PRAGMA legacy_alter_table = OFF")
    return out


def restored_value(index: int, archive_key: str, column: str, otherwise: str) -> str:
    """The archived value where the row was archived, *otherwise* for rows added since."""
    kept = f"kept{index}"
    return (
        f"CASE WHEN {kept}.{q(archive_key)} IS NOT NULL "
        f"THEN {kept}.{q(column)} ELSE {otherwise} END"
    )


def _keep_sequence(target: str, scratch: str) -> list[str]:
    """AUTOINCREMENT never reuses a number: the new table's counter starts where the old
    table's was (copying the rows only moved it to their largest rowid)."""
    t, s = literal(target), literal(scratch)
    return [
        "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence "
        f"WHERE name IN ({t}, {s})) WHERE name = {t}",
        f"INSERT INTO sqlite_sequence (name, seq) SELECT {t}, seq FROM sqlite_sequence "
        f"WHERE name = {s} AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {t})",
    ]


class RebuildTableOp(MigrateOperation):
    """Re-create a table from its saved definition, keeping its rows (see :class:`Rebuild`)."""

    def __init__(self, rebuild: Rebuild) -> None:
        self.rebuild = rebuild

    def reverse(self) -> MigrateOperation:
        raise NotImplementedError("a rebuild is only ever part of a reverse script")

    def __repr__(self) -> str:
        return f"RebuildTableOp({self.rebuild.source!r} -> {self.rebuild.target!r})"


@Operations.implementation_for(RebuildTableOp)
def _rebuild(operations: Operations, operation: RebuildTableOp) -> None:
    for stmt in rebuild_sql(operation.rebuild):
        operations.execute(exact(stmt))
