"""Reading a client-features JSON file (a bootstrap, an import), within bounds.

A file is read whole before anything is done with it, so its size is capped; and
Python's `json` recurses once per level of nesting, so 100000 nested arrays raise
RecursionError rather than a JSON error. Client-features documents are a few
levels deep, so a sane depth limit refuses such a file with an error that says so.
"""

from __future__ import annotations

import json
from pathlib import Path

from flags.errors import FlagConfigError, FlagDefinitionError

MAX_BYTES = 50 * 1024 * 1024
"""The largest file read: far above any real set of flags, far below what hurts."""

MAX_DEPTH = 64
"""The deepest nesting of arrays and objects accepted (a client-features document has ~8)."""


def read_json_file(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> object:
    """The JSON value in the file at `path`.

    Raises `FlagConfigError` if the file cannot be read, and `FlagDefinitionError`
    (with `path` as its path) if it is larger than `max_bytes`, not UTF-8, not
    JSON, or nested deeper than `max_depth`.
    """
    where = str(path)
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise FlagConfigError(f"cannot read {where}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise FlagDefinitionError(f"larger than {_size(max_bytes)}, the most read", where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FlagDefinitionError(f"not UTF-8 text (byte {exc.start})", where) from exc
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError as exc:
        raise FlagDefinitionError(_too_deep(max_depth), where) from exc
    except ValueError as exc:  # JSONDecodeError, NaN, an integer of 4300+ digits
        raise FlagDefinitionError(f"not JSON: {' '.join(str(exc).split())}", where) from exc
    if _deeper_than(value, max_depth):
        raise FlagDefinitionError(_too_deep(max_depth), where)
    return value


def _no_constant(name: str) -> object:
    # Python reads NaN and Infinity, which are not JSON, and PostgreSQL's jsonb refuses them.
    raise ValueError(f"{name} is not a JSON value")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (without recursing)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _too_deep(limit: int) -> str:
    return f"arrays and objects nested more than {limit} levels deep"


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"
