"""Reading fields from an evaluation context, as Unleash's engine does.

A context is a mapping such as `{"userId": "42", "properties": {"plan": "pro"}}`.
A field is looked up at the top level first and then in `properties`, and
`None` counts as absent. Values are compared as text: numbers and booleans are
read as their JSON text, a datetime as ISO 8601 (naive ones taken as UTC),
anything else as absent. `currentTime` is never absent: it defaults to now.
One quirk of Unleash's engine is kept: a custom field at the top level counts
only if it is a string, while `properties` values and the standard fields
(`userId`, `sessionId`...) may be numbers or booleans too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import cast

Context = Mapping[str, object]
"""What callers pass to `is_enabled`/`get_variant`."""

Predicate = Callable[[Context], bool]
"""A compiled condition: a strategy, a constraint, a whole feature."""

Getter = Callable[[Context], str | None]
"""Reads one field of a context as text, or None when it is absent."""

EMPTY: Context = MappingProxyType({})


def as_text(value: object) -> str | None:
    """The text Unleash compares for a context value, or None for values it cannot use."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return None


STANDARD_FIELDS = frozenset(
    {"userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime"}
)


def field_getter(name: str) -> Getter:
    """A getter for `name`: top-level value first, then `properties[name]`."""
    standard = name in STANDARD_FIELDS

    def get(context: Context) -> str | None:
        value = context.get(name)
        if value is None or (not standard and value.__class__ is not str):
            properties = context.get("properties")
            if properties is None:
                return None
            value = cast(Context, properties).get(name)
            if value is None:
                return None
        if value.__class__ is str:
            return value
        return as_text(value)

    if name == "currentTime":

        def get_current_time(context: Context) -> str | None:
            value = get(context)
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if value is None else value

        return get_current_time
    return get
