"""Choosing a variant: overrides first, then a sticky weighted draw.

The draw hashes the stickiness value with the variants' own seed (86028157)
modulo the total weight, and walks the cumulative weights, exactly as every
Unleash SDK does, so a user gets the same variant here as in any other client.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate

import mmh3

from flags.evaluate.context import Context, Getter, field_getter
from flags.evaluate.hashing import VARIANT_SEED, murmur3
from flags.model import VariantDefinition
from flags.variant import Variant

Chooser = Callable[[Context], Variant | None]
"""Picks a variant for a context; None when the weights leave nothing to pick."""

_user_id = field_getter("userId")
_session_id = field_getter("sessionId")


def _default_seed(context: Context) -> str | None:
    value = _user_id(context)
    return value if value is not None else _session_id(context)


def compile_chooser(
    definitions: Sequence[VariantDefinition], group_id: str, stickiness: str | None
) -> Chooser | None:
    """A chooser over `definitions`, or None when there are none.

    `stickiness` is "default" (userId, else sessionId) or a context field; when
    the context lacks it the draw is random, so the variant is not sticky.
    """
    if not definitions:
        return None
    results = tuple(
        Variant(name=d.name, enabled=True, feature_enabled=True, payload=d.payload)
        for d in definitions
    )
    cumulative = list(accumulate(max(d.weight, 0) for d in definitions))
    total = cumulative[-1]
    overrides = tuple(
        (field_getter(o.context_name), frozenset(o.values), result)
        for d, result in zip(definitions, results, strict=True)
        for o in d.overrides
    )
    seed: Getter = (
        _default_seed if stickiness in (None, "default") else field_getter(stickiness or "")
    )
    prefix = group_id + ":"

    def choose(context: Context) -> Variant | None:
        for get, values, result in overrides:
            if get(context) in values:
                return result
        if total <= 0:
            return None
        value = seed(context)
        if value is None:
            target = random.randint(1, total)
        else:
            key = prefix + value
            if key.isascii():
                target = mmh3.hash(key, VARIANT_SEED, signed=False) % total + 1
            else:
                target = murmur3(key, VARIANT_SEED) % total + 1
        return results[bisect_left(cumulative, target)]

    return choose
