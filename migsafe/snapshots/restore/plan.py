"""Planning an in-place restore: what it drops and restores, and the SQL around the script.

The plan reads the database (on the restore's own session) and the archive's table of
contents, and refuses, before anything changes, what it cannot restore all or nothing: a
dump holding a schema or table the restore keeps, a tables dump that does not match the
snapshot's tables, tables something other than foreign keys depends on, or objects of a kept
schema that dropping the application's schemas would take along.

The kept schemas (migsafe's history, the flags and their audit, the archive: see
:mod:`~migsafe.snapshots.kept`) are never dropped. What ties them to the application's
objects is taken down and put back around the script: triggers on restored tables whose
function is kept (the flags notify trigger on the version table) are re-created as they are
now; foreign keys and triggers of kept tables (an archived table's) are re-added ``NOT VALID``
or re-created when the dump brings back what they point at, and reported as dropped if not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from psycopg import sql
from sqlalchemy.engine import URL

import migsafe.snapshots.restore.catalog as q
import migsafe.snapshots.restore.kept_sql as k
import migsafe.snapshots.restore.wrap as wrap
from migsafe.db.connection import redact
from migsafe.errors import SnapshotError, UsageError
from migsafe.snapshots.model import SnapshotMode
from migsafe.snapshots.restore.catalog import QualifiedName
from migsafe.snapshots.restore.connection import db_call
from migsafe.snapshots.restore.kept_sql import Trigger
from migsafe.snapshots.toc import TocEntry, tables_in

__all__ = ["RestorePlan", "check_mode", "make_plan", "qualified"]


@dataclass(frozen=True)
class RestorePlan:
    """What an in-place restore will do, and the SQL it wraps around pg_restore's script."""

    database: str  # redacted URL
    mode: SnapshotMode
    drop_schemas: tuple[str, ...]
    drop_tables: tuple[str, ...]
    restore_tables: tuple[str, ...]  # every table the dump creates
    readd_foreign_keys: tuple[str, ...]  # "schema.table.constraint"
    drop_foreign_keys: tuple[str, ...]  # into tables created after the snapshot
    preamble: str
    postamble: str
    kept_schemas: tuple[str, ...] = ()  # those of them that exist: left as they are
    recreated_triggers: tuple[str, ...] = ()  # "schema.table.trigger", as they are now
    dropped_triggers: tuple[str, ...] = ()  # of kept tables, whose function the dump lacks


def make_plan(
    conn: q.Conn,
    url: URL,
    toc: Sequence[TocEntry],
    mode: SnapshotMode,
    tables: Sequence[str],
    drop_also: Sequence[str],
    keep_schemas: Sequence[str],
) -> RestorePlan:
    """The plan for restoring the archive of *toc* into the database of *conn* (at *url*)."""
    check_mode(mode)
    if mode == SnapshotMode.FULL:
        plan = _full(conn, toc, keep_schemas)
    else:
        plan = _tables(conn, toc, tables, drop_also, keep_schemas)
    existing = set(db_call(q.existing_schemas, conn, keep_schemas))
    return RestorePlan(
        database=redact(url),
        mode=mode,
        drop_schemas=tuple(plan.schemas),
        drop_tables=tuple(f"{s}.{t}" for s, t in plan.dropped),
        restore_tables=tables_in(toc),
        readd_foreign_keys=tuple(fk.qualified for fk in plan.readd),
        drop_foreign_keys=tuple(fk.qualified for fk in plan.fks if fk not in plan.readd),
        preamble=plan.preamble.as_string(conn),
        postamble=plan.postamble.as_string(conn),
        kept_schemas=tuple(s for s in keep_schemas if s in existing),
        recreated_triggers=tuple(t.qualified for t in plan.recreate),
        dropped_triggers=tuple(t.qualified for t in plan.lost_triggers),
    )


@dataclass
class _Parts:
    preamble: sql.Composed
    postamble: sql.Composed
    schemas: list[str] = field(default_factory=list)
    dropped: list[QualifiedName] = field(default_factory=list)
    fks: list[q.ForeignKey] = field(default_factory=list)
    readd: list[q.ForeignKey] = field(default_factory=list)
    recreate: list[Trigger] = field(default_factory=list)
    lost_triggers: list[Trigger] = field(default_factory=list)


