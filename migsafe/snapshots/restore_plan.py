"""Planning an in-place restore: what it drops and restores, and the SQL around the script.

The plan reads the database (on the restore's own session) and the archive's table of
contents, and refuses, before anything changes, what it cannot restore all or nothing: a
full dump holding a schema the restore keeps, a tables dump that does not match the
snapshot's tables, or tables something other than foreign keys depends on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import URL

from migsafe.engine.connection import redact
from migsafe.errors import SnapshotError, UsageError
from migsafe.snapshots import restore_sql as q
from migsafe.snapshots import restore_wrap as wrap
from migsafe.snapshots.model import FULL, TABLES
from migsafe.snapshots.restore_conn import db_call
from migsafe.snapshots.restore_sql import QualifiedName
from migsafe.snapshots.toc import TocEntry, tables_in

__all__ = ["RestorePlan", "check_mode", "make_plan", "qualified"]


@dataclass(frozen=True)
class RestorePlan:
    """What an in-place restore will do, and the SQL it wraps around pg_restore's script."""

    database: str  # redacted URL
    mode: str
    drop_schemas: tuple[str, ...]
    drop_tables: tuple[str, ...]
    restore_tables: tuple[str, ...]  # every table the dump creates
    readd_foreign_keys: tuple[str, ...]  # "schema.table.constraint"
    drop_foreign_keys: tuple[str, ...]  # into tables created after the snapshot
    preamble: str
    postamble: str


def make_plan(
    conn: q.Conn,
    url: URL,
    toc: Sequence[TocEntry],
    mode: str,
    tables: Sequence[str],
    drop_also: Sequence[str],
    keep_schemas: Sequence[str],
) -> RestorePlan:
    """The plan for restoring the archive of *toc* into the database of *conn* (at *url*)."""
    check_mode(mode)
    in_dump = tables_in(toc)
    schemas: list[str] = []
    dropped: list[QualifiedName] = []
    fks: list[q.ForeignKey] = []
    readd: list[q.ForeignKey] = []
    if mode == FULL:
        _check_full_dump(toc, keep_schemas)
        schemas = db_call(q.user_schemas, conn, keep_schemas)
        public = db_call(q.public_schema, conn) if "public" in schemas else None
        preamble, postamble = wrap.full_preamble(schemas, public), wrap.postamble()
    else:
        restored = [qualified(t) for t in tables]
        _check_tables_dump(in_dump, tables)
        extra = [n for n in map(qualified, drop_also) if n not in restored]
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
        preamble, postamble = wrap.tables_preamble(fks, dropped), wrap.postamble(readd)
    return RestorePlan(
        database=redact(url),
        mode=mode,
        drop_schemas=tuple(schemas),
        drop_tables=tuple(f"{s}.{t}" for s, t in dropped),
        restore_tables=in_dump,
        readd_foreign_keys=tuple(fk.qualified for fk in readd),
        drop_foreign_keys=tuple(fk.qualified for fk in fks if fk not in readd),
        preamble=preamble.as_string(conn),
        postamble=postamble.as_string(conn),
    )


def check_mode(mode: str) -> None:
    """UsageError unless *mode* is ``full`` or ``tables``."""
    if mode not in (FULL, TABLES):
        raise UsageError(f"unknown snapshot mode {mode!r}", hint=f"use {FULL!r} or {TABLES!r}")


def _check_full_dump(toc: Sequence[TocEntry], keep_schemas: Sequence[str]) -> None:
    kept = sorted(
        {e.name for e in toc if e.type == "SCHEMA" and e.name in keep_schemas}
        | {e.schema for e in toc if e.schema is not None and e.schema in keep_schemas}
    )
    if kept:
        raise SnapshotError(
            f"the dump holds schema {', '.join(kept)}, which a restore keeps as it is",
            hint="take full snapshots with pg_dump --exclude-schema for those schemas",
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
