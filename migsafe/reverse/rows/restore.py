"""The reverse of captured row changes: SQL that puts one segment's rows back.

Per row, the log holds every image the segment's statements removed and left. The reverse
reduces them to the row's first image (what it was before the segment; none if the segment
inserted it) and its last (what the segment left; none if it deleted it), and puts the first
back. Rows are told apart by the primary key; a table without one is treated as a multiset of
whole rows (each image's count put back). Images are compared as the text of the whole row,
so that columns of types without an equality operator (json, point, xml) compare too.

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
from migsafe.reverse.rows.log import ADDED, STMT, CapturedTable, LogColumn

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
_CHOSEN = sql.SQL(
    "(NOT n.migsafe_conflict OR current_setting('migsafe.on_conflict', true) = 'restore')"
)


def restore_segment(
    tables: Sequence[CapturedTable],
    parents_first: Sequence[int],
    archive_schema: str,
    lo: int,
    hi: int,
) -> list[str]:
    """The statements that put *tables*' rows back as they were before statements
    ``lo < stmt <= hi``; *parents_first*: their relids, referenced tables first."""
    by_id = {t.relid: t for t in tables}
    order = [by_id[r] for r in parents_first]
    out = [_prepare(t, archive_schema, lo, hi) for t in order]
    out += [_inserts(t) for t in order]
    out += [u for t in order if (u := _updates(t)) is not None]
    for t in reversed(order):
        if t.key:
            out.append(_referenced(t))
        out.append(_deletes(t))
    drops = " ".join(f"DROP TABLE {_net(t).as_string(None)};" for t in order)
    out.append(_FINISH.format(drops=drops))
    return out


_REFERENCED = """DO $migsafe$
DECLARE
  fk record;
  hits bigint;
  total bigint := 0;
  which text;
