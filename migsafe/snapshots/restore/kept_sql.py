"""The catalog queries about what ties migsafe's own schemas to the application's objects.

An in-place restore keeps migsafe's schemas (see :mod:`~migsafe.snapshots.kept`) and drops
the application's: these queries find the triggers and foreign keys across that line, which
the plan takes down and puts back, and whatever else would be lost with the drops, which it
refuses. Like :mod:`~migsafe.snapshots.restore.catalog`, they run on the restore's inspection
session (empty ``search_path``: every name the server renders comes back qualified).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from psycopg import sql

from migsafe.snapshots.restore.catalog import Conn, ForeignKey, QualifiedName

__all__ = [
    "Trigger",
    "kept_dependents",
    "kept_foreign_keys",
    "kept_triggers_calling",
    "triggers_calling_kept",
]


@dataclass(frozen=True)
class Trigger:
    """A trigger a restore takes down with its table or function and puts back afterwards."""

    schema: str
    table: str
    name: str
    definition: str  # pg_get_triggerdef(), names qualified
    enabled: str  # pg_trigger.tgenabled: O (origin), D (disabled), R (replica), A (always)
    function: QualifiedName

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


_TRIGGERS = """
SELECT n.nspname, c.relname, g.tgname, pg_catalog.pg_get_triggerdef(g.oid), g.tgenabled::text,
       pn.nspname, p.proname
