"""NUM_*, DATE_* and SEMVER_*: one ordered comparison, typed by how `value` is written.

Unleash's engine compiles these operators to `field <op> value` in its rule
language, where the *literal* decides the kind of comparison: `12` compares as
a number, `1.2.3` as a version, `2024-01-01T00:00:00Z` as an instant, whatever
the operator's prefix. So `SEMVER_LT 1.2` is a numeric comparison there, and
here. A field that does not read as the literal's kind makes the constraint
false; a `value` of no kind makes the whole feature unusable; a SEMVER value
written `v1.2.3` is refused outright (false even when inverted).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from flags.errors import FlagDefinitionError
from flags.evaluate.constraints.dates import parse_instant, parse_instant_literal
from flags.evaluate.constraints.numbers import numbers_equal, parse_number, parse_number_literal
from flags.evaluate.constraints.semver import version_key
from flags.evaluate.context import Context, Getter, Predicate
from flags.evaluate.predicates import REJECTED
from flags.model import Constraint

Compare = Callable[[Any, Any], bool]

SYMBOLS: dict[str, str] = {
    "NUM_EQ": "==",
    "NUM_GT": ">",
    "NUM_GTE": ">=",
    "NUM_LT": "<",
    "NUM_LTE": "<=",
    "DATE_AFTER": ">",
    "DATE_BEFORE": "<",
    "SEMVER_EQ": "==",
    "SEMVER_GT": ">",
    "SEMVER_GTE": ">=",
    "SEMVER_LT": "<",
    "SEMVER_LTE": "<=",
}
_COMPARE: dict[str, Compare] = {
    "==": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def build(constraint: Constraint, get: Getter) -> Predicate:
    """The comparison for one of the operators in SYMBOLS."""
    raw = constraint.value
    if raw is None:
        raise FlagDefinitionError(f"{constraint.operator} needs a `value`")
    if constraint.operator.startswith("SEMVER_") and raw.startswith("v"):
        return REJECTED
    symbol = SYMBOLS[constraint.operator]
    compare = _COMPARE[symbol]
    number = parse_number_literal(raw)
    if number is not None:
        if symbol == "==":
            compare = numbers_equal
        return _comparison(get, parse_number, compare, number)
    instant = parse_instant_literal(raw)
    if instant is not None:
        return _comparison(get, parse_instant, compare, instant)
    version = version_key(raw.strip())
    if version is not None:
        return _comparison(get, version_key, compare, version)
    raise FlagDefinitionError(
        f"{constraint.operator} needs a number, an RFC 3339 instant or a version, got {raw!r}"
    )


def _comparison(
    get: Getter,
    parse: Callable[[str], Any],
    compare: Compare,
    target: object,
) -> Predicate:
    def check(context: Context) -> bool:
        text = get(context)
        if text is None:
            return False
        value = parse(text)
        return value is not None and compare(value, target)

    return check
