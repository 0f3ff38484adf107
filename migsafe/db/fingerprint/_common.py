"""Helpers shared by the fingerprint modules: the description type, scope, hashing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from typing import Any

Description = dict[str, Any]
_Rows = list[tuple[Any, ...]]


class _Scope:
    """Which schemas and relations take part (the exclusions given by the caller)."""

    def __init__(self, exclude_schemas: Collection[str], exclude_tables: Collection[str]):
        # A bare string is a Collection[str] too, and `in` would then match substrings.
        self.schemas = (
            {exclude_schemas} if isinstance(exclude_schemas, str) else set(exclude_schemas)
        )
        self.tables = {exclude_tables} if isinstance(exclude_tables, str) else set(exclude_tables)

    def schema(self, schema: str) -> bool:
        return schema not in self.schemas

    def relation(self, schema: str, name: str) -> bool:
        return (
            schema not in self.schemas
            and f"{schema}.{name}" not in self.tables
            and name not in self.tables
        )


def _sha256_json(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _sorted(value: Any) -> Any:
    """Dict keys sorted recursively, so the description reads (and serialises) canonically."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value