FROM pg_catalog.pg_trigger g
JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT g.tgisinternal AND {where}
ORDER BY 1, 2, 3
"""


def _triggers(conn: Conn, where: sql.Composable, params: dict[str, object]) -> list[Trigger]:
    rows = conn.execute(sql.SQL(_TRIGGERS).format(where=where), params).fetchall()
    return [Trigger(s, t, g, d, e, (fs, fn)) for s, t, g, d, e, fs, fn in rows]


def triggers_calling_kept(
    conn: Conn,
    keep: Collection[str],
    *,
    schemas: Collection[str] = (),
    tables: Sequence[QualifiedName] = (),
) -> list[Trigger]:
    """Triggers on the tables of *schemas* or on *tables* whose function lives in *keep*.

    The flags notify trigger on the version table is one: the restore drops the table, the
    function stays, and the trigger must be there again afterwards.
    """
    where = sql.SQL(
        "pn.nspname = ANY(%(keep)s::text[]) AND (n.nspname = ANY(%(schemas)s::text[]) "
        "OR (n.nspname, c.relname) IN (SELECT * FROM unnest(%(s)s::text[], %(t)s::text[])))"
    )
    params: dict[str, object] = {
        "keep": list(keep),
        "schemas": list(schemas),
        "s": [s for s, _ in tables],
        "t": [t for _, t in tables],
    }
    return _triggers(conn, where, params)


def kept_triggers_calling(
    conn: Conn, keep: Collection[str], dropped: Collection[str]
) -> list[Trigger]:
    """Triggers on tables in *keep* whose function lives in a *dropped* schema (an archived
    table's own triggers): DROP SCHEMA ... CASCADE would take them along."""
    where = sql.SQL("n.nspname = ANY(%(keep)s::text[]) AND pn.nspname = ANY(%(dropped)s::text[])")
    return _triggers(conn, where, {"keep": list(keep), "dropped": list(dropped)})


def kept_foreign_keys(
    conn: Conn, keep: Collection[str], dropped: Collection[str]
) -> list[ForeignKey]:
    """Foreign keys of tables in *keep* into tables of the *dropped* schemas."""
    rows = conn.execute(
        """SELECT n.nspname, c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid),
               pg_catalog.obj_description(k.oid, 'pg_constraint'), rn.nspname, rc.relname
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
        JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE k.contype = 'f' AND k.conparentid = 0
          AND n.nspname = ANY(%s::text[]) AND rn.nspname = ANY(%s::text[])
        ORDER BY 1, 2, 3""",
        [list(keep), list(dropped)],
    ).fetchall()
    return [ForeignKey(s, t, name, d, cmt, (rs, rt)) for s, t, name, d, cmt, rs, rt in rows]


# Objects in the kept schemas (or attached to their tables) that depend on an object of a
# schema a full restore drops: DROP SCHEMA ... CASCADE would drop them too. Foreign keys and
# triggers are taken down and put back around the restore; anything else (a column of a type
# the restore drops, a default calling its function, a view...) would lose what migsafe keeps.
_KEPT_DEPENDENTS = """
WITH kept AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY(%(keep)s::text[])),
rels AS (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM kept)),
objs(classid, objid) AS (
    SELECT 'pg_catalog.pg_class'::regclass, oid FROM rels
    UNION ALL SELECT 'pg_catalog.pg_type'::regclass, oid FROM pg_catalog.pg_type
        WHERE typnamespace IN (SELECT oid FROM kept)
    UNION ALL SELECT 'pg_catalog.pg_proc'::regclass, oid FROM pg_catalog.pg_proc
        WHERE pronamespace IN (SELECT oid FROM kept)
    UNION ALL SELECT 'pg_catalog.pg_constraint'::regclass, oid FROM pg_catalog.pg_constraint
        WHERE connamespace IN (SELECT oid FROM kept) OR conrelid IN (SELECT oid FROM rels)
    UNION ALL SELECT 'pg_catalog.pg_trigger'::regclass, oid FROM pg_catalog.pg_trigger
        WHERE tgrelid IN (SELECT oid FROM rels)
    UNION ALL SELECT 'pg_catalog.pg_attrdef'::regclass, oid FROM pg_catalog.pg_attrdef
        WHERE adrelid IN (SELECT oid FROM rels)
    UNION ALL SELECT 'pg_catalog.pg_rewrite'::regclass, oid FROM pg_catalog.pg_rewrite
        WHERE ev_class IN (SELECT oid FROM rels)
    UNION ALL SELECT 'pg_catalog.pg_policy'::regclass, oid FROM pg_catalog.pg_policy
        WHERE polrelid IN (SELECT oid FROM rels)
    UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, oid FROM pg_catalog.pg_statistic_ext
        WHERE stxnamespace IN (SELECT oid FROM kept)
)
SELECT DISTINCT
    pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
    pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
FROM pg_catalog.pg_depend d
JOIN objs o ON o.classid = d.classid AND o.objid = d.objid
LEFT JOIN pg_catalog.pg_constraint k
    ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid
LEFT JOIN pg_catalog.pg_trigger g
    ON d.classid = 'pg_catalog.pg_trigger'::regclass AND g.oid = d.objid
CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, 0) r
WHERE d.deptype IN ('n', 'a')
  AND (r.schema = ANY(%(dropped)s::text[])
       OR (d.refclassid = 'pg_catalog.pg_namespace'::regclass
           AND r.identity = ANY(%(dropped)s::text[])))
  -- a trigger calling a function the restore drops is taken down and put back; its other
  -- dependencies (a WHEN clause's function) are not
  AND NOT (d.refclassid = 'pg_catalog.pg_proc'::regclass
           AND d.refobjid IS NOT DISTINCT FROM g.tgfoid)
  AND NOT (k.contype IS NOT DISTINCT FROM 'f')
ORDER BY 1, 2
"""


def kept_dependents(
    conn: Conn, keep: Collection[str], dropped: Collection[str]
) -> list[tuple[str, str]]:
    """(kept object, what it depends on) for what dropping *dropped* would take from *keep*;
    foreign keys, and triggers' calls of their function, aside (:func:`kept_foreign_keys`,
    :func:`kept_triggers_calling`)."""
    rows = conn.execute(_KEPT_DEPENDENTS, {"keep": list(keep), "dropped": list(dropped)}).fetchall()
    return [(dep, ref) for dep, ref in rows]
