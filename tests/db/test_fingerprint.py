"""Fingerprints must change for every lost or altered thing, and only then."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from migsafe.db.fingerprint import (
    Fingerprint,
    data_fingerprint,
    diff_descriptions,
    fingerprint,
    schema_description,
    schema_fingerprint,
)
from migsafe.errors import ConfigError


def _connect(url: str) -> Iterator[Connection]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def conn(request: pytest.FixtureRequest) -> Iterator[Connection]:
    """A connection to a fresh, empty database of each dialect."""
    fixture = {"postgresql": "pg_url", "sqlite": "sqlite_url"}[request.param]
    yield from _connect(request.getfixturevalue(fixture))


@pytest.fixture
def pg(pg_url: str) -> Iterator[Connection]:
    yield from _connect(pg_url)


def run(conn: Connection, *statements: str) -> None:
    """Static DDL/DML, one statement at a time (psycopg refuses several in one prepare)."""
    for stmt in statements:
        conn.exec_driver_sql(stmt)


def is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def table_hash(conn: Connection, key: str) -> str:
    return data_fingerprint(conn)[0][key]


def main(conn: Connection) -> str:
    """The default schema, as fingerprint keys spell it."""
    return "public" if is_pg(conn) else "main"


# --- stability ----------------------------------------------------------------------------


def test_stable_across_calls(conn: Connection) -> None:
    run(
        conn,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x')",
        "CREATE INDEX ix_t_name ON t (name)",
        "CREATE VIEW v AS SELECT name FROM t",
        "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')",
    )
    first, second = fingerprint(conn), fingerprint(conn)
    assert first == second
    assert isinstance(first, Fingerprint)
    assert first.data == second.data
    assert schema_description(conn) == schema_description(conn)
    assert schema_fingerprint(conn) == first.schema
    key = f"{main(conn)}.t"
    assert set(first.tables) == {key}, "views are not data"
    assert first.row_counts == {key: 2}
    json.dumps(schema_description(conn))  # JSON-able, for diffs and storage


def test_empty_database_and_empty_table(conn: Connection) -> None:
    empty = fingerprint(conn)
    assert empty.tables == {} and empty.row_counts == {}
    run(conn, "CREATE TABLE t (a INTEGER)")
    fp = fingerprint(conn)
    assert fp.schema != empty.schema
    assert fp.row_counts == {f"{main(conn)}.t": 0}


# --- schema changes -----------------------------------------------------------------------

BASE = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(10))"
VARIANTS = {
    "type": ("CREATE TABLE t (id INTEGER PRIMARY KEY, a BIGINT, b VARCHAR(10))", '["a"]'),
    "length": ("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(11))", '["b"]'),
    "default": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER DEFAULT 7, b VARCHAR(10))",
        '["a"].default',
    ),
    "nullability": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b VARCHAR(10))",
        '["a"].not_null',
    ),
    "check": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(10),"
        " CONSTRAINT ck_t_a CHECK (a > 0))",
        "ck_t_a",
    ),
    "unique": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(10), UNIQUE (a))",
        "].indexes[",
    ),
    "column order": ("CREATE TABLE t (id INTEGER PRIMARY KEY, b VARCHAR(10), a INTEGER)", "order"),
}


@pytest.mark.parametrize("change", [*VARIANTS, "index"])
def test_schema_change_is_detected(conn: Connection, change: str) -> None:
    run(conn, BASE)
    before, before_hash = schema_description(conn), schema_fingerprint(conn)
    run(conn, "DROP TABLE t", BASE)
    assert schema_description(conn) == before, "recreating the same table is no change"

    if change == "index":
        run(conn, "CREATE INDEX ix_t_a ON t (a)")
        expected = "ix_t_a"
    else:
        run(conn, "DROP TABLE t", VARIANTS[change][0])
        expected = VARIANTS[change][1]
    after = schema_description(conn)
    assert schema_fingerprint(conn) != before_hash
    lines = diff_descriptions(before, after)
    assert lines, "a differing description has diff lines"
    shown = "\n".join(lines)
    assert f'relations["{main(conn)}.t"]' in shown
    assert expected in shown, shown


PG_CHANGES: list[tuple[str, list[str], list[str], str]] = [
    # (id, change, its inverse, what the diff must name)
    ("type", ["ALTER TABLE t ALTER COLUMN a TYPE bigint"],
     ["ALTER TABLE t ALTER COLUMN a TYPE integer"], '["a"].type'),
    ("default", ["ALTER TABLE t ALTER COLUMN a SET DEFAULT 7"],
     ["ALTER TABLE t ALTER COLUMN a DROP DEFAULT"], '["a"].default'),
    ("not null", ["ALTER TABLE t ALTER COLUMN a SET NOT NULL"],
     ["ALTER TABLE t ALTER COLUMN a DROP NOT NULL"], '["a"].not_null'),
    ("index", ["CREATE INDEX ix_t_a ON t (a)"], ["DROP INDEX ix_t_a"], 'indexes["ix_t_a"]'),
    ("check", ["ALTER TABLE t ADD CONSTRAINT ck_t_a CHECK (a > 0)"],
     ["ALTER TABLE t DROP CONSTRAINT ck_t_a"], 'constraints["ck_t_a"]'),
    ("fk", ["CREATE TABLE u (id integer PRIMARY KEY)",
            "INSERT INTO u VALUES (1), (2)",
            "ALTER TABLE t ADD CONSTRAINT fk_t_a FOREIGN KEY (a) REFERENCES u (id)"],
     ["ALTER TABLE t DROP CONSTRAINT fk_t_a", "DROP TABLE u"], 'constraints["fk_t_a"]'),
    ("rename column", ["ALTER TABLE t RENAME COLUMN a TO a2"],
     ["ALTER TABLE t RENAME COLUMN a2 TO a"], '["a2"]'),
    ("add column", ["ALTER TABLE t ADD COLUMN z text"], ["ALTER TABLE t DROP COLUMN z"], '["z"]'),
    ("collation", ['ALTER TABLE t ALTER COLUMN b TYPE text COLLATE "C"'],
     ["ALTER TABLE t ALTER COLUMN b TYPE text"], '["b"].collation'),
    ("column comment", ["COMMENT ON COLUMN t.a IS 'why'"], ["COMMENT ON COLUMN t.a IS NULL"],
     '["a"].comment'),
    ("table comment", ["COMMENT ON TABLE t IS 'why'"], ["COMMENT ON TABLE t IS NULL"],
     '["public.t"].comment'),
    ("grant", ["GRANT SELECT ON t TO PUBLIC"], ["REVOKE SELECT ON t FROM PUBLIC"],
     '["public.t"].acl'),
    ("view", ["CREATE OR REPLACE VIEW v AS SELECT id, c FROM w WHERE c > 0"],
     ["CREATE OR REPLACE VIEW v AS SELECT id, c FROM w"], '["public.v"].definition'),
    ("sequence", ["ALTER SEQUENCE s INCREMENT BY 2"], ["ALTER SEQUENCE s INCREMENT BY 1"],
     'sequences["public.s"].increment'),
    ("enum", ["CREATE TYPE mood2 AS ENUM ('a', 'b')"], ["DROP TYPE mood2"],
     'types["public.mood2"]'),
    ("enum label", ["ALTER TYPE mood ADD VALUE 'meh'"], [], 'types["public.mood"].labels'),
    ("domain", ["ALTER DOMAIN posint ADD CONSTRAINT big CHECK (VALUE < 100)"],
     ["ALTER DOMAIN posint DROP CONSTRAINT big"], 'types["public.posint"].checks["big"]'),
    ("function", ["CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'"],
     ["CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"],
     'functions["public.f()"].definition'),
    ("trigger", ["CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS "
                 "'BEGIN RETURN NEW; END'",
                 "CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf()"],
     ["DROP TRIGGER tg ON t", "DROP FUNCTION tf()"], 'triggers["tg"]'),
    ("schema", ["CREATE SCHEMA extra"], ["DROP SCHEMA extra"], 'schemas["extra"]'),
    ("index valid", ["UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_b'::regclass"],
     ["UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'ix_b'::regclass"],
     'indexes["ix_b"].valid'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "inverse", "named"),
    [pytest.param(c, i, n, id=k) for k, c, i, n in PG_CHANGES],
)
def test_pg_change_detected_and_inverse_restores(
    pg: Connection, change: list[str], inverse: list[str], named: str
) -> None:
    run(
        pg,
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
        "CREATE SEQUENCE s",
        "CREATE TABLE t (id serial PRIMARY KEY, a integer, b text)",
        "CREATE INDEX ix_b ON t (b)",
        "CREATE TABLE w (id integer, c integer)",
        "CREATE VIEW v AS SELECT id, c FROM w",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'ü')",
    )
    before = fingerprint(pg)
    description = schema_description(pg)
    run(pg, *change)
    assert schema_fingerprint(pg) != before.schema
    shown = "\n".join(diff_descriptions(description, schema_description(pg)))
    assert named in shown, shown
    if inverse:
        run(pg, *inverse)
        assert diff_descriptions(description, schema_description(pg)) == []
        assert fingerprint(pg) == before


def test_pg_sequence_position_is_not_schema(pg: Connection) -> None:
    run(pg, "CREATE TABLE t (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY)")
    before = fingerprint(pg)
    run(pg, "SELECT nextval('t_id_seq')", "SELECT nextval('t_n_seq')")
    assert fingerprint(pg) == before


# --- dropped columns ----------------------------------------------------------------------


def test_dropped_column_gap_matches_fresh_table(conn: Connection) -> None:
    run(
        conn,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, gone TEXT, keep TEXT)",
        "INSERT INTO t (id, gone, keep) VALUES (1, 'x', 'a'), (2, NULL, 'b')",
        "ALTER TABLE t DROP COLUMN gone",
    )
    with_gap = fingerprint(conn)
    described = schema_description(conn)
    run(
        conn,
        "DROP TABLE t",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT)",
        "INSERT INTO t (id, keep) VALUES (2, 'b'), (1, 'a')",
    )
    assert diff_descriptions(described, schema_description(conn)) == []
    assert fingerprint(conn) == with_gap


def test_column_readded_at_end_changes_schema(conn: Connection) -> None:
    run(conn, "CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER)")
    before, before_hash = schema_description(conn), schema_fingerprint(conn)
    run(conn, "ALTER TABLE t DROP COLUMN b", "ALTER TABLE t ADD COLUMN b INTEGER")
    assert schema_fingerprint(conn) != before_hash
    after = schema_description(conn)
    lines = diff_descriptions(before, after)
    assert any("order ['a', 'b', 'c'] -> ['a', 'c', 'b']" in line for line in lines), lines


# --- data changes -------------------------------------------------------------------------


def _seed(conn: Connection) -> None:
    run(
        conn,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
        "CREATE TABLE other (x INTEGER)",
        "INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, NULL)",
        "INSERT INTO other (x) VALUES (1)",
    )


@pytest.mark.parametrize(
    ("change", "inverse", "count"),
    [
        pytest.param("UPDATE t SET v = 'B' WHERE id = 2", "UPDATE t SET v = 'b' WHERE id = 2", 3,
                     id="changed"),
        pytest.param("UPDATE t SET v = NULL WHERE id = 2", "UPDATE t SET v = 'b' WHERE id = 2", 3,
                     id="nulled"),
        pytest.param("UPDATE t SET v = '' WHERE id = 3", "UPDATE t SET v = NULL WHERE id = 3", 3,
                     id="null to empty"),
        pytest.param("DELETE FROM t WHERE id = 2", "INSERT INTO t (id, v) VALUES (2, 'b')", 2,
                     id="deleted"),
        pytest.param("INSERT INTO t (id, v) VALUES (4, 'd')", "DELETE FROM t WHERE id = 4", 4,
                     id="inserted"),
    ],
)  # fmt: skip
def test_row_change_changes_table_hash(
    conn: Connection, change: str, inverse: str, count: int
) -> None:
    _seed(conn)
    key, other = f"{main(conn)}.t", f"{main(conn)}.other"
    before = fingerprint(conn)
    run(conn, change)
    after = fingerprint(conn)
    assert after.tables[key] != before.tables[key]
    assert after.tables[other] == before.tables[other]
    assert after.row_counts[key] == count
    assert after.data != before.data
    assert after.schema == before.schema
    run(conn, inverse)
    assert fingerprint(conn) == before


def test_row_order_does_not_matter(conn: Connection) -> None:
    run(conn, "CREATE TABLE t (id INTEGER, v TEXT)")
    rows = [(i, f"row {i}") for i in range(50)]
    insert = text("INSERT INTO t (id, v) VALUES (:id, :v)")
    conn.execute(insert, [{"id": i, "v": v} for i, v in rows])
    forward = table_hash(conn, f"{main(conn)}.t")
    run(conn, "DELETE FROM t")
    conn.execute(insert, [{"id": i, "v": v} for i, v in reversed(rows)])
    assert table_hash(conn, f"{main(conn)}.t") == forward
    # On PostgreSQL an UPDATE moves rows physically (new tuple versions go at the end).
    run(conn, "UPDATE t SET v = v WHERE id < 10")
    assert table_hash(conn, f"{main(conn)}.t") == forward


def test_duplicate_rows_count(conn: Connection) -> None:
    """Row hashes form a multiset: duplicates neither cancel out nor collapse."""
    run(conn, "CREATE TABLE t (x INTEGER)")
    key = f"{main(conn)}.t"
    seen = []
    for rows in ([1], [1, 1], [1, 1, 2], [1, 2, 2], [1, 1, 1, 1], []):
        run(conn, "DELETE FROM t")
        for x in rows:
            conn.execute(text("INSERT INTO t (x) VALUES (:x)"), {"x": x})
        seen.append(table_hash(conn, key))
    assert len(set(seen)) == len(seen)


def test_alembic_version_data_is_fingerprinted(conn: Connection) -> None:
    run(
        conn,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version (version_num) VALUES ('aaa')",
    )
    before = fingerprint(conn)
    assert f"{main(conn)}.alembic_version" in before.tables
    run(conn, "UPDATE alembic_version SET version_num = 'bbb'")
    after = fingerprint(conn)
    assert after.schema == before.schema
    assert after.data != before.data


# --- values -------------------------------------------------------------------------------

SQLITE_VALUES: list[Any] = [
    None, "", "NULL", "null", "\\N", "ü", "u\u0308", "😀", "a,b", "(a,b)", '"', "'", " x",
    "x" * 1_000_000, b"", b"\x00", b"\x00\x00", b"NULL", 0, 1, -1, 1.0, 1.5, "1", 2**62,
]  # fmt: skip


def test_sqlite_values_hash_distinctly(sqlite_url: str) -> None:
    for conn in _connect(sqlite_url):
        run(conn, "CREATE TABLE vals (a, b)")
        seen: dict[str, Any] = {}
        for value in SQLITE_VALUES:
            for pair in ((value, None), (None, value)):
                run(conn, "DELETE FROM vals")
                conn.execute(text("INSERT INTO vals VALUES (:a, :b)"), {"a": pair[0], "b": pair[1]})
                digest = table_hash(conn, "main.vals")
                assert digest not in seen or seen[digest] == pair, (pair, seen.get(digest))
                seen[digest] = pair


PG_ROWS: list[dict[str, Any]] = [
    {},
    {"t": ""}, {"t": "NULL"}, {"t": "\\N"}, {"t": "ü"}, {"t": "u\u0308"}, {"t": "😀"},
    {"t": "a,b"}, {"t": "(a,b)"}, {"t": '"'}, {"t": " x"}, {"t": "x" * 1_000_000},
    {"j": {"a": 1}}, {"j": {"a": "1"}}, {"j": {"a": None}}, {"j": None}, {"j": "null"},
    {"j": [1, 2]}, {"j": [2, 1]}, {"j": {"k": "ü"}}, {"j": {"k": "u\u0308"}},
    {"a": []}, {"a": [None]}, {"a": [1, None]}, {"a": [None, 1]}, {"a": [1]},
    {"ta": ["NULL"]}, {"ta": [None]}, {"ta": ["a,b"]}, {"ta": ["a", "b"]}, {"ta": [""]},
    {"b": b""}, {"b": b"\x00"}, {"b": b"\x00\x00"}, {"b": b"\xff"}, {"b": b"NULL"},
    {"n": "1.0"}, {"n": "1.00"}, {"n": "NaN"},
    {"f": 0.1}, {"f": 0.30000000000000004}, {"f": -0.0}, {"f": 0.0},
    {"ts": "2024-01-01 00:00+00"}, {"ts": "2024-01-01 00:00+01"},
]  # fmt: skip


def test_pg_values_hash_distinctly(pg: Connection) -> None:
    run(
        pg,
        "CREATE TABLE vals (t text, j jsonb, a int[], ta text[], b bytea, n numeric,"
        " f double precision, ts timestamptz)",
    )
    insert = text(
        "INSERT INTO vals VALUES (:t, CAST(:j AS jsonb), CAST(:a AS int[]), CAST(:ta AS text[]),"
        " :b, CAST(:n AS numeric), :f, CAST(:ts AS timestamptz))"
    )
    seen: dict[str, int] = {}
    for i, row in enumerate(PG_ROWS):
        run(pg, "TRUNCATE vals")
        params = dict.fromkeys(("t", "j", "a", "ta", "b", "n", "f", "ts"))
        params.update(row)
        if "j" in row:  # {"j": None} is JSON null, {} is SQL NULL
            params["j"] = json.dumps(row["j"])
        pg.execute(insert, params)
        digest = table_hash(pg, "public.vals")
        assert digest not in seen, (row, PG_ROWS[seen.get(digest, 0)])
        seen[digest] = i


def test_pg_settings_do_not_matter_and_are_restored(pg: Connection, pg_url: str) -> None:
    run(
        pg,
        "CREATE SCHEMA app",
        "CREATE TABLE app.t (ts timestamptz, d date, f float8, i interval, b bytea, m money)",
        "INSERT INTO app.t VALUES (now(), current_date, 0.1, '1 day 2 hours', '\\x00', 1.5)",
        "CREATE TABLE app.u (id serial PRIMARY KEY, t_ts timestamptz DEFAULT now())",
    )
    pg.commit()
    reference = fingerprint(pg)
    description = schema_description(pg)
    odd = {
        "search_path": "app, public",
        "TimeZone": "Pacific/Chatham",
        "DateStyle": "SQL, DMY",
        "IntervalStyle": "iso_8601",
        "extra_float_digits": "-3",
        "bytea_output": "escape",
    }
    for autocommit in (False, True):
        for other in _connect(pg_url):
            if autocommit:
                other = other.execution_options(isolation_level="AUTOCOMMIT")
            for name, value in odd.items():
                other.execute(text("SELECT set_config(:n, :v, false)"), {"n": name, "v": value})
            assert diff_descriptions(description, schema_description(other)) == []
            assert fingerprint(other) == reference
            for name, value in odd.items():
                shown = other.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar()
                assert shown == value, name


# --- what is in and out of scope ------------------------------------------------------------


def test_excluded_schema_is_ignored(conn: Connection, tmp_path: Path) -> None:
    if is_pg(conn):
        run(conn, "CREATE SCHEMA migsafe")
    else:
        conn.execute(text("ATTACH DATABASE :p AS migsafe"), {"p": str(tmp_path / "m.db")})
    run(conn, "CREATE TABLE t (a INTEGER)", "INSERT INTO t VALUES (1)")
    before = fingerprint(conn)
    run(
        conn,
        "CREATE TABLE migsafe.runs (id INTEGER PRIMARY KEY, note TEXT)",
        "INSERT INTO migsafe.runs (id, note) VALUES (1, 'x')",
    )
    assert fingerprint(conn) == before
    run(conn, "UPDATE migsafe.runs SET note = 'y'")
    assert fingerprint(conn) == before
    included = fingerprint(conn, exclude_schemas=())
    assert "migsafe.runs" in included.tables
    assert included.schema != before.schema


def test_excluded_tables(conn: Connection) -> None:
    run(conn, "CREATE TABLE keep (a INTEGER)", "CREATE TABLE scratch (a INTEGER)")
    qualified = f"{main(conn)}.scratch"
    for excluded in (["scratch"], [qualified]):
        before = fingerprint(conn, exclude_tables=excluded)
        assert set(before.tables) == {f"{main(conn)}.keep"}
        run(conn, "INSERT INTO scratch VALUES (1)", "CREATE INDEX ix_scratch ON scratch (a)")
        assert fingerprint(conn, exclude_tables=excluded) == before
        run(conn, "DROP INDEX ix_scratch")


def test_awkward_names(conn: Connection) -> None:
    q = conn.dialect.identifier_preparer.quote_identifier
    names = ["Mixed Case", 'we"ird :name %s', "ünï cödé", "select"]
    schema = "Other Schema" if is_pg(conn) else main(conn)
    if is_pg(conn):
        run(conn, f"CREATE SCHEMA {q(schema)}")
    for name in names:
        # The preparer's quoting fits the driver's paramstyle (it doubles "%" for psycopg),
        # and exec_driver_sql, unlike text(), does not read ":name" as a bind parameter.
        run(conn, f"CREATE TABLE {q(schema)}.{q(name)} ({q('Col Name')} TEXT)")
        table = sa.table(name, sa.column("Col Name"), schema=schema)
        conn.execute(sa.insert(table), [{"Col Name": "v"}, {"Col Name": None}])
    fp = fingerprint(conn)
    assert {f"{schema}.{n}" for n in names} <= set(fp.tables)
    assert all(fp.row_counts[f"{schema}.{n}"] == 2 for n in names)
    assert fingerprint(conn) == fp


def test_pg_partitions_and_inheritance_count_rows_once(pg: Connection) -> None:
    run(
        pg,
        "CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k)",
        "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (10)",
        "CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (10) TO (20)",
        "INSERT INTO parted VALUES (1, 'a'), (11, 'b'), (12, 'c')",
        "CREATE TABLE parent (x int)",
        "CREATE TABLE child (y int) INHERITS (parent)",
        "INSERT INTO parent VALUES (1)",
        "INSERT INTO child VALUES (2, 3), (4, 5)",
        "CREATE MATERIALIZED VIEW mv AS SELECT * FROM parent",
    )
    fp = fingerprint(pg)
    assert fp.row_counts == {
        "public.parted_low": 1,
        "public.parted_high": 2,
        "public.parent": 1,
        "public.child": 2,
    }
    relations = schema_description(pg)["relations"]
    assert relations["public.parted"]["partition_key"] == "RANGE (k)"
    assert relations["public.child"]["inherits"] == ["public.parent"]
    assert relations["public.mv"]["kind"] == "materialized view"


def test_pg_extension_objects_are_not_user_schema(pg: Connection) -> None:
    available = pg.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:
        pytest.skip("pg_trgm is not installed on this server")
    before = schema_description(pg)
    run(pg, "CREATE EXTENSION pg_trgm")
    lines = diff_descriptions(before, schema_description(pg))
    assert lines == ['extensions["pg_trgm"]: added']


def test_unsupported_dialect() -> None:
    mysql = SimpleNamespace(dialect=SimpleNamespace(name="mysql"))
    with pytest.raises(ConfigError, match="mysql"):
        fingerprint(mysql)  # type: ignore[arg-type]


# --- diff_descriptions --------------------------------------------------------------------


def test_diff_descriptions_names_what_differs() -> None:
    a = {
        "relations": {
            "public.t": {
                "columns": [{"name": "a", "type": "integer"}, {"name": "b", "type": "text"}],
                "indexes": {"ix_old": {"definition": "CREATE INDEX ix_old ..."}},
                "comment": None,
            },
            "public.gone": {"columns": []},
        },
        "functions": {"public.f()": {"definition": "x" * 300 + "BEGIN 1"}},
    }
    b = {
        "relations": {
            "public.t": {
                "columns": [{"name": "b", "type": "text"}, {"name": "a", "type": "bigint"}],
                "indexes": {"ix_new": {"definition": "CREATE INDEX ix_new ..."}},
                "comment": "hello",
            },
        },
        "functions": {"public.f()": {"definition": "x" * 300 + "BEGIN 2"}},
    }
    lines = diff_descriptions(a, b)
    assert "relations[\"public.t\"].columns[\"a\"].type: 'integer' -> 'bigint'" in lines
    assert "relations[\"public.t\"].columns: order ['a', 'b'] -> ['b', 'a']" in lines
    assert 'relations["public.t"].indexes["ix_old"]: removed' in lines
    assert 'relations["public.t"].indexes["ix_new"]: added' in lines
    assert "relations[\"public.t\"].comment: None -> 'hello'" in lines
    assert 'relations["public.gone"]: removed' in lines
    (function_line,) = (line for line in lines if line.startswith("functions"))
    assert "BEGIN 1" in function_line and "BEGIN 2" in function_line
    assert len(function_line) < 300, "long values are clipped around the difference"
    assert diff_descriptions(a, a) == []
