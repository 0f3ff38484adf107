"""Sticky percentage rollouts, shared by the gradual and flexible rollout strategies.

A context is in a p% rollout when murmur3("group:stickiness value") % 100 + 1,
a number in 1..100, is at most p. The same user is therefore in or out
consistently, everywhere, in every Unleash SDK.
"""

from __future__ import annotations

import random
import re

import mmh3

from flags.evaluate.context import Context, Predicate, field_getter
from flags.evaluate.hashing import ROLLOUT_SEED, murmur3
from flags.evaluate.predicates import ALWAYS, NEVER

_PERCENTAGE = re.compile(r"\+?[0-9]+")
_user_id = field_getter("userId")
_session_id = field_getter("sessionId")


def parse_whole(raw: str | None) -> int | None:
    """A whole number written as Unleash's engine accepts one (digits, maybe `+`), or None."""
    if raw is None or _PERCENTAGE.fullmatch(raw) is None:
        return None
    return int(raw)


def parse_percentage(raw: str | None) -> int | None:
    """A whole percentage 0..100, or None when Unleash would not accept `raw` as one."""
    value = parse_whole(raw)
    return value if value is not None and value <= 100 else None


def sticky_rollout(percentage: int, stickiness: str, group_id: str) -> Predicate:
    """In the first `percentage`% for `stickiness`: "default", "random", or a context field.

    `default` hashes the userId, else the sessionId, else a random number;
    a named field that is absent from the context puts nobody in the rollout.
    """
    if percentage <= 0:
        return NEVER
    prefix = group_id + ":"
    if stickiness == "random":
        return ALWAYS if percentage >= 100 else lambda context: random.randint(1, 100) <= percentage
    if stickiness == "default":
        if percentage >= 100:
            return ALWAYS

        def in_default_rollout(context: Context) -> bool:
            value = _user_id(context)
            if value is None:
                value = _session_id(context)
                if value is None:
                    return random.randint(1, 100) <= percentage
            key = prefix + value
            if key.isascii():
                return mmh3.hash(key, ROLLOUT_SEED, signed=False) % 100 < percentage
            return murmur3(key, ROLLOUT_SEED) % 100 < percentage

        return in_default_rollout
    get = field_getter(stickiness)

    def in_rollout(context: Context) -> bool:
        value = get(context)
        if value is None:
            return False
        key = prefix + value
        if key.isascii():
            return mmh3.hash(key, ROLLOUT_SEED, signed=False) % 100 < percentage
        return murmur3(key, ROLLOUT_SEED) % 100 < percentage

    return in_rollout
