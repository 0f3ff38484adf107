"""The live-catalog callbacks' SQL, run on the session's auxiliary connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from migsafe.snapshots.kept import FLAGS_NOTIFY_FUNCTION
from migsafe.snapshots.tables.names import _split


class _Catalog:
    """The callbacks' answers, read on the session's auxiliary connection.

    *flags_schema* is where ``flags init`` puts the notify trigger's function: a trigger
    calling exactly that function is migsafe's own and writes nothing.
    """

    def __init__(self, conn: Any, *, flags_schema: str | None = None) -> None:
        self.conn = conn
        self.flags_schema = flags_schema

    def _strings(self, query: str, tables: Sequence[str]) -> list[str]:
        import sqlalchemy as sa

        names = [_split(t) for t in tables]
        params = {
            "schemas": [s for s, _ in names],
            "names": [n for _, n in names],
            "flags_schema": self.flags_schema,
            "flags_function": FLAGS_NOTIFY_FUNCTION,
        }
        return [str(v) for v in self.conn.execute(sa.text(query), params).scalars()]

    def current_schema(self) -> str:
        return self._strings("SELECT COALESCE(current_schema(), 'public')", [])[0]

    def existing(self, name: str) -> bool:
        return bool(self._strings(_TARGETS + " LIMIT 1", [name]))

    def owner(self, name: str) -> str | None:
        return next(iter(self._strings(_OWNER_SQL, [name])), None)

    def referencing(self, tables: Sequence[str]) -> list[str]:
        return self._strings(_REFERENCING_SQL, tables)

    def dependents(self, tables: Sequence[str]) -> list[str]:
        return sorted(self._strings(_DEPENDENTS_SQL, tables))


# The relations named by the :schemas/:names arrays, as they are spelled (no quoting rules).
_TARGETS = """
    SELECT c.oid, c.reltype
    FROM unnest(CAST(:schemas AS text[]), CAST(:names AS text[])) AS x(nspname, relname)
    JOIN pg_namespace n ON n.nspname = x.nspname
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.relname
"""
# The table of an index, or of a sequence owned by a column (SERIAL 'a', identity 'i').
_OWNER_SQL = f"""
WITH t AS ({_TARGETS})
SELECT n.nspname || '.' || r.relname
FROM t JOIN pg_class c ON c.oid = t.oid
JOIN pg_class r ON r.oid = CASE
    WHEN c.relkind IN ('i', 'I') THEN (SELECT indrelid FROM pg_index WHERE indexrelid = c.oid)
    WHEN c.relkind = 'S' THEN (
        SELECT d.refobjid FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1)
    END
JOIN pg_namespace n ON n.oid = r.relnamespace
"""
_REFERENCING_SQL = f"""
WITH t AS ({_TARGETS})
SELECT DISTINCT n.nspname || '.' || c.relname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype = 'f' AND k.confrelid IN (SELECT oid FROM t)
  AND k.conrelid NOT IN (SELECT oid FROM t)
"""
# What a table-level restore (drop the tables, restore them from the dump) would drop for
# good, or what would write outside the dumped tables meanwhile.
_DEPENDENTS_SQL = f"""
WITH t AS ({_TARGETS}),
dep AS (
    SELECT d.classid, d.objid, d.objsubid, d.refobjid FROM pg_depend d
    WHERE d.deptype = 'n' AND (
        (d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM t))
        OR (d.refclassid = 'pg_type'::regclass AND d.refobjid IN (SELECT reltype FROM t)))
)
SELECT format('%s depends on it', CASE
    WHEN d.classid = 'pg_rewrite'::regclass THEN (
        SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
               ELSE format('rule %I on ', r.rulename) END || c.oid::regclass::text
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
    ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END)
FROM dep d
WHERE COALESCE(CASE d.classid
    WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
    WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
    WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
    WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
    WHEN 'pg_policy'::regclass THEN (SELECT polrelid FROM pg_policy WHERE oid = d.objid)
    WHEN 'pg_class'::regclass THEN
        COALESCE((SELECT indrelid FROM pg_index WHERE indexrelid = d.objid), d.objid)
    END, 0) NOT IN (SELECT oid FROM t)
  AND NOT (d.classid = 'pg_class'::regclass
           AND (d.objid, d.refobjid) IN (SELECT inhrelid, inhparent FROM pg_inherits))
UNION
SELECT format('trigger %I on %s runs code that may write other tables',
              g.tgname, g.tgrelid::regclass)
FROM pg_trigger g WHERE NOT g.tgisinternal AND g.tgrelid IN (SELECT oid FROM t)
  -- migsafe's flags notify trigger, known by its function (only pg_notify), not by a name
  AND g.tgfoid IS DISTINCT FROM (
      SELECT to_regprocedure(format('%I.%I()', f.s, f.n))
      FROM (SELECT CAST(:flags_schema AS text) AS s, CAST(:flags_function AS text) AS n) f
      WHERE f.s IS NOT NULL)
UNION
SELECT format('%s is a partition or child of %s', i.inhrelid::regclass, i.inhparent::regclass)
FROM pg_inherits i WHERE i.inhparent IN (SELECT oid FROM t) OR i.inhrelid IN (SELECT oid FROM t)
UNION
SELECT format('publication %I lists %s', p.pubname, r.prrelid::regclass)
FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
WHERE r.prrelid IN (SELECT oid FROM t)
UNION
SELECT format('event trigger %I runs code on DDL', e.evtname)
FROM pg_event_trigger e WHERE e.evtenabled <> 'D'
"""
