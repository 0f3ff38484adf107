"""A seeded SQLite file, and the round trip every SQLite reverse must survive.

The seed has what makes SQLite reverses hard: NULLs, unicode, a 200 kB text, JSON text,
blobs with NUL bytes, an integer too big for a double, text that looks like a number, an
AUTOINCREMENT table, stored and virtual generated columns, a COLLATE, named and unnamed CHECK/UNIQUE
constraints, foreign keys with actions, partial and expression indexes, a trigger, a view,
a WITHOUT ROWID table and a table without a primary key (rowids with gaps).

The reverse is run in its stored form: ``render_sql(..., "sqlite")``, each statement
executed as text, as ``migsafe revert`` would from an older release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

from migsafe.engine.connection import create_engine
from migsafe.engine.fingerprint import (
    Fingerprint,
    diff_descriptions,
    fingerprint,
    schema_description,
)
from migsafe.reverse import Reverse, render_sql, reverse_script
from migsafe.reverse.apply import apply_reversibly
from migsafe.reverse.sqlite.archive import archive_tables

SEED = r"""
CREATE TABLE owners (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER REFERENCES owners (id) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT 'untitled',
    body TEXT,
    price NUMERIC(12, 4) DEFAULT 0,
    doc JSON,
    data BLOB,
    code VARCHAR(20) COLLATE NOCASE,
    "rank" INTEGER NOT NULL DEFAULT 0,
    ratio REAL,
    updated_at TEXT,
    CONSTRAINT items_price_nonneg CHECK (price >= 0),
    UNIQUE (code)
);
CREATE INDEX items_title_lower ON items (lower(title)) WHERE body IS NOT NULL;
CREATE INDEX items_owner ON items (owner_id, price DESC);
CREATE TRIGGER items_touch AFTER UPDATE OF title ON items
BEGIN UPDATE items SET updated_at = 'touched' WHERE id = NEW.id; END;
CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items (id), txt TEXT);
CREATE TABLE tags (
    item_id INTEGER NOT NULL, tag TEXT NOT NULL, weight REAL CHECK (weight > 0),
    PRIMARY KEY (item_id, tag)
) WITHOUT ROWID;
CREATE TABLE events (at TEXT, payload TEXT);
CREATE TABLE docs (
    id INTEGER PRIMARY KEY, body TEXT, extra BLOB,
    size INTEGER GENERATED ALWAYS AS (length(body)) STORED,
    head TEXT GENERATED ALWAYS AS (substr(body, 1, 3)) VIRTUAL
);
CREATE VIEW item_titles AS SELECT id, title FROM items;
"""

LONG_TEXT = "ünïcödé " * 25_000  # 200 kB

ITEM_ROWS: list[dict[str, Any]] = [
    {
        "id": i,
        "owner_id": (i % 3) + 1 if i % 4 else None,
        "title": ["plain", "naïve café 🚀", "日本語のタイトル", "quote ' and \" and \\"][i % 4],
        "body": None if i % 5 == 0 else (LONG_TEXT if i == 7 else f"body {i} ∑"),
        "price": [None, 0, 12.3456, 1.5, 99999999.9999][i % 5],
        "doc": None if i % 7 == 0 else f'{{"k": {i}, "nested": {{"x": [1, null, "ä"]}}}}',
        "data": None if i % 6 == 0 else bytes([0, i, 255, 39, 34]) * i,
        "code": None if i % 3 == 0 else ["007", f"C{i:03d}é", "1.50", "12abc"][i % 4] + str(i),
        "rank": 9_007_199_254_740_993 if i == 5 else i * 10,
        "ratio": None if i % 2 else i / 3,
    }
    for i in range(1, 41)
]


@dataclass(frozen=True)
class Snapshot:
    fp: Fingerprint
    description: dict[str, Any]


@dataclass(frozen=True)
class RoundTrip:
    before: Snapshot
    upgraded: Snapshot
    reverted: Snapshot
    upgraded_again: Snapshot
    reverses: list[Reverse]
    stored: list[str]


def seed(conn: sa.Connection) -> None:
    conn.connection.driver_connection.executescript(SEED)  # type: ignore[union-attr]
    conn.exec_driver_sql("INSERT INTO owners (name) VALUES ('ann'), ('bø'), ('çé')")
    conn.execute(
        sa.text(
            'INSERT INTO items (id, owner_id, title, body, price, doc, data, code, "rank", '
            "ratio) VALUES (:id, :owner_id, :title, :body, :price, :doc, :data, :code, :rank, "
            ":ratio)"
        ),
        ITEM_ROWS,
    )
    conn.exec_driver_sql("INSERT INTO notes SELECT id, id, 'note ' || id FROM items WHERE id < 10")
    conn.exec_driver_sql(
        "INSERT INTO tags SELECT id, 'tag' || (id % 3), id / 2.0 + 1 FROM items WHERE id < 20"
    )
    conn.exec_driver_sql(
        "INSERT INTO events (rowid, at, payload) VALUES (3, '2024-01-01', '{\"a\": 1}'), "
        "(10, NULL, NULL), (11, 'x', 'ü')"
    )
    conn.exec_driver_sql(
        "INSERT INTO docs (id, body, extra) SELECT id, body, data FROM items WHERE id % 2 = 0"
    )
    # AUTOINCREMENT's counter ends past the largest id: 4, with ids 1 to 3.
    conn.exec_driver_sql("INSERT INTO owners (name) VALUES ('gone')")
    conn.exec_driver_sql("DELETE FROM owners WHERE name = 'gone'")


def snapshot(conn: sa.Connection) -> Snapshot:
    """Schema and data fingerprint, leaving out the archive (it grows by design)."""
    with conn.begin():
        exclude = archive_tables(conn)
        return Snapshot(
            fp=fingerprint(conn, exclude_tables=exclude),
            description=schema_description(conn, exclude_tables=exclude),
        )


def operations_for(conn: sa.Connection) -> Operations:
    return Operations(MigrationContext.configure(conn))


Migration = Callable[[], Sequence[MigrateOperation]]


def batch_runner(operations: Operations, recreate: str) -> Callable[[MigrateOperation], None]:
    """Run one operation in its own ``batch_alter_table`` block, as the runner does for the
    operations of a migration's batch block. ``legacy_alter_table`` is on around it: Alembic's
    final ``RENAME`` fails on SQLite 3.26+ when a view or trigger names the table.

    (Alembic's batch mode cannot rebuild a table with generated columns: it copies into
    them. So the seed keeps those in ``docs``, which only plain operations touch.)"""

    def run(op: MigrateOperation) -> None:
        conn = operations.get_bind()
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        try:
            name = getattr(op, "table_name", None) or op.source_table  # type: ignore[attr-defined]
            with operations.batch_alter_table(name, recreate=recreate) as batch:
                batch.invoke(op)
        finally:
            conn.exec_driver_sql("PRAGMA legacy_alter_table = OFF")

    return run


def upgrade(conn: sa.Connection, migration: Migration, batch: str | None) -> list[Reverse]:
    """One migration, in one transaction, each operation applied reversibly."""
    reverses: list[Reverse] = []
    with conn.begin():
        operations = operations_for(conn)
        run = batch_runner(operations, batch) if batch else None
        for op in migration():
            reverses += apply_reversibly(op, operations, run=run)
    return reverses


def revert(conn: sa.Connection, reverses: list[Reverse]) -> list[str]:
    """The stored form of the reverse, executed as text, in one transaction."""
    assert all(r.irreversible is None for r in reverses), [r.irreversible for r in reverses]
    stored = render_sql(reverse_script(reverses), "sqlite")
    with conn.begin():
        driver = conn.connection.driver_connection
        for statement in stored:
            driver.execute(statement)  # type: ignore[union-attr]
    return stored


def run_round_trip(
    conn: sa.Connection,
    migration: Migration,
    batch: str | None = None,
    between: Callable[[sa.Connection], None] | None = None,
) -> RoundTrip:
    """upgrade -> (writes) -> revert from the stored SQL -> upgrade again."""
    before = snapshot(conn)
    reverses = upgrade(conn, migration, batch)
    upgraded = snapshot(conn)
    if between is not None:
        with conn.begin():
            between(conn)
    stored = revert(conn, reverses)
    reverted = snapshot(conn)
    upgrade(conn, migration, batch)
    return RoundTrip(before, upgraded, reverted, snapshot(conn), reverses, stored)


def assert_exact(trip: RoundTrip) -> None:
    """Schema and every row exactly as before, and the upgrade repeatable afterwards."""
    assert trip.upgraded.fp != trip.before.fp, "the operation changed nothing"
    diff = diff_descriptions(trip.before.description, trip.reverted.description)
    assert trip.reverted.fp.schema == trip.before.fp.schema, diff
    assert trip.reverted.fp.tables == trip.before.fp.tables
    # Alembic's batch mode writes a table's constraints in set order, which varies from run
    # to run: the upgrade's own text is compared for structure, not for that order.
    again = _structure(trip.upgraded_again.description)
    assert again == _structure(trip.upgraded.description)
    assert trip.upgraded_again.fp.tables == trip.upgraded.fp.tables


def _structure(description: dict[str, Any]) -> dict[str, Any]:
    relations = description["relations"]
    return {name: {k: v for k, v in rel.items() if k != "sql"} for name, rel in relations.items()}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sa.Connection]:
    """A connection (no transaction open) to a seeded SQLite file, through migsafe's engine
    setup: real transactions around DDL, ``foreign_keys`` off (SQLite's default)."""
    engine = create_engine(sa.make_url(f"sqlite:///{tmp_path / 'seeded.db'}"))
    try:
        with engine.connect() as conn:
            with conn.begin():
                seed(conn)
            yield conn
    finally:
        engine.dispose()