def _full(conn: q.Conn, toc: Sequence[TocEntry], keep: Sequence[str]) -> _Parts:
    _check_full_dump(toc, keep)
    schemas = db_call(q.user_schemas, conn, keep)
    blockers = db_call(k.kept_dependents, conn, keep, schemas)
    if blockers:
        shown = "; ".join(f"{dep} depends on {ref}" for dep, ref in blockers[:10])
        more = f" (and {len(blockers) - 10} more)" if len(blockers) > 10 else ""
        raise SnapshotError(
            f"a full restore would drop what migsafe keeps in {', '.join(keep)}: {shown}{more}",
            hint="prune the archive (`migsafe archive prune`) or drop those objects first, "
            "or restore --into a new database",
        )
    restored = {qualified(t) for t in tables_in(toc)}
    fks = db_call(k.kept_foreign_keys, conn, keep, schemas)
    readd = [fk for fk in fks if fk.references in restored]
    # Triggers of kept tables calling a function the restore drops: back if the dump has it.
    functions = {(e.schema, e.name) for e in toc if e.type == "FUNCTION"}
    down = db_call(k.kept_triggers_calling, conn, keep, schemas)
    back = [t for t in down if (t.function[0], f"{t.function[1]}()") in functions]
    # Triggers of restored tables calling a kept function (flags): as they are now.
    kept = db_call(k.triggers_calling_kept, conn, keep, schemas=schemas)
    recreate = [*(t for t in kept if (t.schema, t.table) in restored), *back]
    public = db_call(q.public_schema, conn) if "public" in schemas else None
    return _Parts(
        preamble=wrap.full_preamble(schemas, public, fks, down),
        postamble=wrap.postamble(readd, not_valid=keep, triggers=recreate),
        schemas=schemas,
        fks=fks,
        readd=readd,
        recreate=recreate,
        lost_triggers=[t for t in down if t not in back],
    )


def _tables(
    conn: q.Conn,
    toc: Sequence[TocEntry],
    tables: Sequence[str],
    drop_also: Sequence[str],
    keep: Sequence[str],
) -> _Parts:
    restored = [qualified(t) for t in tables]
    _check_tables_dump(tables_in(toc), tables)
    own = [t for t in tables if qualified(t)[0] in keep]
    if own:
        raise SnapshotError(
            f"the snapshot holds {', '.join(own)}, in a schema a restore keeps as it is",
            hint="restore it --into a new database; snapshots taken now leave those schemas out",
        )
    extra = [n for n in map(qualified, drop_also) if n not in restored and n[0] not in keep]
    dropped = db_call(q.existing_tables, conn, restored + extra)
    blockers = db_call(q.blocking_dependents, conn, dropped)
    if blockers:
        shown = "; ".join(f"{dep} depends on {ref}" for dep, ref in blockers[:10])
        more = f" (and {len(blockers) - 10} more)" if len(blockers) > 10 else ""
        raise SnapshotError(
            f"cannot restore only the tables {', '.join(tables)}: {shown}{more}",
            hint="restore a full snapshot instead, or drop the dependent objects first",
        )
    fks = db_call(q.referencing_foreign_keys, conn, dropped)
    readd = [fk for fk in fks if fk.references in restored]
    kept = db_call(k.triggers_calling_kept, conn, keep, tables=dropped)
    recreate = [t for t in kept if (t.schema, t.table) in restored]
    return _Parts(
        preamble=wrap.tables_preamble(fks, dropped),
        postamble=wrap.postamble(readd, not_valid=keep, triggers=recreate),
        dropped=dropped,
        fks=fks,
        readd=readd,
        recreate=recreate,
    )


def check_mode(mode: str) -> None:
    """UsageError unless *mode* is ``full`` or ``tables``."""
    if mode not in (SnapshotMode.FULL, SnapshotMode.TABLES):
        raise UsageError(
            f"unknown snapshot mode {str(mode)!r}",
            hint=f"use {SnapshotMode.FULL.value!r} or {SnapshotMode.TABLES.value!r}",
        )


def _check_full_dump(toc: Sequence[TocEntry], keep_schemas: Sequence[str]) -> None:
    kept = sorted(
        {e.name for e in toc if e.type == "SCHEMA" and e.name in keep_schemas}
        | {e.schema for e in toc if e.schema is not None and e.schema in keep_schemas}
    )
    if kept:
        raise SnapshotError(
            f"the dump holds schema {', '.join(kept)}, which a restore keeps as it is "
            "(flags, their audit and migsafe's history are never rolled back)",
            hint="restore it --into a new database and copy what you need; snapshots taken "
            "by this migsafe leave those schemas out",
        )


def _check_tables_dump(in_dump: Sequence[str], tables: Sequence[str]) -> None:
    if not tables:
        raise UsageError("a tables-mode restore needs the snapshot's table names")
    missing, extra = sorted(set(tables) - set(in_dump)), sorted(set(in_dump) - set(tables))
    if missing or extra:
        raise SnapshotError(
            f"the dump does not match the snapshot's tables: missing {missing or '-'}, "
            f"unexpected {extra or '-'}",
            hint="is this the snapshot file its catalog entry describes?",
        )


def qualified(name: str) -> QualifiedName:
    """``"schema.table"`` as ``(schema, table)``; UsageError if it is not schema-qualified."""
    schema, dot, table = name.partition(".")
    if not dot or not schema or not table:
        raise UsageError(f'table name {name!r} is not schema-qualified ("schema.table")')
    return schema, table
