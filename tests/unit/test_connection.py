"""URLs: passwords never shown; bookkeeping on psycopg, the migrations on the URL's driver."""

from __future__ import annotations

import pytest

from migsafe.db.connection import migration_url, parse_url, redact, unavailable
from migsafe.errors import UsageError


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+pg8000://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
        ("sqlite+aiosqlite:///x.db", "sqlite+pysqlite"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_bookkeeping_connects_with_psycopg_or_sqlite3(url: str, driver: str) -> None:
    assert parse_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg"),
        ("postgresql+psycopg_async://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg2://u:p@h/db", "postgresql+psycopg2"),
        ("postgresql+pg8000://u:p@h/db", "postgresql+pg8000"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
        ("postgresql://u:p@h/db", "postgresql+psycopg2"),  # SQLAlchemy's default, installed
        ("sqlite+aiosqlite:///x.db", "sqlite+pysqlite"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_migrations_run_on_the_urls_driver(url: str, driver: str) -> None:
    assert migration_url(url).drivername == driver


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2cffi://u:p@h/db", "postgresql+nosuchdriver://u:p@h/db"]
)
def test_a_driver_migsafe_cannot_use_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError) as info:
        migration_url(url)
    assert "p@h" not in info.value.message  # no password in the message


@pytest.mark.parametrize("url", ["not a url", "mysql://u:p@h/db", "://"])
def test_bad_or_unsupported_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        parse_url(url)


def test_redact_hides_the_password_in_every_form() -> None:
    assert "s3cret" not in redact("postgresql://u:s3cret@h/db")
    assert "s3cret" not in redact(parse_url("postgresql://u:s3cret@h/db"))
    assert "s3cret" not in redact("weird://u:s3cret@h:x:y/db")


def test_connection_error_text_is_scrubbed() -> None:
    url = parse_url("postgresql://u:s3cret@h/db")
    err = unavailable(url, RuntimeError('password authentication failed for user "u" s3cret'))
    assert "s3cret" not in err.message
    assert err.hint and "password" in err.hint
    assert int(err.exit_code) == 3
