"""REGEX: the field matches the pattern in `value` anywhere (a search, not a full match).

Patterns mean what they mean in Unleash's engine (Rust's `regex`); `re2_syntax`
translates them for RE2, whose matching time is linear in the input, so no
pattern can make `is_enabled` wait (`(a+)+$` would, with a backtracking engine).
A pattern that is invalid or cannot be honoured exactly matches nothing, so the
constraint is false (and true when inverted), which is what Unleash does with an
invalid pattern.
"""

from __future__ import annotations

import re

from flags.evaluate.constraints.re2_syntax import UnsupportedPattern, compile_re2
from flags.evaluate.context import Context, Getter, Predicate
from flags.evaluate.predicates import NEVER
from flags.model import Constraint

_SURROGATE = re.compile("[\ud800-\udfff]")


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
        if text is None:
            return False
        try:
            return search(text) is not None
        except UnicodeEncodeError:
            # RE2 reads UTF-8, and a lone surrogate (from bytes decoded with surrogateescape)
            # has no UTF-8 form: it cannot be any character a pattern names, so stand in U+FFFD.
            return search(_SURROGATE.sub("\ufffd", text)) is not None

    return check
