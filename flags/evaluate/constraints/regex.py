"""REGEX: the field matches the pattern in `value` anywhere (a search, not a full match).

Patterns use RE2 syntax, as Unleash validates them; `re2_syntax` translates them
to Python's `re`. A pattern that is invalid or cannot be honoured exactly
matches nothing, so the constraint is false (and true when inverted), which is
what Unleash does with an invalid pattern.
"""

from __future__ import annotations

from flags.evaluate.constraints.re2_syntax import UnsupportedPattern, compile_re2
from flags.evaluate.context import Context, Getter, Predicate
from flags.evaluate.predicates import NEVER
from flags.model import Constraint


def build(constraint: Constraint, get: Getter) -> Predicate:
    """REGEX: true when the field is present and the pattern is found in it."""
    if constraint.value is None:
        return NEVER
    try:
        search = compile_re2(constraint.value, ignore_case=constraint.case_insensitive).search
    except UnsupportedPattern:
        return NEVER

    def check(context: Context) -> bool:
        text = get(context)
        return text is not None and search(text) is not None

    return check
