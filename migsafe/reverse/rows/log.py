"""The before-image log of one revision on PostgreSQL: a table in the archive schema, filled by
statement triggers with transition tables, installed for the revision and dropped with it.

One row per row image: ``(stmt, relid, added, img)``. ``stmt`` numbers the trigger firings in
the order they happened (a sequence), ``relid`` is the table fired on, ``added`` says whether
the image is a row the statement left (``NEW TABLE``) or one it removed (``OLD TABLE``), and
``img`` is the row as ``to_jsonb`` writes it. An ``UPDATE`` logs both sides, an ``INSERT`` its
new rows, a ``DELETE`` its old ones, a ``TRUNCATE`` (``BEFORE``, no transition table) the whole
table. The trigger function only writes when the session's ``migsafe.capture_rows`` setting
names this log: inside the migration's transaction nobody else sees the triggers anyway, and in
an ``autocommit_block()``, where they are committed, the application's sessions pass through
them without writing anything.
"""

from __future__ import annotations

import graphlib
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from psycopg import sql

from migsafe.reverse._sql import exact, ident
from migsafe.reverse.rows.writes import Writes

FUNCTION = "migsafe_capture_rows"
SETTING = "migsafe.capture_rows"
TRIGGER_PREFIX = "migsafe_rows_"

_FUNCTION_BODY = """
DECLARE s bigint;
BEGIN
  IF current_setting('migsafe.capture_rows', true) IS DISTINCT FROM TG_ARGV[0] THEN
    RETURN NULL;
  END IF;
  s := nextval(TG_ARGV[1]::regclass);
  IF TG_OP = 'TRUNCATE' THEN
    EXECUTE format('INSERT INTO %s SELECT $1, $2, false, to_jsonb(t) FROM %s t',
                   TG_ARGV[0], TG_RELID::regclass) USING s, TG_RELID;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE format('INSERT INTO %s SELECT $1, $2, false, to_jsonb(o) FROM migsafe_old o',
                   TG_ARGV[0]) USING s, TG_RELID;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    EXECUTE format('INSERT INTO %s SELECT $1, $2, true, to_jsonb(n) FROM migsafe_new n',
                   TG_ARGV[0]) USING s, TG_RELID;
  END IF;
  RETURN NULL;
END
"""

# (suffix, timing and event, REFERENCING clause)
_TRIGGERS = (
    ("u", "AFTER UPDATE", "REFERENCING OLD TABLE AS migsafe_old NEW TABLE AS migsafe_new"),
    ("i", "AFTER INSERT", "REFERENCING NEW TABLE AS migsafe_new"),
    ("d", "AFTER DELETE", "REFERENCING OLD TABLE AS migsafe_old"),
    ("t", "BEFORE TRUNCATE", ""),
)

# Tables a statement may write to besides the one it names: those that foreign keys with an
# ON DELETE/UPDATE action cascade into, transitively.
_CASCADES = """
WITH RECURSIVE hit(oid) AS (
    SELECT unnest(CAST(:oids AS oid[]))
  UNION
    SELECT c.conrelid FROM pg_catalog.pg_constraint c JOIN hit ON c.confrelid = hit.oid
    WHERE c.contype = 'f' AND (c.confdeltype IN ('c', 'n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))
)
SELECT oid FROM hit
"""

# Of those, tables whose writes run code the SQL does not show: user triggers, rules.
_RUNS_CODE = """
SELECT c.oid::regclass::text FROM pg_catalog.pg_class c
WHERE c.oid = ANY(CAST(:oids AS oid[])) AND (
    EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
            AND t.tgenabled <> 'D' AND t.tgname NOT LIKE 'migsafe\\_%')
    OR EXISTS (SELECT FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid
               AND r.rulename <> '_RETURN'))
LIMIT 1
"""

_WRITING_FUNCTION = """
SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.proname = ANY(CAST(:names AS text[])) AND p.provolatile = 'v'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
LIMIT 1
"""

# Every table of the application: what a statement that may write anywhere is watched on.
_ALL_TABLES = """
SELECT c.oid FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname <> ALL(CAST(:skip AS text[]))
  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
"""

_TABLE_SHAPE = """
SELECT c.oid::regclass::text AS name, n.nspname, c.relname,
       ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attgenerated = '' ORDER BY a.attnum) AS columns,
       ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attidentity = 'a') AS always,
       ARRAY(SELECT a.attname FROM pg_catalog.pg_index i
             JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, pos) ON true
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.pos) AS key
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = :oid
"""


