"""The reverse of one segment's row changes on SQLite: plain SQL statements, no procedure.

As on PostgreSQL (``reverse/rows/restore.py``): per row, the first image the segment's log holds
(what it was before; none if the segment inserted it) is put back, and the last (what the
segment left) says whether the row is still as left. Rows are told apart by the declared
primary key; a table without one is a multiset of whole rows. The statements, for all the
segment's tables together: each table's net change into a TEMP table, with a conflict flag;
one conflict check per table (a ``SELECT`` marked :data:`CONFLICTS`, whose value is the
message or NULL: the revert reads it and refuses, see ``revert/run.py``); the tables' own
triggers dropped (SQLite cannot switch them off), the inserted rows deleted (children first),
the updated rows updated back, the deleted rows inserted again (parents first); the triggers
created again as they were. A revert runs with ``foreign_keys`` off, so it is unique keys
that order them: what the segment added goes first, freeing the values the old rows held.

The revert's ``--on-conflict`` reaches the statements through ``temp.migsafe_rows_mode``:
``refuse`` (the default: the check stops the revert), ``keep-current`` (rows changed since
are left as they are) or ``restore`` (the before-images are put back anyway). Rows the
application inserted since are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migsafe.reverse.sqlite._sql import literal, q
from migsafe.reverse.sqlite.rows.log import ADDED, SEGMENT, SEQ, Logged

#: The first words of the check statement whose value is a conflict's message.
CONFLICTS = "SELECT /* migsafe:row-conflicts */"
MODE_TABLE = "migsafe_rows_mode"

_MODE = f"coalesce((SELECT mode FROM temp.{MODE_TABLE} LIMIT 1), 'refuse')"
_CHOSEN = f"(NOT n.migsafe_conflict OR {_MODE} = 'restore')"


def sqlite_rows_mode(conn: sa.Connection, on_conflict: str) -> None:
    """Tell the restores of this connection what ``--on-conflict`` says."""
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {MODE_TABLE} (mode TEXT)")
    conn.exec_driver_sql(f"DELETE FROM temp.{MODE_TABLE}")
    conn.exec_driver_sql(f"INSERT INTO temp.{MODE_TABLE} (mode) VALUES (?)", (on_conflict,))


def restore_segment(
    tables: Sequence[Logged], triggers: Sequence[tuple[str, str]], segment: int
) -> list[str]:
    """The statements that put *tables* (parents first) back as they were before *segment*;
    *triggers*: (name, sql) of the main database's triggers on those tables."""
    nets = {t.log: f"migsafe_rows_net_{i}" for i, t in enumerate(tables)}
    out = [f"CREATE TEMP TABLE IF NOT EXISTS {MODE_TABLE} (mode TEXT)"]
    for t in tables:
        out += _net(t, nets[t.log], segment)
    out += [_check(t, nets[t.log]) for t in tables]
    out += [f"DROP TRIGGER main.{q(name)}" for name, _ in triggers]
    # A revert runs with foreign_keys off (revert/run.py), so only unique keys order these:
    # what the segment added goes first, freeing the values the rows put back held.
    out += [_deletes(t, nets[t.log]) for t in reversed(tables)]
    out += [u for t in tables if (u := _updates(t, nets[t.log])) is not None]
    out += [_inserts(t, nets[t.log]) for t in tables]
    out += [sql for _, sql in triggers]
    out += [f"DROP TABLE temp.{q(nets[t.log])}" for t in tables]
    return out


def _cols(t: Logged, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + q(c.name) for c in t.columns)


def _same(t: Logged, a: str, b: str, names: Sequence[str] | None = None) -> str:
    """Row *a* holds the same values as row *b* (NULLs equal, text compared as bytes); the
    key compared with ``=`` (never NULL here: see ``null_keys``), so that its index serves."""
    names = [c.name for c in t.columns] if names is None else names
    parts = [
        f"{a}.{q(n)} = {b}.{q(n)}" if n in t.key else f"{a}.{q(n)} IS {b}.{q(n)} COLLATE BINARY"
        for n in names
    ]
    return " AND ".join(parts) or "1"


def _events(t: Logged, segment: int) -> str:
    return f"SELECT * FROM main.{q(t.log)} WHERE {q(SEGMENT)} = {int(segment)}"


def _image(t: Logged, alias: str) -> str:
    """Row *alias* as one text, to find equal rows by an index (then compared exactly)."""
    return " || ',' || ".join(f"quote({alias}.{q(c.name)})" for c in t.columns) or "''"


