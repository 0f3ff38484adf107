"""What differs between two schema descriptions: as data, and as path-style lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from migsafe.engine.fingerprint._common import Description

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

Kind = Literal["removed", "added", "changed", "order"]


@dataclass(frozen=True)
class Difference:
    """One difference from a description *a* (before) to *b* (after).

    ``path`` holds the keys down to what differs, each with whether it names an object of a
    collection (``("relations", True)`` is not that: ``("public.t", True)`` is). ``before``
    and ``after`` are the two values (for ``"order"``, the names in each order); absent on
    the side where the object is ``"removed"`` or ``"added"``.
    """

    path: tuple[tuple[str, bool], ...]
    kind: Kind
    before: Any = None
    after: Any = None

    @property
    def dotted(self) -> str:
        """The path as ``relations["public.t"].columns["id"].type``."""
        out = ""
        for key, named in self.path:
            if named:
                out += f"[{json.dumps(key, ensure_ascii=False)}]"
            else:
                out += f".{key}" if out else key
        return out or "<root>"


def diff_descriptions(a: Description, b: Description) -> list[str]:
    """What differs from *a* (before) to *b* (after), one human-readable line per difference.

    Lines look like ``relations["public.t"].columns["id"].type: 'integer' -> 'bigint'``,
    ``... .indexes["ix_t_a"]: removed`` or ``... .columns: order ['a', 'b'] -> ['b', 'a']``.
    :func:`migsafe.engine.fingerprint.wording.worded_differences` words them for a user.
    """
    out: list[str] = []
    for d in differences(a, b):
        if d.kind in ("removed", "added"):
            out.append(f"{d.dotted}: {d.kind}")
        elif d.kind == "order":
            out.append(f"{d.dotted}: order {d.before!r} -> {d.after!r}")
        else:
            shown_a, shown_b = show_pair(d.before, d.after)
            out.append(f"{d.dotted}: {shown_a} -> {shown_b}")
    return out


def differences(a: Description, b: Description) -> list[Difference]:
    """What differs from *a* (before) to *b* (after), as data, in a stable order."""
    out: list[Difference] = []
    _diff(a, b, (), False, out)
    return out


def _diff(
    a: Any, b: Any, path: tuple[tuple[str, bool], ...], named: bool, out: list[Difference]
) -> None:
    if isinstance(a, list) and isinstance(b, list) and _named_list(a) and _named_list(b):
        order_a = [x["name"] for x in a]
        order_b = [x["name"] for x in b]
        _diff({x["name"]: x for x in a}, {x["name"]: x for x in b}, path, True, out)
        common = set(order_a) & set(order_b)
        kept_a = [n for n in order_a if n in common]
        kept_b = [n for n in order_b if n in common]
        if kept_a != kept_b:
            out.append(Difference(path, "order", kept_a, kept_b))
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            sub = (*path, (str(key), named))
            child_named = not named and key in _COLLECTIONS
            if key not in b:
                out.append(Difference(sub, "removed", before=a[key]))
            elif key not in a:
                out.append(Difference(sub, "added", after=b[key]))
            else:
                _diff(a[key], b[key], sub, child_named, out)
        return
    if a != b:
        out.append(Difference(path, "changed", a, b))


def _named_list(items: list[Any]) -> bool:
    names = [x.get("name") for x in items if isinstance(x, dict)]
    return len(names) == len(items) and None not in names and len(set(names)) == len(names)


def show_pair(a: Any, b: Any) -> tuple[str, str]:
    """Both values, shortened around their first difference (function bodies are long)."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > _SHORT:
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        start = max(0, start - 20)
        return _clip(a, start), _clip(b, start)
    return _clip(a), _clip(b)


def _clip(value: Any, start: int = 0) -> str:
    if isinstance(value, str):
        shown = repr(value[start : start + _SHORT])
        return ("…" if start else "") + shown + ("…" if len(value) > start + _SHORT else "")
    shown = repr(value)
    return shown if len(shown) <= _SHORT else shown[:_SHORT] + "…"
