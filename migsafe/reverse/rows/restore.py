"""The reverse of captured row changes: SQL that puts one segment's rows back.

Per row, the log holds every image the segment's statements removed and left. The reverse
reduces them to the row's first image (what it was before the segment; none if the segment
inserted it) and its last (what the segment left; none if it deleted it), and puts the first
back. Rows are told apart by the primary key; a table without one is treated as a multiset of
whole rows (each image's count put back).

A row that is no longer what the segment left (the application updated or deleted it since, or
inserted one with a key the segment deleted) is a conflict. The reverse reads the revert's
``migsafe.on_conflict`` setting: ``refuse`` (the default) raises SQLSTATE ``MS409``
(``db.dberrors.ROW_CONFLICT``) naming the
table, the count and the first keys, and the revert's transaction rolls back; ``keep-current``
leaves those rows as they are now and restores the others; ``restore`` puts the before-images
back anyway. Rows the application inserted since are never touched.

The order, for all the segment's tables together: the net changes and conflicts of each table
first (nothing has changed yet), then the deleted rows inserted again (parents before children,
by the foreign keys between the tables), the updated rows updated back, and the inserted rows
deleted (children before parents); so no foreign key is broken on the way, whichever order
the statements (or their cascades) ran in. The tables' own triggers are switched off meanwhile
(as they are around an archived column's restore), so that only what the migration changed is
written.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from migsafe.reverse._sql import ident
from migsafe.reverse.rows.log import CapturedTable

ON_CONFLICT_SETTING = "migsafe.on_conflict"
ON_CONFLICT_MODES = ("refuse", "keep-current", "restore")

_PREPARE = """DO $migsafe$
DECLARE
  conflicts bigint;
  sample text;
  trg record;
BEGIN
{net}
  IF conflicts > 0
     AND coalesce(nullif(current_setting('migsafe.on_conflict', true), ''), 'refuse') = 'refuse'
  THEN
    RAISE EXCEPTION '% row(s) of % changed since the upgrade (%)', conflicts, {name}, sample
      USING ERRCODE = 'MS409',
            HINT = 'revert with --on-conflict keep-current (leave them) or restore (overwrite)';
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS migsafe_rows_off (rel regclass, tgname name, state "char")
    ON COMMIT DROP;
  FOR trg IN SELECT tgname, tgenabled FROM pg_catalog.pg_trigger
             WHERE tgrelid = {regclass} AND NOT tgisinternal AND tgenabled <> 'D' LOOP
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', {regclass}, trg.tgname);
    INSERT INTO migsafe_rows_off VALUES ({regclass}, trg.tgname, trg.tgenabled);
  END LOOP;
END
$migsafe$"""

_FINISH = """DO $migsafe$
DECLARE
  trg record;
BEGIN
  FOR trg IN SELECT * FROM migsafe_rows_off LOOP
    EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', trg.rel,
                   CASE trg.state WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END,
                   trg.tgname);
  END LOOP;
  DROP TABLE migsafe_rows_off;
  {drops}
