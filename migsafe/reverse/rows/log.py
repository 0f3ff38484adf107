"""The before-image logs of one revision on PostgreSQL: tables in the archive schema, filled by
statement triggers with transition tables, installed for the revision and dropped with it.

Each watched table gets a log table of its own with the table's columns (values of types
outside ``pg_catalog`` kept as text, so that the log never holds a later ``DROP TYPE`` back),
plus ``migsafe_stmt`` (which trigger firing wrote the row: a sequence numbers them in the order
they happened) and ``migsafe_added`` (a row the statement left, ``NEW TABLE``, or one it
removed, ``OLD TABLE``). An ``UPDATE`` logs both sides, an ``INSERT`` its new rows, a
``DELETE`` its old ones, a ``TRUNCATE`` (``BEFORE``, which has no transition table) the whole
table. Plain columns rather than one ``jsonb`` per row: the copy costs about half as much.

A log has the table's shape when its trigger was installed; when an operation ends the segment
(it may change that shape), the triggers go, and the next write installs them again with new
logs. The trigger function only writes when the session's ``migsafe.capture_rows`` setting
names this revision's sequence: inside the migration's transaction nobody else sees the
triggers anyway, and in an ``autocommit_block()``, where they are committed, the application's
sessions pass through them without writing anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from psycopg import sql

from migsafe.reverse._sql import exact, ident

FUNCTION = "migsafe_capture_rows"
SETTING = "migsafe.capture_rows"
TRIGGER_PREFIX = "migsafe_rows_"
STMT, ADDED = "migsafe_stmt", "migsafe_added"

_FUNCTION_BODY = """
DECLARE s bigint;
BEGIN
  IF current_setting('migsafe.capture_rows', true) IS DISTINCT FROM TG_ARGV[0] THEN
    RETURN NULL;
  END IF;
  s := nextval(TG_ARGV[0]::regclass);
  IF TG_ARGV[1] <> '' THEN
    EXECUTE TG_ARGV[1] USING s;
  END IF;
  IF TG_ARGV[2] <> '' THEN
    EXECUTE TG_ARGV[2] USING s;
  END IF;
  RETURN NULL;