def _net(t: Logged, net: str, segment: int) -> list[str]:
    """The net change per row, each statement a scan or index lookups: never a nested scan
    (a segment may hold every row of a big table)."""
    target = f"main.{q(t.table)}"
    log = f"main.{q(t.log)}"
    if not t.key:
        return [
            f"CREATE TEMP TABLE {q(net)} AS SELECT {_cols(t, 'ev')}, {_image(t, 'ev')} AS "
            f"migsafe_img, sum(CASE WHEN ev.{q(ADDED)} THEN 1 ELSE -1 END) AS migsafe_net, "
            f"sum(CASE WHEN ev.{q(ADDED)} THEN 1 ELSE -1 END) > 0 AS migsafe_conflict "
            f"FROM ({_events(t, segment)}) AS ev "
            "GROUP BY migsafe_img HAVING migsafe_net <> 0",
            f"CREATE INDEX temp.{q(net + '_img')} ON {q(net)} (migsafe_img)",
            # Rows still there as many times as the segment left them are no conflict.
            f"UPDATE temp.{q(net)} AS n SET migsafe_conflict = 0 FROM (SELECT m.rowid AS id, "
            f"count(*) AS now FROM {target} AS c JOIN temp.{q(net)} AS m "
            f"ON m.migsafe_img = {_image(t, 'c')} AND {_same(t, 'c', 'm')} "
            "WHERE m.migsafe_net > 0 GROUP BY m.rowid) AS k "
            "WHERE n.rowid = k.id AND k.now >= n.migsafe_net",
        ]
    keys = ", ".join(q(k) for k in t.key)
    return [
        f"CREATE TEMP TABLE {q(net)} AS WITH b AS (SELECT min({q(SEQ)}) AS fs, "
        f"max({q(SEQ)}) AS ls FROM ({_events(t, segment)}) GROUP BY {keys}) "
        f"SELECT {_cols(t, 'f')}, f.{q(ADDED)} AS migsafe_was_new, "
        f"CASE WHEN l.{q(ADDED)} "
        f"THEN NOT EXISTS (SELECT 1 FROM {target} AS c WHERE {_same(t, 'c', 'l')}) "
        f"ELSE EXISTS (SELECT 1 FROM {target} AS c WHERE {_same(t, 'c', 'l', t.key)}) "
        "END AS migsafe_conflict "
        f"FROM b JOIN {log} AS f ON f.{q(SEQ)} = b.fs JOIN {log} AS l ON l.{q(SEQ)} = b.ls"
    ]


def _check(t: Logged, net: str) -> str:
    """NULL, or ``3 row(s) of acct changed since the upgrade (keys id=2, id=3)``."""
    if t.key:
        pairs = " || ', ' || ".join(
            f"{literal(k + '=')} || coalesce(CAST({q(k)} AS TEXT), 'NULL')" for k in t.key
        )
        one = f"'(' || {pairs} || ')'" if len(t.key) > 1 else pairs
        sample = (
            f"SELECT 'keys ' || group_concat(k, ', ') FROM (SELECT {one} AS k "
            f"FROM temp.{q(net)} WHERE migsafe_conflict ORDER BY {', '.join(q(k) for k in t.key)}"
            " LIMIT 5)"
        )
    else:
        # Without a key only a row's values name it; they may be secret and would reach the
        # error line and the history, so they are not shown.
        sample = "SELECT 'no primary key: rows matched whole, values not shown'"
    return (
        f"{CONFLICTS} CASE WHEN count(*) > 0 THEN count(*) || ' row(s) of ' || "
        f"{literal(t.table)} || ' changed since the upgrade (' || ({sample}) || ')' END "
        f"FROM temp.{q(net)} WHERE migsafe_conflict"
    )


def _written(t: Logged) -> list[str]:
    return [c.name for c in t.columns if not c.generated]


def _inserts(t: Logged, net: str) -> str:
    target = f"main.{q(t.table)}"
    names = ", ".join(q(n) for n in _written(t))
    values = ", ".join(f"n.{q(n)}" for n in _written(t))
    if not t.key:
        return (
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < "
            f"(SELECT max(-migsafe_net) FROM temp.{q(net)})) "
            f"INSERT INTO {target} ({names}) SELECT {values} FROM temp.{q(net)} AS n "
            "JOIN g ON g.i <= -n.migsafe_net WHERE n.migsafe_net < 0"
        )
    return (
        f"INSERT INTO {target} ({names}) SELECT {values} FROM temp.{q(net)} AS n "
        f"WHERE NOT n.migsafe_was_new AND {_CHOSEN} "
        f"AND NOT EXISTS (SELECT 1 FROM {target} AS c WHERE {_same(t, 'c', 'n', t.key)})"
    )


def _updates(t: Logged, net: str) -> str | None:
    settable = [n for n in _written(t) if n not in t.key]
    if not t.key or not settable:
        return None
    return (
        f"UPDATE main.{q(t.table)} AS c SET ({', '.join(q(n) for n in settable)}) = "
        f"({', '.join(f'n.{q(s)}' for s in settable)}) FROM temp.{q(net)} AS n "
        f"WHERE NOT n.migsafe_was_new AND {_same(t, 'c', 'n', t.key)} AND {_CHOSEN}"
    )


def _deletes(t: Logged, net: str) -> str:
    target = f"main.{q(t.table)}"
    if not t.key:
        # Equal rows cannot be told apart: as many as the segment added go, whichever.
        return (
            f"DELETE FROM {target} WHERE rowid IN (SELECT rid FROM (SELECT c.rowid AS rid, "
            "n.migsafe_net AS want, row_number() OVER (PARTITION BY n.rowid ORDER BY c.rowid) "
            f"AS rn FROM {target} AS c JOIN temp.{q(net)} AS n "
            f"ON n.migsafe_img = {_image(t, 'c')} AND {_same(t, 'c', 'n')} "
            f"WHERE n.migsafe_net > 0 AND {_CHOSEN}) WHERE rn <= want)"
        )
    # IN, not a correlated EXISTS: the net's columns have no affinity, so an index on them
    # could not serve a comparison with the table's typed key.
    keys = ", ".join(q(k) for k in t.key)
    wanted = ", ".join(f"n.{q(k)}" for k in t.key)
    return (
        f"DELETE FROM {target} WHERE ({keys}) IN (SELECT {wanted} FROM temp.{q(net)} AS n "
        f"WHERE n.migsafe_was_new AND {_CHOSEN})"
    )
