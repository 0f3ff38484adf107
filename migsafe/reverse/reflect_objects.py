"""Indexes, constraints and types from the catalogs, as the exact DDL that re-creates them.

Definitions come from ``pg_get_indexdef``/``pg_get_constraintdef``: they carry everything
(uniqueness, method, INCLUDE, WHERE, opclasses, collations, ON DELETE/UPDATE, DEFERRABLE,
NOT VALID) that rebuilding from SQLAlchemy's reflection would have to re-assemble by hand.
Call these under :func:`migsafe.reverse.reflect.pinned_search_path`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from migsafe.reverse.reflect import Relation

_COLUMN_DEP = """d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refobjid = :oid AND d.refobjsubid = :attnum AND d.deptype = 'a'"""

_INDEX_COLUMNS = """SELECT i.relname, pg_catalog.pg_get_indexdef(i.oid),
        pg_catalog.obj_description(i.oid, 'pg_class'), x.indisclustered,
        x.indrelid::pg_catalog.regclass::text, x.indexprs IS NOT NULL OR x.indpred IS NOT NULL
    FROM pg_catalog.pg_class i JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid"""

# Indexes that carry a constraint come back with the constraint, not on their own.
_NOT_CONSTRAINT_INDEX = """NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
    WHERE con.conindid = i.oid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))"""

_INDEXES_ON_COLUMN = sa.text(
    f"""{_INDEX_COLUMNS}
    WHERE i.oid IN (SELECT d.objid FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND {_COLUMN_DEP})
      AND {_NOT_CONSTRAINT_INDEX}
    ORDER BY i.relname"""
)

_INDEX_BY_OID = sa.text(
    f"""{_INDEX_COLUMNS}
    WHERE i.oid = :oid AND {_NOT_CONSTRAINT_INDEX}"""
)

_CONSTRAINT_COLUMNS = """SELECT con.conname, con.contype::text,
        pg_catalog.pg_get_constraintdef(con.oid),
        pg_catalog.obj_description(con.oid, 'pg_constraint'),
        CASE WHEN con.contype IN ('p', 'u', 'x')
            THEN pg_catalog.obj_description(con.conindid, 'pg_class') END
    FROM pg_catalog.pg_constraint con"""

_CONSTRAINTS_ON_COLUMN = sa.text(
    f"""{_CONSTRAINT_COLUMNS}
    WHERE con.conrelid = :oid AND con.oid IN (SELECT d.objid FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND {_COLUMN_DEP})
    ORDER BY con.conname"""
)

_CONSTRAINT_BY_NAME = sa.text(
    f"{_CONSTRAINT_COLUMNS} WHERE con.conrelid = :oid AND con.conname = :name"
)

_TABLE_CONSTRAINTS = sa.text(f"{_CONSTRAINT_COLUMNS} WHERE con.conrelid = :oid")

_STATISTICS_ON_COLUMN = sa.text(
    f"""SELECT count(*) FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND {_COLUMN_DEP}"""
)

_ENUM = sa.text(
    """SELECT n.nspname, t.typname, t.typtype::text,
        ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
              WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
        pg_catalog.obj_description(t.oid, 'pg_type')
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.oid = pg_catalog.to_regtype(:name)"""
)

# Creation order: what others may reference (keys) first, foreign keys last.
_CONSTRAINT_ORDER = {"p": 0, "u": 1, "x": 2, "c": 3, "f": 4, "t": 5}


@dataclass(frozen=True)
class IndexDef:
    name: str
    definition: str  # CREATE [UNIQUE] INDEX ... (pg_get_indexdef)
    comment: str | None
    clustered: bool
    table_sql: str  # the indexed table, qualified and quoted (regclass text)
    expressions: bool = False  # has expressions or a WHERE clause (re-parsed by a type change)
    constraint: str | None = None  # when the index carries a constraint (then not rebuilt alone)


@dataclass(frozen=True)
class ConstraintDef:
    name: str
    kind: str  # pg_constraint.contype: p u f c x t
    definition: str  # pg_get_constraintdef
    comment: str | None
    index_comment: str | None


@dataclass(frozen=True)
class TypeDef:
    schema: str
    name: str
    kind: str  # pg_type.typtype: 'e' enum, 'd' domain, ...
    labels: tuple[str, ...]
    comment: str | None


def indexes_on_column(conn: sa.Connection, table: Relation, attnum: int) -> list[IndexDef]:
    """Plain indexes that use the column (in keys, expressions or WHERE): a DROP COLUMN drops
    them silently."""
    rows = conn.execute(_INDEXES_ON_COLUMN, {"oid": table.oid, "attnum": attnum})
    return [IndexDef(r[0], r[1], r[2], bool(r[3]), r[4], bool(r[5])) for r in rows]


def constraints_on_column(conn: sa.Connection, table: Relation, attnum: int) -> list[ConstraintDef]:
    """The table's constraints that use the column, which a DROP COLUMN drops with it."""
    rows = conn.execute(_CONSTRAINTS_ON_COLUMN, {"oid": table.oid, "attnum": attnum})
    found = [ConstraintDef(*r) for r in rows]
    return sorted(found, key=lambda c: (_CONSTRAINT_ORDER.get(c.kind, 9), c.name))


