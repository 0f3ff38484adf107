"""Which tables to watch for a statement, and in which order a segment's tables are restored.

:func:`targets` starts from the tables a statement names (:mod:`~migsafe.reverse.rows.writes`)
and adds what they set off: the tables foreign keys with an ``ON DELETE``/``ON UPDATE`` action
cascade into. Where the SQL does not show what it writes (a volatile function of the
application's, a target with triggers or rules of its own, a ``DO`` block), every table the
migration's role may put a trigger on is watched. :func:`parents_first` orders a segment's
tables by their foreign keys for the restore.
"""

from __future__ import annotations

import graphlib
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from psycopg import sql

from migsafe.reverse.rows.writes import Writes

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

# Every table of the application: what a statement that may write anywhere is watched on
# (those the migration's role may put a trigger on: it could not write to the others either,
# unless a SECURITY DEFINER function does, which the caveat covers).
_ALL_TABLES = """
SELECT c.oid FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND pg_catalog.has_table_privilege(c.oid, 'TRIGGER')
  AND n.nspname <> ALL(CAST(:skip AS text[]))
  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
"""


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
