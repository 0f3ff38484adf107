"""Table names: ``(schema, table)`` pairs, their ``"schema.table"`` spelling, names in SQL."""

from __future__ import annotations

from typing import Any

from pglast import ast

Name = tuple[str, str]  # (schema, table), unquoted


def _fmt(name: Name) -> str:
    return f"{name[0]}.{name[1]}"


def _split(name: str) -> Name:
    schema, _, table = name.partition(".")
    return (schema, table)


def _parse_name(text: str | None) -> list[str] | None:
    """A dotted name as regclass input reads it (``s."T"`` -> ["s", "T"]), or None."""
    if text is None:
        return None
    s, i, parts = text.strip(), 0, []
    while True:
        if s[i : i + 1] == '"':
            part, i = _quoted(s, i + 1)
        else:
            j = i
            while j < len(s) and s[j] not in '."' and not s[j].isspace():
                j += 1
            # Like PostgreSQL's downcase_identifier(): ASCII letters only.
            part = "".join(c.lower() if "A" <= c <= "Z" else c for c in s[i:j])
            i = j
        if not part:
            return None
        parts.append(part)
        if i == len(s):
            return parts if len(parts) <= 3 else None
        if s[i] != ".":
            return None
        i += 1


def _quoted(s: str, i: int) -> tuple[str, int]:
    """The identifier quoted from s[i] up to its closing quote, and the index after it."""
    part = ""
    while True:
        end = s.find('"', i)
        if end < 0:
            return "", len(s)
        part += s[i:end]
        if s[end + 1 : end + 2] != '"':
            return part, end + 1
        part += '"'
        i = end + 2


def _strings(node: Any) -> list[str]:
    items = node if isinstance(node, tuple) else (node,)
    return [s.sval for s in items if isinstance(s, ast.String) and s.sval is not None]


def _literal(node: Any) -> str | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    return None


def _func_name(call: ast.FuncCall) -> str:
    names = _strings(call.funcname)
    if len(names) > 1 and names[-2] != "pg_catalog":
        return ".".join(names)
    return names[-1] if names else ""
