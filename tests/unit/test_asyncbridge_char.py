"""asyncpg hands PostgreSQL's one-byte "char" over as bytes; migsafe reads it as psycopg does."""

from __future__ import annotations

from migsafe.db.asyncbridge import _decoded


def test_an_empty_char_reads_as_an_empty_string_like_psycopg() -> None:
    """pg_attribute.attgenerated of a plain column is one NUL byte: read as set, a dropped
    column's reverse re-added it as GENERATED ALWAYS AS (NULL) (found on Prefect's chain)."""
    assert _decoded((b"\x00", b"s", b"r", 7), [0, 1, 2]) == ("", "s", "r", 7)