@dataclass(frozen=True)
class CapturedTable:
    """One table's rows captured in one segment of the log: what its restore needs."""

    relid: int
    schema: str
    table: str
    columns: tuple[str, ...]  # what an INSERT/UPDATE may set (generated columns left out)
    key: tuple[str, ...]  # the primary key; empty: rows are matched whole
    always: tuple[str, ...]  # GENERATED ALWAYS AS IDENTITY: an UPDATE cannot set them
    images: int  # rows logged

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass
class RowLog:
    """The log of one revision; triggers installed on demand, dropped by :meth:`close`."""

    archive_schema: str
    name: str = field(default_factory=lambda: f"rows_{uuid.uuid4().hex[:16]}")
    installed: set[int] = field(default_factory=set)
    opened: bool = False

    @property
    def table(self) -> sql.Composed:
        return ident(self.archive_schema, self.name)

    @property
    def sequence(self) -> sql.Composed:
        return ident(self.archive_schema, f"{self.name}_stmt")

    def _literal(self, part: sql.Composable) -> str:
        return part.as_string(None)

    def open(self, conn: sa.Connection) -> None:
        if self.opened:
            return
        schema = sql.Identifier(self.archive_schema)
        for stmt in (
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema),
            sql.SQL(
                "CREATE OR REPLACE FUNCTION {}.{}() RETURNS trigger LANGUAGE plpgsql AS {}"
            ).format(schema, sql.Identifier(FUNCTION), sql.Literal(_FUNCTION_BODY)),
            sql.SQL(
                "CREATE TABLE {} (stmt bigint NOT NULL, relid oid NOT NULL, "
                "added boolean NOT NULL, img jsonb NOT NULL)"
            ).format(self.table),
            sql.SQL("CREATE SEQUENCE {}").format(self.sequence),
        ):
            _run(conn, stmt)
        conn.execute(
            sa.text("SELECT pg_catalog.set_config(:k, :v, false)"),
            {"k": SETTING, "v": self._literal(self.table)},
        )
        self.opened = True

    def install(self, conn: sa.Connection, relids: Iterable[int]) -> None:
        """Statement triggers on each table not yet watched (locks it: SHARE ROW EXCLUSIVE)."""
        todo = [r for r in relids if r not in self.installed]
        if not todo:
            return
        self.open(conn)
        function = ident(self.archive_schema, FUNCTION)
        args = sql.SQL(", ").join(
            [sql.Literal(self._literal(self.table)), sql.Literal(self._literal(self.sequence))]
        )
        for relid in todo:
            target = sql.SQL(_regclass(conn, relid))
            for suffix, when, referencing in _TRIGGERS:
                _run(
                    conn,
                    sql.SQL(
                        "CREATE TRIGGER {} {} ON {} " + referencing + " FOR EACH STATEMENT "
                        "EXECUTE FUNCTION {}({})"
                    ).format(
                        sql.Identifier(TRIGGER_PREFIX + suffix),
                        sql.SQL(when),
                        target,
                        function,
                        args,
                    ),
                )
            self.installed.add(relid)

    def position(self, conn: sa.Connection) -> int:
        """The last statement number logged so far (0: none)."""
        if not self.opened:
            return 0
        row = conn.execute(
            sa.text(
                sql.SQL("SELECT last_value, is_called FROM {}")
                .format(self.sequence)
                .as_string(None)
            )
        ).one()
        return int(row[0]) if row[1] else 0

    def captured(self, conn: sa.Connection, lo: int, hi: int) -> list[CapturedTable]:
        """The tables with rows logged in statements ``lo < stmt <= hi``, first written first,
        with their shape as it is now (call it before the next operation changes it)."""
        if not self.opened or hi <= lo:
            return []
        rows = conn.execute(
            sa.text(
                sql.SQL(
                    "SELECT relid, count(*) FROM {} WHERE stmt > :lo AND stmt <= :hi "
                    "GROUP BY relid ORDER BY min(stmt)"
                )
                .format(self.table)
                .as_string(None)
            ),
            {"lo": lo, "hi": hi},
        ).all()
        out = []
        for relid, images in rows:
            shape = conn.execute(sa.text(_TABLE_SHAPE), {"oid": relid}).one()
            out.append(
                CapturedTable(
                    relid=int(relid),
                    schema=shape.nspname,
                    table=shape.relname,
                    columns=tuple(shape.columns),
                    key=tuple(shape.key),
                    always=tuple(shape.always),
                    images=int(images),
                )
            )
        return out

    def size(self, conn: sa.Connection) -> int:
        if not self.opened:
            return 0
        return int(
            conn.execute(
                sa.text("SELECT pg_catalog.pg_total_relation_size(CAST(:t AS regclass))"),
                {"t": self._literal(self.table)},
            ).scalar()
            or 0
        )

    def close(self, conn: sa.Connection, *, keep: bool) -> None:
        """Drop the triggers and the sequence, and the log itself unless *keep*."""
        if not self.opened:
            return
        existing = conn.execute(
            sa.text(
                "SELECT oid::regclass::text FROM pg_catalog.pg_class "
                "WHERE oid = ANY(CAST(:oids AS oid[]))"
            ),
            {"oids": sorted(self.installed)},
        ).scalars()
        for target in existing:
            for suffix, _when, _ref in _TRIGGERS:
                _run(
                    conn,
                    sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
                        sql.Identifier(TRIGGER_PREFIX + suffix), sql.SQL(target)
                    ),
                )
        _run(conn, sql.SQL("DROP SEQUENCE IF EXISTS {}").format(self.sequence))
        if not keep:
            _run(conn, sql.SQL("DROP TABLE IF EXISTS {}").format(self.table))
        conn.execute(sa.text("SELECT pg_catalog.set_config(:k, '', false)"), {"k": SETTING})
        self.installed.clear()
        self.opened = False