def statistics_on_column(conn: sa.Connection, table: Relation, attnum: int) -> int:
    """How many extended statistics objects use the column (dropped with it, not rebuilt)."""
    found = conn.execute(_STATISTICS_ON_COLUMN, {"oid": table.oid, "attnum": attnum})
    return int(found.scalar_one())


def index(conn: sa.Connection, index_rel: Relation) -> IndexDef | None:
    """An index's definition; ``constraint`` is set when it carries a constraint instead."""
    row = conn.execute(_INDEX_BY_OID, {"oid": index_rel.oid}).first()
    if row is not None:
        return IndexDef(row[0], row[1], row[2], bool(row[3]), row[4], bool(row[5]))
    owner = conn.execute(
        sa.text(
            "SELECT conname FROM pg_catalog.pg_constraint "
            "WHERE conindid = :oid AND contype IN ('p', 'u', 'x') LIMIT 1"
        ),
        {"oid": index_rel.oid},
    ).scalar()
    return IndexDef(index_rel.name, "", None, False, "", constraint=owner or "?")


def constraint(conn: sa.Connection, table: Relation, name: str) -> ConstraintDef | None:
    row = conn.execute(_CONSTRAINT_BY_NAME, {"oid": table.oid, "name": name}).first()
    return None if row is None else ConstraintDef(*row)


def table_constraints(conn: sa.Connection, table: Relation) -> list[ConstraintDef]:
    """All of the table's constraints (call under ``pinned_search_path`` for the text)."""
    rows = conn.execute(_TABLE_CONSTRAINTS, {"oid": table.oid})
    found = [ConstraintDef(*r) for r in rows]
    return sorted(found, key=lambda c: (_CONSTRAINT_ORDER.get(c.kind, 9), c.name))


def user_type(conn: sa.Connection, qualified: str) -> TypeDef | None:
    """A type by (possibly qualified, quoted) name, resolved like the server would."""
    row = conn.execute(_ENUM, {"name": qualified}).first()
    if row is None:
        return None
    return TypeDef(row[0], row[1], row[2], tuple(row[3] or ()), row[4])


_TABLE_INDEXES = sa.text(
    """SELECT i.relname FROM pg_catalog.pg_index x
    JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = :oid ORDER BY i.relname"""
)

_TABLE_SEQUENCES = sa.text(
    """SELECT DISTINCT c.relname FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'S'
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refobjid = :oid AND d.deptype IN ('a', 'i')
    ORDER BY c.relname"""
)

_TABLE_FOREIGN_KEYS = sa.text(
    """SELECT conname, pg_catalog.pg_get_constraintdef(oid),
        pg_catalog.obj_description(oid, 'pg_constraint')
    FROM pg_catalog.pg_constraint WHERE conrelid = :oid AND contype = 'f' ORDER BY conname"""
)

# What makes a plain DROP TABLE fail, or act beyond the table: moving it would not be the same.
_TABLE_BLOCKERS = sa.text(
    """SELECT 'it is referenced by foreign key ' || pg_catalog.quote_ident(con.conname)
        || ' of ' || con.conrelid::pg_catalog.regclass::text
    FROM pg_catalog.pg_constraint con WHERE con.confrelid = :oid AND con.conrelid <> :oid
    UNION ALL
    SELECT DISTINCT 'view ' || r.ev_class::pg_catalog.regclass::text || ' depends on it'
    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
    WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refobjid = :oid
      AND r.ev_class <> :oid
    UNION ALL
    SELECT 'it has inheritance children or partitions'
    WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhparent = :oid)
    UNION ALL
    SELECT 'it is a partition' FROM pg_catalog.pg_class WHERE oid = :oid AND relispartition"""
)


@dataclass(frozen=True)
class TableFacts:
    """What moving a table into the archive has to take along, or cannot."""

    indexes: tuple[str, ...]
    sequences: tuple[str, ...]  # owned by its columns (serial or identity): they move with it
    foreign_keys: tuple[tuple[str, str, str | None], ...]  # outgoing: (name, definition, comment)
    blockers: tuple[str, ...]


def table_facts(conn: sa.Connection, table: Relation) -> TableFacts:
    params = {"oid": table.oid}
    return TableFacts(
        indexes=tuple(r[0] for r in conn.execute(_TABLE_INDEXES, params)),
        sequences=tuple(r[0] for r in conn.execute(_TABLE_SEQUENCES, params)),
        foreign_keys=tuple((r[0], r[1], r[2]) for r in conn.execute(_TABLE_FOREIGN_KEYS, params)),
        blockers=tuple(r[0] for r in conn.execute(_TABLE_BLOCKERS, params)),
    )
