"""What differs between two schema descriptions, as human-readable lines."""

from __future__ import annotations

import json
from typing import Any

from migsafe.db.fingerprint._common import Description

#: Keys whose values are collections of named objects (shown as ``["name"]`` in paths).
_COLLECTIONS = frozenset(
    {
        "schemas",
        "extensions",
        "relations",
        "columns",
        "constraints",
        "indexes",
        "triggers",
        "policies",
        "sequences",
        "types",
        "functions",
        "checks",
    }
)
_SHORT = 100


def diff_descriptions(a: Description, b: Description) -> list[str]:
    """What differs from *a* (before) to *b* (after), one human-readable line per difference.

    Lines look like ``relations["public.t"].columns["id"].type: 'integer' -> 'bigint'``,
    ``... .indexes["ix_t_a"]: removed`` or ``... .columns: order ['a', 'b'] -> ['b', 'a']``.
    """
    out: list[str] = []
    _diff(a, b, "", False, out)
    return out


def _diff(a: Any, b: Any, path: str, named: bool, out: list[str]) -> None:
    if isinstance(a, list) and isinstance(b, list) and _named_list(a) and _named_list(b):
        order_a = [x["name"] for x in a]
        order_b = [x["name"] for x in b]
        _diff({x["name"]: x for x in a}, {x["name"]: x for x in b}, path, True, out)
        common = set(order_a) & set(order_b)
        kept_a = [n for n in order_a if n in common]
        kept_b = [n for n in order_b if n in common]
        if kept_a != kept_b:
            out.append(f"{path or '<root>'}: order {kept_a!r} -> {kept_b!r}")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            sub = (
                f"{path}[{json.dumps(key, ensure_ascii=False)}]"
                if named
                else (f"{path}.{key}" if path else str(key))
            )
            child_named = not named and key in _COLLECTIONS
            if key not in b:
                out.append(f"{sub}: removed")
            elif key not in a:
                out.append(f"{sub}: added")
            else:
                _diff(a[key], b[key], sub, child_named, out)
        return
    if a != b:
        out.append(f"{path or '<root>'}: {_show_pair(a, b)}")


def _named_list(items: list[Any]) -> bool:
    names = [x.get("name") for x in items if isinstance(x, dict)]
    return len(names) == len(items) and None not in names and len(set(names)) == len(names)


def _show_pair(a: Any, b: Any) -> str:
    """Both values, shortened around their first difference (function bodies are long)."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > _SHORT:
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        start = max(0, start - 20)
        return f"{_clip(a, start)} -> {_clip(b, start)}"
    return f"{_clip(a)} -> {_clip(b)}"


def _clip(value: Any, start: int = 0) -> str:
    if isinstance(value, str):
        shown = repr(value[start : start + _SHORT])
        return ("…" if start else "") + shown + ("…" if len(value) > start + _SHORT else "")
    shown = repr(value)
    return shown if len(shown) <= _SHORT else shown[:_SHORT] + "…"
