"""migsafe's own tables, versioned: an ordered list of steps and a table that records them.

migsafe keeps its history, journal and stored reverses in tables of its own (in its schema on
PostgreSQL, beside the application's tables on SQLite). Their shape grows with migsafe, so they
are migrated the way migsafe asks its users to migrate theirs: each change is a numbered
:class:`Step`, ``migsafe_schema_version`` has one row per step applied, and :func:`ensure` brings
a database from whatever version it is at to :data:`LATEST`, in one transaction.

A database migsafe set up before this table existed is at one of the earlier shapes (the steps
below, in the order they were released); :func:`ensure` finds which steps it already holds by
looking for what each one creates, records them, and applies the rest. A database at a version
newer than this migsafe knows is refused: an older migsafe must not write rows into tables whose
meaning it does not know.

A new column or table is one more step at the end of :data:`STEPS` (and in the table's
definition in ``engine/history.py`` / ``reverse/store.py``); ``tests/engine/test_own_schema.py``
upgrades every earlier shape to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from migsafe import __version__
from migsafe.errors import OwnSchemaTooNew

VERSION_TABLE = "migsafe_schema_version"


@dataclass(frozen=True)
class Step:
    """One change to migsafe's tables: tables it creates, or (table, column) pairs it adds."""

    version: int
    description: str
    creates: tuple[str, ...] = ()
    adds: tuple[tuple[str, str], ...] = ()


#: Every shape migsafe's tables have had, oldest first. Never edit a released step: add one.
STEPS: tuple[Step, ...] = (
    Step(1, "run history and journal", creates=("migsafe_history", "migsafe_journal")),
    Step(2, "history: the snapshot a run took", adds=(("migsafe_history", "snapshot_id"),)),
    Step(3, "history: the operations each revision ran", adds=(("migsafe_history", "operations"),)),
    Step(4, "stored reverse scripts", creates=("migsafe_reverse",)),
    Step(
        5,
        "reverse: the schema description behind schema_before",
        adds=(("migsafe_reverse", "schema_before_doc"),),
    ),
)

LATEST = STEPS[-1].version


@lru_cache(maxsize=8)
def version_table(schema: str | None) -> sa.Table:
    return sa.Table(
        VERSION_TABLE,
        sa.MetaData(schema=schema),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("migsafe_version", sa.String(32), nullable=False),
    )


def later_columns(table: str) -> set[str]:
    """The columns of ``table`` that steps after its creation add."""
    return {column for step in STEPS for t, column in step.adds if t == table}


def ensure(conn: sa.Connection, tables: dict[str, sa.Table], schema: str | None) -> int:
    """Bring migsafe's tables to :data:`LATEST`; returns the version they were at (0: none).

    ``tables`` maps each table name the steps use to its current definition. Runs in one
    transaction on ``conn`` (an autocommit connection: the steps commit together).
    """
    current = _recorded_version(conn, schema)
    if current == LATEST:
        return current
    if current is not None and current > LATEST:
        raise OwnSchemaTooNew(
            f"migsafe's tables in this database are at version {current}, newer than this "
            f"migsafe ({__version__}) knows ({LATEST})",
            hint="upgrade migsafe to the version that last ran on this database",
        )
    with _transaction(conn):
        return _migrate(conn, tables, schema)


def _migrate(conn: sa.Connection, tables: dict[str, sa.Table], schema: str | None) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('migsafe_own_schema'))"))
        if schema:
            conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    versions = version_table(schema)
    versions.create(conn, checkfirst=True)
    recorded = conn.execute(sa.select(sa.func.max(versions.c.version))).scalar() or 0
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names(schema=schema))
    if recorded == 0 and not existing & set(tables):
        # A new database: every table at its current shape, each step recorded as done.
        for table in tables.values():
            table.create(conn)
        _record(conn, versions, STEPS, "")
        return 0
    found = _held_before_versioning(inspector, existing, schema) if recorded == 0 else recorded
    pending = [step for step in STEPS if step.version > recorded]
    _record(
        conn,
        versions,
        [s for s in pending if s.version <= found],
        " (found: set up before versions were kept)",
    )
    for step in pending:
        if step.version > found:
            _apply(conn, step, tables, existing, schema)
            _record(conn, versions, [step], "")
    return recorded


def _record(
    conn: sa.Connection, versions: sa.Table, steps: list[Step] | tuple[Step, ...], note: str
) -> None:
    for step in steps:
        conn.execute(
            versions.insert().values(
                version=step.version,
                description=step.description + note,
                applied_at=sa.func.current_timestamp(),
                migsafe_version=__version__,
            )
        )


def _held_before_versioning(inspector: sa.Inspector, existing: set[str], schema: str | None) -> int:
    """The last of the leading steps whose tables and columns are all there."""
    held = 0
    for step in STEPS:
        if not all(name in existing for name in step.creates):
            break
        if not all(
            table in existing and column in _columns(inspector, table, schema)
            for table, column in step.adds
        ):
            break
        held = step.version
    return held


def _apply(
    conn: sa.Connection,
    step: Step,
    tables: dict[str, sa.Table],
    existing: set[str],
    schema: str | None,
) -> None:
    """Create a step's tables at their shape of that step; add its columns."""
    for name in step.creates:
        if name in existing:
            continue
        table = tables[name]
        later = later_columns(name)
        shape = sa.Table(
            name,
            sa.MetaData(schema=schema),
            *(c._copy() for c in table.columns if c.name not in later),
        )
        for index in table.indexes:
            sa.Index(index.name, *(shape.c[c.name] for c in index.columns), unique=index.unique)
        shape.create(conn)
        existing.add(name)
    prep = conn.dialect.identifier_preparer
    for name, column_name in step.adds:
        if column_name in _columns(sa.inspect(conn), name, schema):
            continue
        column = tables[name].c[column_name]
        conn.exec_driver_sql(
            f"ALTER TABLE {prep.format_table(tables[name])} ADD COLUMN {prep.quote(column.name)} "
            f"{column.type.compile(dialect=conn.dialect)}"
        )


def _columns(inspector: sa.Inspector, table: str, schema: str | None) -> set[str]:
    return {c["name"] for c in inspector.get_columns(table, schema=schema)}


def _recorded_version(conn: sa.Connection, schema: str | None) -> int | None:
    """The newest step recorded, or None when there is no version table (yet)."""
    if conn.dialect.name == "postgresql":
        prep = conn.dialect.identifier_preparer
        qualified = f"{prep.quote_schema(schema or 'public')}.{prep.quote(VERSION_TABLE)}"
        present = conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": qualified})
        if not present.scalar():
            return None
    elif not sa.inspect(conn).has_table(VERSION_TABLE, schema=schema):
        return None
    versions = version_table(schema)
    return int(conn.execute(sa.select(sa.func.max(versions.c.version))).scalar() or 0)


@contextmanager
def _transaction(conn: sa.Connection) -> Iterator[None]:
    """One transaction on an autocommit connection: the steps commit together or not at all."""
    conn.exec_driver_sql("BEGIN")
    try:
        yield
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")
