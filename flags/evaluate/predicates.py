"""Constant predicates and the and/or/not that fold them at compile time.

Folding matters for speed: a plain on/off flag compiles down to a constant, so
evaluating it is a dictionary lookup and no call at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from flags.evaluate.context import Context, Predicate


def ALWAYS(context: Context) -> bool:
    """True for every context."""
    return True


def NEVER(context: Context) -> bool:
    """False for every context."""
    return False


def REJECTED(context: Context) -> bool:
    """False for every context, and still False when inverted.

    Unleash turns a constraint it refuses outright (a semver written `v1.2.3`)
    into a plain `false` before applying `inverted`, so inverting must not flip it.
    """
    return False


def negate(predicate: Predicate) -> Predicate:
    """`not predicate`, folded for constants."""
    if predicate is REJECTED:
        return REJECTED
    if predicate is ALWAYS:
        return NEVER
    if predicate is NEVER:
        return ALWAYS
    return lambda context: not predicate(context)


def all_of(predicates: Sequence[Predicate]) -> Predicate:
    """True when every predicate is, checked in order and stopping at the first False."""
    rest = [p for p in predicates if p is not ALWAYS]
    if any(p is NEVER or p is REJECTED for p in rest):
        return NEVER
    if not rest:
        return ALWAYS
    if len(rest) == 1:
        return rest[0]
    if len(rest) == 2:
        first, second = rest
        return lambda context: first(context) and second(context)
    chain = tuple(rest)

    def every(context: Context) -> bool:  # a plain loop: all() over a generator is slower
        for predicate in chain:  # noqa: SIM110
            if not predicate(context):
                return False
        return True

    return every


def any_of(predicates: Sequence[Predicate]) -> Predicate:
    """True when some predicate is, checked in order and stopping at the first True."""
    rest = [p for p in predicates if p is not NEVER and p is not REJECTED]
    if any(p is ALWAYS for p in rest):
        return ALWAYS
    if not rest:
        return NEVER
    if len(rest) == 1:
        return rest[0]
    chain = tuple(rest)

    def some(context: Context) -> bool:
        for predicate in chain:  # noqa: SIM110
            if predicate(context):
                return True
        return False

    return some
