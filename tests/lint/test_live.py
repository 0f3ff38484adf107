"""What the target database's catalog changes in the findings (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.lint.live import PgLive
from tests.lint.support import lint_upgrade, rule_ids


@pytest.fixture
def conn(pg_url: str) -> Iterator[sa.Connection]:
    engine = sa.create_engine(pg_url, poolclass=NullPool)
    with engine.connect() as setup:
        setup.exec_driver_sql(
            "CREATE TABLE users (id int PRIMARY KEY, name varchar(20), age int, email text);"
            "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL);"
            "CREATE FUNCTION pick() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';"
            "CREATE FUNCTION fixed() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';"
            "INSERT INTO users SELECT g, 'u' || g, g, 'e' FROM generate_series(1, 20000) g;"
            "ANALYZE users"
        )
        setup.commit()
    with engine.connect() as c:
        yield c
    engine.dispose()


def test_catalog_readings(conn: sa.Connection) -> None:
    live = PgLive(conn)
    assert live.server_version >= 100000
    stats = live.table("users")
    assert stats is not None and stats.rows == 20000 and stats.bytes > 0
    assert live.table("public.users") == stats
    assert live.table("nope") is None
    assert live.column_type("users", "name") == "character varying(20)"
    assert live.volatility("pick") == "v" and live.volatility("fixed") == "i"
    assert live.volatility("now") == "s"
    assert live.has_not_null_check("users", "email")
    assert not live.has_not_null_check("users", "name")


def test_a_name_with_quotes_is_a_name_not_sql(conn: sa.Connection) -> None:
    live = PgLive(conn)
    assert live.table("users'; DROP TABLE users; --") is None
    assert live.table("users") is not None


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        pytest.param(
            "op.alter_column('users', 'name', type_=sa.Text())", False, id="varchar-to-text"
        ),
        pytest.param(
            "op.alter_column('users', 'age', type_=sa.BigInteger())", True, id="int-to-bigint"
        ),
    ],
)
def test_the_live_column_type_decides_a_type_change(
    conn: sa.Connection, body: str, flagged: bool
) -> None:
    result = lint_upgrade(body, live=PgLive(conn))
    assert ("column-type-rewrite" in rule_ids(result)) is flagged
    # offline, without existing_type, the old type is unknown: flagged as a warning
    offline = lint_upgrade(body)
    assert {f.severity.value for f in offline.findings if f.rule == "column-type-rewrite"} == {
        "warning"
    }


@pytest.mark.parametrize(("function", "flagged"), [("pick", True), ("fixed", False)])
def test_the_live_volatility_decides_a_default(
    conn: sa.Connection, function: str, flagged: bool
) -> None:
    default = f"server_default=sa.text('{function}()')"
    body = f"op.add_column('users', sa.Column('n', sa.Integer(), {default}))"
    result = lint_upgrade(body, live=PgLive(conn))
    assert ("volatile-default" in rule_ids(result)) is flagged


def test_an_existing_validated_check_lets_set_not_null_through(conn: sa.Connection) -> None:
    live = PgLive(conn)
    assert "set-not-null" not in rule_ids(
        lint_upgrade("op.alter_column('users', 'email', nullable=False)", live=live)
    )
    assert "set-not-null" in rule_ids(
        lint_upgrade("op.alter_column('users', 'name', nullable=False)", live=live)
    )


def test_sizes_go_into_the_finding(conn: sa.Connection) -> None:
    result = lint_upgrade("op.create_index('ix_age', 'users', ['age'])", live=PgLive(conn))
    (finding,) = result.findings
    assert finding.estimate is not None and finding.estimate.startswith("20k rows / ")
    assert finding.severity.value == "error"
