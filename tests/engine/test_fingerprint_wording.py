"""Differences between two schema descriptions read as the objects a schema's author knows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from migsafe.engine.fingerprint import schema_description
from migsafe.engine.fingerprint.wording import capped, worded_differences


@pytest.fixture(params=["postgresql", "sqlite"])
def conn(request: pytest.FixtureRequest) -> Iterator[Connection]:
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _run(conn: Connection, *statements: str) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def test_objects_missing_extra_and_changed_are_named_on_a_real_schema(conn: Connection) -> None:
    schema = "public" if conn.dialect.name == "postgresql" else "main"
    _run(
        conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT)",
        "CREATE INDEX ix_users_email ON users (email)",
        "CREATE TABLE old_audit (id INTEGER)",
    )
    before = schema_description(conn)
    _run(
        conn,
        "DROP INDEX ix_users_email",
        "CREATE UNIQUE INDEX ix_users_email ON users (email)",
        "ALTER TABLE users DROP COLUMN nickname",
        "DROP TABLE old_audit",
        "CREATE VIEW active_users AS SELECT id FROM users",
    )
    lines = worded_differences(before, schema_description(conn))

    assert f'table "{schema}.users": column "nickname" is missing' in lines
    assert f'table "{schema}.old_audit" is missing' in lines
    assert f'view "{schema}.active_users" is extra' in lines
    # One line per attribute that differs (the definition; on SQLite also "unique").
    index = [line for line in lines if "ix_users_email" in line]
    assert index
    for line in index:
        assert line.startswith(f'table "{schema}.users": index "ix_users_email": '), line
        assert " was " in line and ", now " in line
    assert worded_differences(before, before) == []


def test_kinds_of_objects_and_attributes_are_worded() -> None:
    before = {
        "relations": {
            "public.t": {
                "kind": "table",
                "columns": [{"name": "a", "type": "integer"}, {"name": "b", "type": "text"}],
                "constraints": {"t_pkey": {"type": "p", "definition": "PRIMARY KEY (a)"}},
                "acl": [],
            },
        },
        "types": {},
        "functions": {"public.f()": {"kind": "f", "definition": "x" * 300 + "BEGIN 1"}},
    }
    after = {
        "relations": {
            "public.t": {
                "kind": "table",
                "columns": [{"name": "b", "type": "text"}, {"name": "a", "type": "bigint"}],
                "constraints": {},
                "acl": ["app=r/owner"],
            },
        },
        "types": {"public.mood": {"kind": "enum", "labels": ["happy"]}},
        "functions": {"public.f()": {"kind": "f", "definition": "x" * 300 + "BEGIN 2"}},
    }
    lines = worded_differences(before, after)
    assert "table \"public.t\": column \"a\": type was 'integer', now 'bigint'" in lines
    assert (
        "table \"public.t\": columns in a different order: was ['a', 'b'], now ['b', 'a']" in lines
    )
    assert 'table "public.t": primary key "t_pkey" is missing' in lines
    assert "table \"public.t\": privileges was [], now ['app=r/owner']" in lines
    assert 'enum type "public.mood" is extra' in lines
    (function,) = (line for line in lines if line.startswith('function "public.f()"'))
    assert "BEGIN 1" in function and "BEGIN 2" in function
    assert len(function) < 300, "long values are clipped around the difference"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (3, ("0", "1", "2")),
        (20, tuple(str(i) for i in range(20))),
        (21, (*(str(i) for i in range(19)), "... and 2 more")),
    ],
    ids=["few", "exactly-the-limit", "one-over"],
)
def test_capped_keeps_the_first_lines_and_counts_the_rest(
    count: int, expected: tuple[str, ...]
) -> None:
    assert capped([str(i) for i in range(count)], 20) == expected
