"""Numbers as Unleash's engine reads them: Rust's `f64` syntax, equality within epsilon.

A context value must be exactly a number (no surrounding spaces, no `_`;
`inf`, `nan` and exponents allowed). A constraint's `value` may be padded with
spaces but must start with a digit or sign, as in Unleash's rule grammar.
"""

from __future__ import annotations

import re
import sys

_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)",
    re.IGNORECASE,
)
_LITERAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """The number a context value spells, or None when Unleash would not read it as one."""
    if _NUMBER.fullmatch(text) is None:
        return None
    return float(text)


def parse_number_literal(raw: str) -> float | None:
    """The number a constraint `value` spells, or None if it is not a numeric literal."""
    raw = raw.strip()
    return float(raw) if _LITERAL.fullmatch(raw) else None


def numbers_equal(left: float, right: float) -> bool:
    """Equality as Unleash tests it: closer than machine epsilon."""
    return abs(left - right) < sys.float_info.epsilon
