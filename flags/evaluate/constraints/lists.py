"""IN and NOT_IN: the field's exact text is (not) one of `values`.

A missing field is in no list, so NOT_IN holds for it. Values are compared as
written, untrimmed and case-sensitively, as Unleash's engine does.
"""

from __future__ import annotations

from flags.evaluate.context import Getter, Predicate
from flags.evaluate.predicates import ALWAYS, NEVER
from flags.model import Constraint


def build_in(constraint: Constraint, get: Getter) -> Predicate:
    """IN: true when the field is present and one of the values."""
    values = frozenset(constraint.values or ())
    if not values:
        return NEVER
    if len(values) == 1:
        (only,) = values
        return lambda context: get(context) == only
    return lambda context: get(context) in values


def build_not_in(constraint: Constraint, get: Getter) -> Predicate:
    """NOT_IN: true when the field is absent or none of the values."""
    values = frozenset(constraint.values or ())
    if not values:
        return ALWAYS
    return lambda context: get(context) not in values