END
$migsafe$"""

# Rows a conflict leaves alone, unless the revert says to restore anyway.
_CHOSEN = "(NOT n.conflict OR current_setting('migsafe.on_conflict', true) = 'restore')"


def restore_segment(
    tables: Sequence[CapturedTable],
    parents_first: Sequence[int],
    log: sql.Composable,
    lo: int,
    hi: int,
) -> list[str]:
    """The statements that put *tables*' rows back as they were before statements
    ``lo < stmt <= hi`` of *log*; *parents_first*: their relids, referenced tables first."""
    by_id = {t.relid: t for t in tables}
    order = [by_id[r] for r in parents_first]
    out = [_prepare(t, log, lo, hi) for t in order]
    out += [s for t in order for s in _inserts(t)]
    out += [s for t in order for s in _updates(t)]
    out += [s for t in reversed(order) for s in _deletes(t)]
    drops = " ".join(f"DROP TABLE {_net(t).as_string(None)};" for t in order)
    out.append(_FINISH.format(drops=drops))
    return out


def _net(table: CapturedTable) -> sql.Identifier:
    return sql.Identifier(f"migsafe_rows_net_{table.relid}")


def _target(table: CapturedTable) -> sql.Composed:
    return ident(table.schema, table.table)


def _prepare(table: CapturedTable, log: sql.Composable, lo: int, hi: int) -> str:
    events = sql.SQL(
        "SELECT stmt, added, img FROM {} WHERE relid = {} AND stmt > {} AND stmt <= {}"
    ).format(log, sql.Literal(table.relid), sql.Literal(lo), sql.Literal(hi))
    net = _keyed(table, events) if table.key else _whole_rows(table, events)
    target = _target(table)
    text = _PREPARE.format(
        net=net.as_string(None),
        name=sql.Literal(table.qualified).as_string(None),
        regclass=sql.SQL("{}::regclass")
        .format(sql.Literal(target.as_string(None)))
        .as_string(None),
    )
    return text


def _cols(names: Sequence[str], prefix: str | None = None) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL("{}.{}").format(sql.Identifier(prefix), sql.Identifier(n))
        if prefix
        else sql.Identifier(n)
        for n in names
    )


def _key_match(table: CapturedTable, left: str, right: str) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("{}.{} = {}.{}").format(
            sql.Identifier(left), sql.Identifier(k), sql.Identifier(right), sql.Identifier(k)
        )
        for k in table.key
    )


def _keyed(table: CapturedTable, events: sql.Composable) -> sql.Composed:
    key_object = sql.SQL(", ").join(
        sql.SQL("{}, img->{}").format(sql.Literal(k), sql.Literal(k)) for k in table.key
    )
    return sql.SQL(
        """  CREATE TEMP TABLE {net} ON COMMIT DROP AS
  WITH ev AS (SELECT jsonb_build_object({key_object}) AS k, e.* FROM ({events}) e),
  f AS (SELECT DISTINCT ON (k) k, added, img FROM ev ORDER BY k, stmt, added),
  l AS (SELECT DISTINCT ON (k) k, added, img FROM ev ORDER BY k, stmt DESC, added DESC)
  SELECT f.k, f.added AS was_new, f.img AS before, {r_keys},
         CASE WHEN l.added THEN cur.{first_key} IS NULL OR to_jsonb(cur) <> l.img
              ELSE cur.{first_key} IS NOT NULL END AS conflict
  FROM f JOIN l USING (k)
  CROSS JOIN LATERAL jsonb_populate_record(NULL::{target}, f.k) r
  LEFT JOIN {target} cur ON {match};
  SELECT count(*) INTO conflicts FROM {net} WHERE conflict;
  SELECT 'keys ' || string_agg(k::text, ', ') INTO sample
  FROM (SELECT k FROM {net} WHERE conflict ORDER BY k LIMIT 5) s;"""
    ).format(
        net=_net(table),
        key_object=key_object,
        events=events,
        r_keys=_cols(table.key, "r"),
        first_key=sql.Identifier(table.key[0]),
        target=_target(table),
        match=_key_match(table, "cur", "r"),
    )


def _whole_rows(table: CapturedTable, events: sql.Composable) -> sql.Composed:
    return sql.SQL(
        """  CREATE TEMP TABLE {net} ON COMMIT DROP AS
  SELECT img, sum(CASE WHEN added THEN 1 ELSE -1 END) AS net, false AS conflict
  FROM ({events}) e GROUP BY img HAVING sum(CASE WHEN added THEN 1 ELSE -1 END) <> 0;
  UPDATE {net} n SET conflict = true
  WHERE n.net > 0 AND n.net > (SELECT count(*) FROM {target} c WHERE to_jsonb(c) = n.img);
  SELECT count(*) INTO conflicts FROM {net} WHERE conflict;
  SELECT 'rows ' || string_agg(img::text, ', ') INTO sample
  FROM (SELECT img FROM {net} WHERE conflict ORDER BY img LIMIT 3) s;"""
    ).format(net=_net(table), events=events, target=_target(table))


def _before(table: CapturedTable, image: str) -> sql.Composed:
    return sql.SQL("FROM {} n CROSS JOIN LATERAL jsonb_populate_record(NULL::{}, n.{}) r").format(
        _net(table), _target(table), sql.Identifier(image)
    )


def _inserts(table: CapturedTable) -> list[str]:
    target, columns = _target(table), _cols(table.columns)
    if not table.key:
        stmt = sql.SQL(
            "INSERT INTO {target} ({columns}) OVERRIDING SYSTEM VALUE "
            "SELECT {r_columns} {before} CROSS JOIN LATERAL generate_series(1, -n.net) g "
            "WHERE n.net < 0"
        )
        image = "img"
    else:
        stmt = sql.SQL(
            "INSERT INTO {target} ({columns}) OVERRIDING SYSTEM VALUE "
            "SELECT {r_columns} {before} WHERE NOT n.was_new AND {chosen} "
            "AND NOT EXISTS (SELECT FROM {target} cur WHERE {match})"
        )
        image = "before"
    return [
        stmt.format(
            target=target,
            columns=columns,
            r_columns=_cols(table.columns, "r"),
            before=_before(table, image),
            chosen=sql.SQL(_CHOSEN),
            match=_key_match(table, "cur", "n") if table.key else sql.SQL(""),
        ).as_string(None)
    ]


def _updates(table: CapturedTable) -> list[str]:
    settable = [c for c in table.columns if c not in table.key and c not in table.always]
    if not table.key or not settable:
        return []
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = r.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in settable
    )
    return [
        sql.SQL(
            "UPDATE {target} cur SET {assignments} {before} "
            "WHERE NOT n.was_new AND {match} AND {chosen}"
        )
        .format(
            target=_target(table),
            assignments=assignments,
            before=_before(table, "before"),
            match=_key_match(table, "cur", "n"),
            chosen=sql.SQL(_CHOSEN),
        )
        .as_string(None)
    ]


def _deletes(table: CapturedTable) -> list[str]:
    target = _target(table)
    if not table.key:
        stmt = sql.SQL(
            "DELETE FROM {target} t USING ("
            "SELECT d.tableoid, d.ctid FROM ("
            "SELECT c.tableoid, c.ctid, n.net, row_number() OVER (PARTITION BY n.img) AS rn "
            "FROM {target} c JOIN {net} n ON n.net > 0 AND to_jsonb(c) = n.img) d "
            "WHERE d.rn <= d.net) gone "
            "WHERE t.tableoid = gone.tableoid AND t.ctid = gone.ctid"
        ).format(target=target, net=_net(table))
    else:
        stmt = sql.SQL(
            "DELETE FROM {target} cur USING {net} n WHERE n.was_new AND {match} AND {chosen}"
        ).format(
            target=target,
            net=_net(table),
            match=_key_match(table, "cur", "n"),
            chosen=sql.SQL(_CHOSEN),
        )
    return [stmt.as_string(None)]
