"""Row capture for one revision: when to watch which tables, and the reverses it yields.

:class:`~migsafe.reverse.capture.ReverseCapture` calls :meth:`RevisionRows.before_write` just
before a statement that may write rows runs (an ``op.execute``, a ``bulk_insert`` whose keys the
database makes, a statement on the connection, an ORM flush), and :meth:`before_operation` before
any other operation. Consecutive writes form a *segment* of the log; the reverse of a segment is
computed when it ends, while the tables still have the shape its rows were written in, and takes
its place among the operations' reverses, so a revert undoes data and schema changes in exactly
the reverse order they were made.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from migsafe.reverse._sql import verbatim
from migsafe.reverse.model import Reverse
from migsafe.reverse.rows.log import CapturedTable, RowLog
from migsafe.reverse.rows.restore import restore_segment
from migsafe.reverse.rows.targets import parents_first, targets
from migsafe.reverse.rows.writes import Writes, writes_of


@dataclass
class RevisionRows:
    archive_schema: str
    skip_schemas: tuple[str, ...]
    skip_tables: Collection[str]  # qualified or bare names: the version table
    log: RowLog = field(init=False)
    captured: list[CapturedTable] = field(default_factory=list)  # per segment and table
    anywhere: list[str] = field(default_factory=list)  # why every table was watched
    _open_at: int | None = None  # the log position where the open segment began
    _resolved: dict[str, tuple[frozenset[int], str | None]] = field(default_factory=dict)
    _skip_oids: frozenset[int] | None = None

    def __post_init__(self) -> None:
        self.log = RowLog(self.archive_schema)

    @staticmethod
    def writes(sql_text: str) -> Writes:
        return _writes(sql_text)

    def before_write(self, conn: sa.Connection, sql_text: str) -> str | None:
        """Watch the tables *sql_text* may write, and begin a segment if none is open.
        Returns why every table is watched (procedural code, a function), or None: such a
        statement may change the schema too, which rows cannot undo (the caller checks)."""
        writes = _writes(sql_text)
        if not writes.any:
            return None
        oids, why = self._targets(conn, sql_text, writes)
        if why is not None and why not in self.anywhere:
            self.anywhere.append(why)
        self.log.install(conn, oids)
        if self._open_at is None:
            self._open_at = self.log.position(conn)
        return why

    def before_operation(self, conn: sa.Connection) -> Reverse | None:
        """End the open segment (if any): its reverse, to be ordered before the next one's."""
        if self._open_at is None:
            return None
        lo, hi = self._open_at, self.log.position(conn)
        self._open_at = None
        captured = self.log.end(conn, lo, hi)
        if not captured:
            return None
        self.captured.extend(captured)
        order = parents_first(conn, [t.relid for t in captured])
        statements = restore_segment(captured, order, self.archive_schema, lo, hi)
        return Reverse(ops=tuple(verbatim(s) for s in statements))

    def size(self, conn: sa.Connection) -> int:
        return self.log.size(conn, {t.log for t in self.captured})

    def close(self, conn: sa.Connection, *, keep: bool) -> list[dict[str, Any]]:
        """Drop the triggers; keep the logs that hold rows as archives (described, one per
        log), or drop them all."""
        logs: dict[str, CapturedTable] = {}
        for table in self.captured if keep else ():
            logs.setdefault(table.log, table)
        self.log.close(conn, keep=set(logs))
        return [
            {
                "when": "upgrade",
                "kind": "rows",
                "schema": t.schema,
                "table": t.table,
                "archive_schema": self.archive_schema,
                "archive_table": log,
            }
            for log, t in logs.items()
        ]

    def _targets(
        self, conn: sa.Connection, sql_text: str, writes: Writes
    ) -> tuple[frozenset[int], str | None]:
        found = self._resolved.get(sql_text)
        if found is None:
            oids, why = targets(conn, writes, skip_schemas=self.skip_schemas)
            found = (frozenset(oids - self._skipped(conn)), why)
            self._resolved[sql_text] = found
        return found

    def _skipped(self, conn: sa.Connection) -> frozenset[int]:
        if self._skip_oids is None:
            names = list(self.skip_tables)
            rows = conn.execute(
                sa.text("SELECT to_regclass(n)::oid FROM unnest(CAST(:n AS text[])) n"),
                {"n": names},
            ).scalars()
            self._skip_oids = frozenset(int(o) for o in rows if o is not None)
        return self._skip_oids


@functools.lru_cache(maxsize=4096)
def _writes(sql_text: str) -> Writes:
    """Parsed once per text: an ORM backfill sends the same statement for every batch."""
    return writes_of(sql_text)
