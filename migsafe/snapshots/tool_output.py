"""Reading what pg_restore and psql write to stderr, cut down to one line of message."""

from __future__ import annotations

import re

__all__ = ["first_lines", "psql_error"]


def psql_error(stderr: bytes) -> str:
    """The ERROR psql stopped at, with its DETAIL/HINT, without the ``psql:<stdin>:N:``."""
    lines = [
        re.sub(r"^psql:[^:]*:\d+: ", "", line)
        for line in stderr.decode("utf-8", errors="replace").splitlines()
    ]
    start = next((i for i, line in enumerate(lines) if "ERROR:" in line or "FATAL:" in line), 0)
    return " ".join(" ".join(lines[start : start + 3]).split())[:1000] or "psql failed"


def first_lines(stderr: bytes) -> str:
    """The first three lines of *stderr* on one line, at most 1000 characters."""
    text = stderr.decode("utf-8", errors="replace")
    return " ".join(" ".join(text.splitlines()[:3]).split())[:1000] or "no message"