BEGIN
  FOR fk IN
    SELECT c.conrelid::regclass AS child, c.conrelid = {regclass} AS itself,
           (SELECT string_agg(format('ch.%I', a.attname), ', ' ORDER BY k.i)
            FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS cols,
           (SELECT string_agg(format('p.%I', a.attname), ', ' ORDER BY k.i)
            FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS refs
    FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.confrelid = {regclass}
  LOOP
    EXECUTE format(
      'UPDATE {net} n SET migsafe_conflict = true FROM %s p '
      'WHERE n.migsafe_was_new AND NOT n.migsafe_conflict AND {match} '
      'AND EXISTS (SELECT FROM %s ch WHERE (%s) = (%s)%s)',
      {regclass}, fk.child, fk.cols, fk.refs,
      CASE WHEN fk.itself THEN ' AND NOT EXISTS (SELECT FROM {net} n2 WHERE '
           || 'n2.migsafe_was_new AND {self_match})' ELSE '' END);
    GET DIAGNOSTICS hits = ROW_COUNT;
    IF hits > 0 THEN
      total := total + hits;
      which := coalesce(which || ', ', '') || fk.child::text;
    END IF;
  END LOOP;
  IF total > 0
     AND coalesce(nullif(current_setting('migsafe.on_conflict', true), ''), 'refuse') = 'refuse'
  THEN
    RAISE EXCEPTION '% row(s) of % that the upgrade inserted are referenced by rows written '
                    'since (in %)', total, {name}, which
      USING ERRCODE = 'MS409',
            HINT = 'revert with --on-conflict keep-current (leave them) or restore (delete)';
  END IF;
END
$migsafe$"""


def _referenced(table: CapturedTable) -> str:
    """Rows the segment inserted that rows written since reference (by any foreign key) are
    conflicts: deleting them would fail, or cascade into the application's rows."""
    target = _target(table)
    quoted = sql.Literal(target.as_string(None)).as_string(None)
    self_match = sql.SQL(" AND ").join(
        sql.SQL("{} = n2.{}").format(_column(table, k).logged("ch"), sql.Identifier(k))
        for k in table.key
    )
    return _REFERENCED.format(
        regclass=f"{quoted}::regclass",
        net=_net(table).as_string(None).replace("'", "''"),
        match=_key_match(table, "p", "n").as_string(None).replace("'", "''"),
        self_match=self_match.as_string(None).replace("'", "''"),
        name=sql.Literal(table.qualified).as_string(None),
    )


def _net(table: CapturedTable) -> sql.Identifier:
    return sql.Identifier(f"migsafe_rows_net_{table.relid}")


def _target(table: CapturedTable) -> sql.Composed:
    return ident(table.schema, table.table)


def _row_text(columns: Sequence[LogColumn], alias: str, *, logged: bool) -> sql.Composable:
    """``ROW(...)::text`` of row *alias*: of the table (``logged``: as the log holds its
    values) or of the log."""
    parts = [
        c.logged(alias)
        if logged
        else sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(c.name))
        for c in columns
    ]
    return sql.SQL("ROW({})::text").format(sql.SQL(", ").join(parts))


def _differs(
    columns: Sequence[LogColumn], cur: str, logged: str, prefix: str = ""
) -> sql.Composable:
    """Row *cur* of the table is not the image in row *logged* of a log-shaped relation
    (its columns named ``prefix + name``): column by column, with the type's own equality
    where it has one (cheaper than comparing the rows' text)."""
    parts = []
    for c in columns:
        mine = sql.SQL("{}.{}").format(sql.Identifier(logged), sql.Identifier(prefix + c.name))
        if c.comparable and not c.as_text:
            parts.append(sql.SQL("{} IS DISTINCT FROM {}").format(c.logged(cur), mine))
        else:
            theirs = sql.SQL("{}.{}").format(sql.Identifier(cur), sql.Identifier(c.name))
            parts.append(sql.SQL("{}::text IS DISTINCT FROM {}::text").format(theirs, mine))
    return sql.SQL("({})").format(sql.SQL(" OR ").join(parts))


def _column(table: CapturedTable, name: str) -> LogColumn:
    return next(c for c in table.columns if c.name == name)


def _key_match(table: CapturedTable, cur: str, logged: str) -> sql.Composable:
    """Row *cur* of the table has the key of row *logged* of a log-shaped table."""
    return sql.SQL(" AND ").join(
        sql.SQL("{} = {}.{}").format(
            _column(table, k).logged(cur), sql.Identifier(logged), sql.Identifier(k)
        )
        for k in table.key
    )


def _prepare(table: CapturedTable, archive_schema: str, lo: int, hi: int) -> str:
    events = sql.SQL("SELECT * FROM {} WHERE {s} > {} AND {s} <= {}").format(
        ident(archive_schema, table.log), sql.Literal(lo), sql.Literal(hi), s=sql.Identifier(STMT)
    )
    if not table.key:
        net = _whole_rows(table, events)
    elif table.one_statement:
        net = _paired(table, ident(archive_schema, table.log), lo, hi) + _keyed_conflicts(table)
    else:
        net = _keyed(table, events) + _keyed_conflicts(table)
    target = _target(table)
    return _PREPARE.format(
        net=net.as_string(None),
        name=sql.Literal(table.qualified).as_string(None),
        regclass=sql.SQL("{}::regclass")
        .format(sql.Literal(target.as_string(None)))
        .as_string(None),
    )


def _paired(table: CapturedTable, log: sql.Composable, lo: int, hi: int) -> sql.Composed:
    """The net change of one statement's rows: the rows it removed and those it left, joined
    on the key (a hash join, no sort), each with whether the table's row is still as left."""
    keys = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
    others = [c for c in table.columns if c.name not in table.key]
    side = sql.SQL("SELECT * FROM {} WHERE {s} > {} AND {s} <= {} AND {n}{a}").format
    stmt = sql.Identifier(STMT)
    lo_, hi_ = sql.Literal(lo), sql.Literal(hi)
    return sql.SQL(
        """  CREATE TEMP TABLE {net} ON COMMIT DROP AS
  SELECT p.{keys_p}{before}, p.migsafe_was_new,
         CASE WHEN p.migsafe_there THEN cur.{first_key} IS NULL OR {differs}
              ELSE cur.{first_key} IS NOT NULL END AS migsafe_conflict,
         cur.{first_key} IS NOT NULL AS migsafe_present
  FROM (
    SELECT {keys}, o.{stmt} IS NULL AS migsafe_was_new, n.{stmt} IS NOT NULL AS migsafe_there,
           {o_cols}, {n_cols}
    FROM ({old}) o FULL JOIN ({new}) n USING ({keys})) p
  LEFT JOIN {target} cur ON {match};"""
    ).format(
        net=_net(table),
        keys=keys,
        keys_p=sql.SQL(", p.").join(sql.Identifier(k) for k in table.key),
        before=sql.SQL("").join(
            sql.SQL(", p.{} AS {}").format(sql.Identifier("o_" + c.name), sql.Identifier(c.name))
            for c in others
        ),
        first_key=sql.Identifier(table.key[0]),
        differs=_differs(table.columns, "cur", "p", "n_"),
        stmt=stmt,
        o_cols=sql.SQL(", ").join(
            sql.SQL("o.{} AS {}").format(sql.Identifier(c.name), sql.Identifier("o_" + c.name))
            for c in others
        )
        if others
        else sql.SQL("NULL AS migsafe_none"),
        n_cols=sql.SQL(", ").join(
            sql.SQL("n.{} AS {}").format(sql.Identifier(c.name), sql.Identifier("n_" + c.name))
            for c in table.columns
        ),
        old=side(log, lo_, hi_, s=stmt, n=sql.SQL("NOT "), a=sql.Identifier(ADDED)),
        new=side(log, lo_, hi_, s=stmt, n=sql.SQL(""), a=sql.Identifier(ADDED)),
        target=_target(table),
        match=_key_match(table, "cur", "p"),
        key_text=_key_text(table),
    )


def _keyed(table: CapturedTable, events: sql.Composable) -> sql.Composed:
    keys = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
    first_key = sql.Identifier(table.key[0])
    return sql.SQL(
        """  CREATE TEMP TABLE {net} ON COMMIT DROP AS
  WITH ev AS ({events}),
  f AS (SELECT DISTINCT ON ({keys}) * FROM ev ORDER BY {keys}, {stmt}, {added}),
  l AS (SELECT DISTINCT ON ({keys}) {keys}, {added} AS there, {last} AS img FROM ev
        ORDER BY {keys}, {stmt} DESC, {added} DESC)
  SELECT f.*, f.{added} AS migsafe_was_new,
         CASE WHEN l.there THEN cur.{first_key} IS NULL OR {current} IS DISTINCT FROM l.img
              ELSE cur.{first_key} IS NOT NULL END AS migsafe_conflict,
         cur.{first_key} IS NOT NULL AS migsafe_present
  FROM f JOIN l USING ({keys}) LEFT JOIN {target} cur ON {match};"""
    ).format(
        net=_net(table),
        events=events,
        keys=keys,
        stmt=sql.Identifier(STMT),
        added=sql.Identifier(ADDED),
        last=_row_text(table.columns, "ev", logged=False),
        first_key=first_key,
        current=_row_text(table.columns, "cur", logged=True),
        target=_target(table),
        match=_key_match(table, "cur", "f"),
        key_text=_key_text(table),
    )


def _key_text(table: CapturedTable) -> sql.Composable:
    """``id=7`` (``(a=1, b=x)`` for a composite key): how a conflict names a row."""
    pairs = sql.SQL(" || ', ' || ").join(
        sql.SQL("{} || coalesce({}::text, 'NULL')").format(sql.Literal(f"{k}="), sql.Identifier(k))
        for k in table.key
    )
    return sql.SQL("'(' || {} || ')'").format(pairs) if len(table.key) > 1 else pairs


def _keyed_conflicts(table: CapturedTable) -> sql.Composed:
    """Statistics for the net table, then its conflicts counted and the first keys named."""
    keys = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
    return sql.SQL(
        """
  ANALYZE {net};
  SELECT count(*) INTO conflicts FROM {net} WHERE migsafe_conflict;
  SELECT 'keys ' || string_agg(k, ', ') INTO sample FROM (
    SELECT {key_text} AS k FROM {net} WHERE migsafe_conflict ORDER BY {keys} LIMIT 5) s;"""
    ).format(net=_net(table), keys=keys, key_text=_key_text(table))


def _whole_rows(table: CapturedTable, events: sql.Composable) -> sql.Composed:
    image = _row_text(table.columns, "ev", logged=False)
    return sql.SQL(
        """  CREATE TEMP TABLE {net} ON COMMIT DROP AS
  SELECT * FROM (
    SELECT DISTINCT ON ({image}) ev.*, {image} AS migsafe_img,
           sum(CASE WHEN ev.{added} THEN 1 ELSE -1 END) OVER (PARTITION BY {image}) AS migsafe_net,
           false AS migsafe_conflict
    FROM ({events}) ev ORDER BY {image}) s
  WHERE migsafe_net <> 0;
  ANALYZE {net};
  UPDATE {net} n SET migsafe_conflict = true
  WHERE n.migsafe_net > 0
    AND n.migsafe_net > (SELECT count(*) FROM {target} c WHERE {current} = n.migsafe_img);
  SELECT count(*) INTO conflicts FROM {net} WHERE migsafe_conflict;
  -- Without a key there is nothing to name a row by but its values, which may be secret and
  -- would reach the error line and the history: they are not shown.
  sample := 'no primary key: rows matched whole, values not shown';"""
    ).format(
        net=_net(table),
        image=image,
        added=sql.Identifier(ADDED),
        events=events,
        target=_target(table),
        current=_row_text(table.columns, "c", logged=True),
    )


def _written(table: CapturedTable) -> list[LogColumn]:
    return [c for c in table.columns if not c.generated]


def _inserts(table: CapturedTable) -> str:
    columns = _written(table)
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    values = sql.SQL(", ").join(c.typed("n") for c in columns)
    if not table.key:
        stmt = sql.SQL(
            "INSERT INTO {target} ({names}) OVERRIDING SYSTEM VALUE SELECT {values} FROM {net} n "
            "CROSS JOIN LATERAL generate_series(1, -n.migsafe_net) g WHERE n.migsafe_net < 0"
        )
    else:
        stmt = sql.SQL(
            "INSERT INTO {target} ({names}) OVERRIDING SYSTEM VALUE SELECT {values} FROM {net} n "
            "WHERE NOT n.migsafe_was_new AND {chosen} "
            "AND NOT n.migsafe_present"
        )
    return stmt.format(
        target=_target(table),
        names=names,
        values=values,
        net=_net(table),
        chosen=_CHOSEN,
        match=_key_match(table, "cur", "n") if table.key else sql.SQL(""),
    ).as_string(None)


def _updates(table: CapturedTable) -> str | None:
    settable = [c for c in _written(table) if c.name not in table.key and not c.always]
    if not table.key or not settable:
        return None
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c.name), c.typed("n")) for c in settable
    )
    return (
        sql.SQL(
            "UPDATE {target} cur SET {assignments} FROM {net} n "
            "WHERE NOT n.migsafe_was_new AND n.migsafe_present AND {match} AND {chosen}"
        )
        .format(
            target=_target(table),
            assignments=assignments,
            net=_net(table),
            match=_key_match(table, "cur", "n"),
            chosen=_CHOSEN,
        )
        .as_string(None)
    )


def _deletes(table: CapturedTable) -> str:
    if not table.key:
        stmt = sql.SQL(
            "DELETE FROM {target} t USING ("
            "SELECT d.tableoid, d.ctid FROM ("
            "SELECT c.tableoid, c.ctid, n.migsafe_net, "
            "row_number() OVER (PARTITION BY n.migsafe_img) AS rn "
            "FROM {target} c JOIN {net} n ON n.migsafe_net > 0 AND {current} = n.migsafe_img) d "
            "WHERE d.rn <= d.migsafe_net) gone "
            "WHERE t.tableoid = gone.tableoid AND t.ctid = gone.ctid"
        )
    else:
        stmt = sql.SQL(
            "DELETE FROM {target} cur USING {net} n "
            "WHERE n.migsafe_was_new AND n.migsafe_present AND {match} AND {chosen}"
        )
    return stmt.format(
        target=_target(table),
        net=_net(table),
        current=_row_text(table.columns, "c", logged=True),
        match=_key_match(table, "cur", "n") if table.key else sql.SQL(""),
        chosen=_CHOSEN,
    ).as_string(None)
