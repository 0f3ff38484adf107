"""What differs between two schema descriptions, worded for a person reading an error.

:func:`~migsafe.engine.fingerprint.diff.diff_descriptions` names each difference by its path in
the description (``relations["public.users"].columns["nickname"]: removed``), which is exact
but reads like a data structure. Here the same differences are named by the objects they are
about, the way the schema's author knows them: ``table "public.users": column "nickname" is
missing``, ``enum type "public.mood" is extra``, ``table "public.t": column "id": type was
'integer', now 'bigint'``. The description is *before* (what was expected) against *after*
(what is there), so an object only in *before* is missing and one only in *after* is extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from migsafe.engine.fingerprint._common import Description
from migsafe.engine.fingerprint.diff import Difference, differences, show_pair

__all__ = ["capped", "worded_differences"]

#: What one object of each collection is called, when its own description does not say.
_NOUNS = {
    "schemas": "schema",
    "extensions": "extension",
    "relations": "relation",
    "columns": "column",
    "constraints": "constraint",
    "indexes": "index",
    "triggers": "trigger",
    "policies": "policy",
    "sequences": "sequence",
    "types": "type",
    "functions": "function",
    "checks": "check constraint",
}
_CONSTRAINT_TYPES = {
    "c": "check constraint",
    "f": "foreign key",
    "n": "not-null constraint",
    "p": "primary key",
    "t": "constraint trigger",
    "u": "unique constraint",
    "x": "exclusion constraint",
}
_FUNCTION_KINDS = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}
#: Attribute names as a reader knows them (the rest: underscores read as spaces).
_ATTRIBUTES = {
    "acl": "privileges",
    "not_null": "NOT NULL",
    "pk": "primary key position",
    "sql": "SQL text",
    "row_security": "row security (enabled, forced)",
    "foreign_keys": "foreign keys",
}


def worded_differences(before: Description, after: Description) -> list[str]:
    """One line per difference from *before* (expected) to *after* (found), naming the object.

    Lines are ``<object>[: <object inside it>] is missing`` / ``... is extra``, or
    ``<object>: <attribute> was X, now Y``; long values are clipped around the difference.
    """
    return [_word(d, before, after) for d in differences(before, after)]


def capped(lines: Sequence[str], limit: int = 20) -> tuple[str, ...]:
    """At most *limit* lines: the first ``limit - 1`` and ``... and N more`` when there are
    more, so a schema that differs everywhere does not bury the error line."""
    if len(lines) <= limit:
        return tuple(lines)
    shown = limit - 1
    return (*lines[:shown], f"... and {len(lines) - shown} more")


def _word(d: Difference, before: Description, after: Description) -> str:
    objects: list[str] = []
    attribute: list[str] = []
    collection: str | None = None
    node_before: Any = before
    node_after: Any = after
    for key, named in d.path:
        node_before = _child(node_before, key)
        node_after = _child(node_after, key)
        if named and not attribute:
            objects.append(_named(collection, key, node_before, node_after))
            collection = None
        elif not attribute and key in _NOUNS and collection is None:
            collection = key
        else:
            if collection is not None:  # a collection shown whole (e.g. its order)
                attribute.append(collection)
                collection = None
            attribute.append(key)
    if collection is not None:
        attribute.append(collection)
    subject = ": ".join(objects)
    what = " ".join(_ATTRIBUTES.get(a, a.replace("_", " ")) for a in attribute)
    if d.kind == "order":
        change = f"{what} in a different order: was {d.before!r}, now {d.after!r}"
        return f"{subject}: {change}" if subject else change
    if d.kind in ("removed", "added"):
        verb = "is missing" if d.kind == "removed" else "is extra"
        if what:
            return f"{subject}: {what} {verb}" if subject else f"{what} {verb}"
        return f"{subject} {verb}"
    was, now = show_pair(d.before, d.after)
    change = f"{what or 'value'} was {was}, now {now}"
    return f"{subject}: {change}" if subject else change


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list):  # a named list: columns
        return next((x for x in node if isinstance(x, dict) and x.get("name") == key), None)
    return None


def _named(collection: str | None, name: str, before: Any, after: Any) -> str:
    item = before if isinstance(before, dict) else after if isinstance(after, dict) else {}
    noun = _NOUNS.get(collection or "", "object")
    kind = item.get("kind")
    if collection == "relations" and isinstance(kind, str):
        noun = kind  # table, view, materialized view, ...
    elif collection == "types" and isinstance(kind, str):
        noun = f"{kind} type"  # enum type, domain type, ...
    elif collection == "functions" and isinstance(kind, str):
        noun = _FUNCTION_KINDS.get(kind, noun)
    elif collection == "constraints":
        noun = _CONSTRAINT_TYPES.get(str(item.get("type")), noun)
    return f'{noun} "{name}"'
