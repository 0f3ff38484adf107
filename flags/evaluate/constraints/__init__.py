"""Constraints: one module per operator family, in an explicit operator registry.

`compile_constraints` turns a strategy's constraints (and its segments') into
one predicate, applying `inverted` uniformly. An unknown operator, or a value an
operator cannot use at all, raises FlagDefinitionError: Unleash then treats the
whole feature as off, and so does the engine here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from flags.errors import FlagDefinitionError
from flags.evaluate.constraints import cidr, lists, ordinal, regex, strings
from flags.evaluate.context import Getter, Predicate, field_getter
from flags.evaluate.predicates import all_of, negate
from flags.model import Constraint

OperatorBuilder = Callable[[Constraint, Getter], Predicate]

OPERATORS: Mapping[str, OperatorBuilder] = MappingProxyType(
    {
        "IN": lists.build_in,
        "NOT_IN": lists.build_not_in,
        "STR_CONTAINS": strings.build_contains,
        "STR_STARTS_WITH": strings.build_starts_with,
        "STR_ENDS_WITH": strings.build_ends_with,
        "NUM_EQ": ordinal.build,
        "NUM_GT": ordinal.build,
        "NUM_GTE": ordinal.build,
        "NUM_LT": ordinal.build,
        "NUM_LTE": ordinal.build,
        "DATE_AFTER": ordinal.build,
        "DATE_BEFORE": ordinal.build,
        "SEMVER_EQ": ordinal.build,
        "SEMVER_GT": ordinal.build,
        "SEMVER_GTE": ordinal.build,
        "SEMVER_LT": ordinal.build,
        "SEMVER_LTE": ordinal.build,
        "REGEX": regex.build,
        "IN_CIDR": cidr.build,
    }
)


def compile_constraint(constraint: Constraint) -> Predicate:
    """One constraint as a predicate; raises FlagDefinitionError if it is unusable."""
    build = OPERATORS.get(constraint.operator)
    if build is None:
        raise FlagDefinitionError(f"unknown constraint operator {constraint.operator!r}")
    predicate = build(constraint, field_getter(constraint.context_name))
    return negate(predicate) if constraint.inverted else predicate


def compile_constraints(constraints: Iterable[Constraint]) -> Predicate:
    """All of `constraints`, in order."""
    return all_of([compile_constraint(c) for c in constraints])
