"""URLs: passwords never shown, async drivers swapped for the sync one migsafe runs on."""

from __future__ import annotations

import pytest

from migsafe.engine.connection import parse_url, redact, unavailable
from migsafe.errors import UsageError


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
        ("sqlite+aiosqlite:///x.db", "sqlite+pysqlite"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_parse_url_picks_a_sync_driver(url: str, driver: str) -> None:
    assert parse_url(url).drivername == driver


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
