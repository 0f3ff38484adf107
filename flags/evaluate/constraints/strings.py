"""STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH, optionally ignoring case.

True when the field contains / starts with / ends with any of `values`; a
missing field matches nothing. Without values the constraint is unusable and
so is the feature, as in Unleash.
"""

from __future__ import annotations

from collections.abc import Callable

from flags.errors import FlagDefinitionError
from flags.evaluate.context import Context, Getter, Predicate
from flags.model import Constraint

_Test = Callable[[str, tuple[str, ...]], bool]


def _contains(text: str, values: tuple[str, ...]) -> bool:
    return any(value in text for value in values)


def _starts_with(text: str, values: tuple[str, ...]) -> bool:
    return text.startswith(values)


def _ends_with(text: str, values: tuple[str, ...]) -> bool:
    return text.endswith(values)


def _build(test: _Test) -> Callable[[Constraint, Getter], Predicate]:
    def build(constraint: Constraint, get: Getter) -> Predicate:
        values = tuple(constraint.values or ())
        if not values:
            raise FlagDefinitionError(f"{constraint.operator} needs a non-empty `values` list")
        if constraint.case_insensitive:
            lowered = tuple(value.lower() for value in values)

            def matches_ignoring_case(context: Context) -> bool:
                text = get(context)
                return text is not None and test(text.lower(), lowered)

            return matches_ignoring_case

        def matches(context: Context) -> bool:
            text = get(context)
            return text is not None and test(text, values)

        return matches

    return build


build_contains = _build(_contains)
build_starts_with = _build(_starts_with)
build_ends_with = _build(_ends_with)