def targets(
    conn: sa.Connection, writes: Writes, *, skip_schemas: Collection[str]
) -> tuple[set[int], str | None]:
    """The tables to watch for *writes*: the named ones and what they cascade into; every
    table when the statement or one of them runs code the SQL does not show (then also why)."""
    why = writes.anywhere
    if why is None and writes.functions:
        names = sorted({f.rsplit(".", 1)[-1] for f in writes.functions})
        found = conn.execute(sa.text(_WRITING_FUNCTION), {"names": names}).scalar()
        if found is not None:
            why = f"it calls {found}, which may write to any table"
    oids: set[int] = set()
    if why is None:
        for schema, name in writes.tables:
            parts = [sql.Identifier(p) for p in (schema, name) if p is not None]
            qualified = sql.SQL(".").join(parts).as_string(None)
            oid = conn.execute(sa.text("SELECT to_regclass(:n)::oid"), {"n": qualified}).scalar()
            if oid is not None:
                oids.add(int(oid))
        if oids:
            found = conn.execute(sa.text(_CASCADES), {"oids": sorted(oids)}).scalars()
            oids = {int(o) for o in found}
            code = conn.execute(sa.text(_RUNS_CODE), {"oids": sorted(oids)}).scalar()
            if code is not None:
                why = f"{code} has triggers or rules that may write to any table"
    if why is not None:
        oids = {
            int(o)
            for o in conn.execute(sa.text(_ALL_TABLES), {"skip": sorted(skip_schemas)}).scalars()
        }
    return oids, why


def parents_first(conn: sa.Connection, relids: Sequence[int]) -> list[int]:
    """*relids* with the tables others reference by foreign key before those others; in the
    given order where no foreign key decides (or they form a cycle)."""
    edges = conn.execute(
        sa.text(
            "SELECT conrelid, confrelid FROM pg_catalog.pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(CAST(:o AS oid[])) AND confrelid = ANY(CAST(:o AS oid[])) "
            "AND conrelid <> confrelid"
        ),
        {"o": list(relids)},
    ).all()
    sorter: graphlib.TopologicalSorter[int] = graphlib.TopologicalSorter()
    for relid in relids:
        sorter.add(relid)
    for child, parent in edges:
        sorter.add(int(child), int(parent))
    try:
        ready = list(sorter.static_order())
    except graphlib.CycleError:
        return list(relids)
    rank = {r: i for i, r in enumerate(relids)}
    # static_order is a valid order; keep it stable against the given one where it can.
    return sorted(ready, key=lambda r: (_depth(r, edges), rank[r]))


def _depth(relid: int, edges: Sequence[Any]) -> int:
    parents = [int(p) for c, p in edges if int(c) == relid]
    return 1 + max((_depth(p, edges) for p in parents), default=0) if parents else 0


def _regclass(conn: sa.Connection, relid: int) -> str:
    name = conn.execute(sa.text("SELECT CAST(:o AS oid)::regclass::text"), {"o": relid})
    return str(name.scalar())


def _run(conn: sa.Connection, stmt: sql.Composable) -> None:
    conn.execute(exact(stmt.as_string(None)))