END
"""

# (suffix, timing and event, REFERENCING clause, logs the old rows, logs the new rows)
_TRIGGERS = (
    ("u", "AFTER UPDATE", "REFERENCING OLD TABLE AS migsafe_old NEW TABLE AS migsafe_new"),
    ("i", "AFTER INSERT", "REFERENCING NEW TABLE AS migsafe_new"),
    ("d", "AFTER DELETE", "REFERENCING OLD TABLE AS migsafe_old"),
    ("t", "BEFORE TRUNCATE", ""),
)

# Each table's name, kind, primary key and columns; and whether the trigger function is there
# as this migsafe writes it. A type outside pg_catalog is named schema-qualified (its values
# are logged as text and cast back), whatever search_path says.
_SHAPES = """
SELECT c.oid, n.nspname, c.relname, c.relkind,
       ARRAY(SELECT a.attname FROM pg_catalog.pg_index i
             JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, pos) ON true
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.pos) AS key,
       (SELECT json_agg(json_build_array(
            a.attname,
            CASE WHEN t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace
                 THEN pg_catalog.format_type(a.atttypid, a.atttypmod)
                 ELSE (SELECT pg_catalog.quote_ident(en.nspname) || '.'
                              || pg_catalog.quote_ident(et.typname)
                       FROM pg_catalog.pg_type et
                       JOIN pg_catalog.pg_namespace en ON en.oid = et.typnamespace
                       WHERE et.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END)
                      || CASE WHEN t.typcategory = 'A' THEN '[]' ELSE '' END END,
            t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace,
            a.attgenerated <> '',
            a.attidentity = 'a',
            EXISTS (SELECT FROM pg_catalog.pg_operator o WHERE o.oprname = '='
                    AND o.oprleft = a.atttypid AND o.oprright = a.atttypid
                    AND o.oprresult = 'pg_catalog.bool'::pg_catalog.regtype))
            ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       coalesce((SELECT p.prosrc = :body FROM pg_catalog.pg_proc p
                 WHERE p.oid = pg_catalog.to_regprocedure(:fn)), false) AS function_ok
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ANY(CAST(:oids AS oid[]))
"""


@dataclass(frozen=True)
class LogColumn:
    """One column of a watched table, as its log keeps it."""

    name: str
    type_sql: str  # format_type() with search_path pinned: schema-qualified when not built in
    as_text: bool  # kept as text (a type outside pg_catalog), cast back on restore
    generated: bool  # GENERATED ... STORED: logged (for the conflict check), never written
    always: bool  # GENERATED ALWAYS AS IDENTITY: an UPDATE cannot set it
    # Its type has its own = operator: compared as it is (else as text: json, point, xml,
    # enums and arrays, whose equality is not the type's own, compare by their text).
    comparable: bool = False

    def logged(self, alias: str) -> sql.Composable:
        """The column of row *alias* of the table, as the log holds it."""
        ref = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(self.name))
        return sql.SQL("{}::text").format(ref) if self.as_text else ref

    def typed(self, alias: str) -> sql.Composable:
        """The column of row *alias* of the log, as the table holds it."""
        ref = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(self.name))
        return sql.SQL("{}::{}").format(ref, sql.SQL(self.type_sql)) if self.as_text else ref


@dataclass(frozen=True)
class CapturedTable:
    """One table's rows captured in one segment: what its restore needs."""

    relid: int
    schema: str
    table: str
    log: str  # the log table, in the archive schema
    columns: tuple[LogColumn, ...]
    key: tuple[str, ...]  # the primary key; empty: rows are matched whole
    # All of them written by one trigger firing: each key is then at most once among the rows
    # it removed and once among those it left, and the restore pairs them without sorting.
    one_statement: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass
class _Watched:
    relid: int
    schema: str
    table: str
    log: str
    columns: tuple[LogColumn, ...]
    key: tuple[str, ...]
    partitioned: bool


@dataclass
class RowLog:
    """The logs of one revision; triggers installed on demand, dropped by :meth:`end` and
    :meth:`close`."""

    archive_schema: str
    prefix: str = field(default_factory=lambda: f"rows_{uuid.uuid4().hex[:12]}")
    watched: dict[int, _Watched] = field(default_factory=dict)  # installed now
    logs: list[_Watched] = field(default_factory=list)  # every log made, in order
    opened: bool = False

    @property
    def sequence(self) -> sql.Composed:
        return ident(self.archive_schema, f"{self.prefix}_stmt")

    def install(self, conn: sa.Connection, relids: Iterable[int]) -> None:
        """A log and statement triggers for each table not watched yet, in one round trip
        (the triggers lock each table SHARE ROW EXCLUSIVE until the migration commits)."""
        todo = sorted(r for r in relids if r not in self.watched)
        if not todo:
            return
        statements: list[sql.Composable] = []
        schema = sql.Identifier(self.archive_schema)
        function = ident(self.archive_schema, FUNCTION)
        found = conn.execute(
            sa.text(_SHAPES),
            {"oids": todo, "fn": function.as_string(None) + "()", "body": _FUNCTION_BODY},
        ).all()
        if not self.opened:
            statements.append(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            if not any(row.function_ok for row in found):
                statements.append(
                    sql.SQL(
                        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}"
                    ).format(function, sql.Literal(_FUNCTION_BODY))
                )
            statements.append(sql.SQL("CREATE SEQUENCE {}").format(self.sequence))
            statements.append(
                sql.SQL("SELECT pg_catalog.set_config({}, {}, false)").format(
                    sql.Literal(SETTING), sql.Literal(self.sequence.as_string(None))
                )
            )
        made: list[_Watched] = []
        for row in found:
            if row.relkind not in ("r", "p"):
                continue
            columns = tuple(
                LogColumn(
                    c[0], c[1], as_text=not c[2], generated=c[3], always=c[4], comparable=c[5]
                )
                for c in row.columns
            )
            watched = _Watched(
                relid=int(row.oid),
                schema=row.nspname,
                table=row.relname,
                log=f"{self.prefix}_{len(self.logs) + len(made) + 1}",
                columns=columns,
                key=tuple(row.key),
                partitioned=row.relkind == "p",
            )
            statements.append(self._create_log(watched))
            statements.extend(self._triggers(watched))
            made.append(watched)
        _run_all(conn, statements)
        self.opened = True
        for watched in made:
            self.watched[watched.relid] = watched
            self.logs.append(watched)

    def _create_log(self, watched: _Watched) -> sql.Composable:
        definition = sql.SQL(", ").join(
            [
                sql.SQL("{} bigint NOT NULL").format(sql.Identifier(STMT)),
                sql.SQL("{} boolean NOT NULL").format(sql.Identifier(ADDED)),
                *(
                    sql.SQL("{} {}").format(
                        sql.Identifier(c.name), sql.SQL("text" if c.as_text else c.type_sql)
                    )
                    for c in watched.columns
                ),
            ]
        )
        table = ident(self.archive_schema, watched.log)
        return sql.SQL("CREATE TABLE {} ({})").format(table, definition)

    def _copy(self, watched: _Watched, source: str, added: bool) -> str:
        """The INSERT a trigger runs to copy *source* (a transition table, or the table)."""
        values = sql.SQL(", ").join(c.logged("r") for c in watched.columns)
        return (
            sql.SQL("INSERT INTO {} SELECT $1, {}, {} FROM {} r")
            .format(
                ident(self.archive_schema, watched.log),
                sql.Literal(added),
                values,
                sql.SQL(source),
            )
            .as_string(None)
        )

    def _triggers(self, watched: _Watched) -> list[sql.Composable]:
        target = ident(watched.schema, watched.table)
        old = self._copy(watched, "migsafe_old", False)
        new = self._copy(watched, "migsafe_new", True)
        only = "" if watched.partitioned else "ONLY "
        whole = self._copy(watched, only + target.as_string(None), False)
        args = {"u": (old, new), "i": ("", new), "d": (old, ""), "t": (whole, "")}
        function = ident(self.archive_schema, FUNCTION)
        out: list[sql.Composable] = []
        for suffix, when, referencing in _TRIGGERS:
            first, second = args[suffix]
            # One left by a run that died in an autocommit_block() (inert: it only writes for
            # the session that made it) must not stop this one.
            out.append(
                sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
                    sql.Identifier(TRIGGER_PREFIX + suffix), target
                )
            )
            out.append(
                sql.SQL(
                    "CREATE TRIGGER {} {} ON {} " + referencing + " FOR EACH STATEMENT "
                    "EXECUTE FUNCTION {}({}, {}, {})"
                ).format(
                    sql.Identifier(TRIGGER_PREFIX + suffix),
                    sql.SQL(when),
                    target,
                    function,
                    sql.Literal(self.sequence.as_string(None)),
                    sql.Literal(first),
                    sql.Literal(second),
                )
            )
        return out

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

    def end(self, conn: sa.Connection, lo: int, hi: int) -> list[CapturedTable]:
        """End a segment: the tables with rows logged in statements ``lo < stmt <= hi``,
        first written first; the triggers are dropped (the next write installs new ones, on
        the shape the tables have then)."""
        watched = list(self.watched.values())
        if not watched:
            return []
        counts = sql.SQL(" UNION ALL ").join(
            sql.SQL(
                "SELECT {}, min({s}), max({s}), count(*) FROM {} WHERE {s} > {} AND {s} <= {}"
            ).format(
                sql.Literal(i),
                ident(self.archive_schema, w.log),
                sql.Literal(lo),
                sql.Literal(hi),
                s=sql.Identifier(STMT),
            )
            for i, w in enumerate(watched)
        )
        rows = conn.execute(sa.text(counts.as_string(None))).all()
        self._drop_triggers(conn)
        out = [
            (
                int(first),
                CapturedTable(
                    relid=watched[i].relid,
                    schema=watched[i].schema,
                    table=watched[i].table,
                    log=watched[i].log,
                    columns=watched[i].columns,
                    key=watched[i].key,
                    one_statement=first == last,
                ),
            )
            for i, first, last, count in rows
            if count
        ]
        return [c for _first, c in sorted(out, key=lambda p: p[0])]

    def _drop_triggers(self, conn: sa.Connection) -> None:
        """Drop the triggers of every watched table (those still there), in one round trip."""
        if not self.watched:
            return
        oids = sorted(self.watched)
        self.watched.clear()
        _run_all(
            conn,
            [
                sql.SQL(
                    "DO $migsafe$ DECLARE t text; BEGIN FOR t IN SELECT oid::regclass::text "
                    "FROM pg_catalog.pg_class WHERE oid = ANY({}::oid[]) LOOP {} END LOOP; END "
                    "$migsafe$"
                ).format(
                    sql.Literal(oids),
                    sql.SQL(" ").join(
                        sql.SQL("EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', {}, t);").format(
                            sql.Literal(TRIGGER_PREFIX + suffix)
                        )
                        for suffix, _when, _ref in _TRIGGERS
                    ),
                )
            ],
        )

    def size(self, conn: sa.Connection, logs: Collection[str]) -> int:
        names = [ident(self.archive_schema, n).as_string(None) for n in logs]
        return int(
            conn.execute(
                sa.text(
                    "SELECT coalesce(sum(pg_catalog.pg_total_relation_size(CAST(n AS regclass))),"
                    " 0) FROM unnest(CAST(:n AS text[])) n"
                ),
                {"n": names},
            ).scalar()
            or 0
        )

    def close(self, conn: sa.Connection, *, keep: Collection[str]) -> None:
        """Drop the triggers, the sequence, and every log but those in *keep*."""
        if not self.opened:
            return
        self._drop_triggers(conn)
        statements: list[sql.Composable] = [
            sql.SQL("DROP SEQUENCE IF EXISTS {}").format(self.sequence),
            *(
                sql.SQL("DROP TABLE IF EXISTS {}").format(ident(self.archive_schema, w.log))
                for w in self.logs
                if w.log not in keep
            ),
            sql.SQL("SELECT pg_catalog.set_config({}, '', false)").format(sql.Literal(SETTING)),
        ]
        _run_all(conn, statements)
        self.opened = False


def _run_all(conn: sa.Connection, statements: Sequence[sql.Composable]) -> None:
    """Run *statements* in one round trip: one ``DO`` block that executes each in turn (one
    command, as drivers that prepare every statement, asyncpg's, require)."""
    if not statements:
        return
    if len(statements) == 1:
        conn.execute(exact(statements[0].as_string(None)))
        return
    body = " ".join(
        f"EXECUTE {sql.Literal(s.as_string(None)).as_string(None)};" for s in statements
    )
    conn.execute(exact(f"DO $migsafe_batch$ BEGIN {body} END $migsafe_batch$"))
