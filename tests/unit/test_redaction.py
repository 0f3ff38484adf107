"""Passwords out of shown text: found in a URL's text however malformed, scrubbed in every
spelling, and the URL checks that refuse what parsers would misread."""

from __future__ import annotations

import urllib.parse

import pytest

from migsafe.db.url_check import check_url_text
from migsafe.errors import UsageError
from migsafe.redaction import password_in_url_text, redact_url_text, scrub

PASSWORD = "p@ss/w:rd%?#& x+y"


@pytest.mark.parametrize(
    ("url", "password", "shown"),
    [
        ("app:secret@host/db", "secret", "app:***@host/db"),
        ("postgresql://app:secret/db", "secret", "postgresql://app:***/db"),
        ("postgresql://u:p@ss/w:rd@h:5432/db", "p@ss/w:rd", "postgresql://u:***@h:5432/db"),
        ("postgres ql://u:s3cret@h/db?sslmode=require", "s3cret", None),
        ("postgresql://u@h:5432/db", None, "postgresql://u@h:5432/db"),
        ("postgresql://h:5432/db", None, "postgresql://h:5432/db"),
    ],
)
def test_what_stands_where_a_password_would_is_found_and_hidden(
    url: str, password: str | None, shown: str | None
) -> None:
    assert password_in_url_text(url) == password
    redacted = redact_url_text(url)
    if password:
        assert password not in redacted and "***" in redacted
    if shown is not None:
        assert redacted == shown


def test_scrub_masks_every_spelling() -> None:
    encoded = urllib.parse.quote(PASSWORD, safe="")
    text = " | ".join(
        [PASSWORD, encoded, encoded.lower(), urllib.parse.quote_plus(PASSWORD), "keep me"]
    )
    scrubbed = scrub(text, [PASSWORD])
    assert scrubbed == " | ".join(["***"] * 4 + ["keep me"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u:p@ss@h/db", "more than one '@'"),
        ("postgresql://u:pa/ss@h/db", "a '/' before the '@'"),
        ("postgresql://u:pw@h:65536/db", "out of range"),
        ("postgresql://u:pw@h:0/db", "out of range"),
        ("postgresql://u:pw@h:5x/db", "not a number"),
        ("postgresql://u:pw@[::1]:99999/db", "out of range"),
    ],
)
def test_urls_a_parser_would_misread_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        check_url_text(url)
    assert "pw" not in caught.value.message.replace("postgresql", "")
    assert "p@ss" not in caught.value.message and "pa/ss" not in caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p%40ss@h:5432/db",
        "postgresql://u@/db?host=/var/run/postgresql",
        "postgresql://u:pw@[::1]:5432/db",
        "postgresql://u:pw@h1:5432,h2:5433/db",
        "sqlite:////srv/app@2/data/app.db",
        "postgresql+asyncpg://u:pw@h/db",
    ],
)
def test_urls_written_right_pass(url: str) -> None:
    check_url_text(url)
