"""The lint rules, one per module, in an explicit registry.

Each module defines ``RULE``; its id is the module's name with ``-`` for ``_``. The id is what
config (``[tool.migsafe.lint]``), ignore comments (``# migsafe: ignore[id] reason``),
``migsafe lint --explain ID`` and docs/lint.md use.
"""

from __future__ import annotations

import importlib

from migsafe.lint.model import Rule

# Order: the order rules are documented and reported in.
_MODULES = (
    # tables rewritten under ACCESS EXCLUSIVE
    "column_type_rewrite",
    "volatile_default",
    "set_tablespace",
    "table_rewrite_command",
    # indexes and constraints
    "index_not_concurrent",
    "drop_index_not_concurrent",
    "foreign_key_not_valid",
    "check_not_valid",
    "unique_without_index",
    "primary_key_without_index",
    "set_not_null",
    "add_required_column",
    # data
    "whole_table_update",
    "whole_table_delete",
    "row_by_row_data_migration",
    "truncate_table",
    # the running release
    "drop_column",
    "rename_column",
    "drop_table",
    "rename_table",
    # types, sequences, locks, settings
    "enum_add_value_in_transaction",
    "enum_value_removal",
    "sequence_reset",
    "lock_table",
    "timeout_override",
    # the way back
    "ddl_in_connection_execute",
    "missing_downgrade",
    "invalid_ignore",
)


def _load() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # not written yet
            raise
        rule: Rule = module.RULE
        assert rule.id == name.replace("_", "-"), (rule.id, name)
        rules[rule.id] = rule
    return rules


RULES: dict[str, Rule] = _load()
