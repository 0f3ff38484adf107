"""`gradualRolloutRandom` (legacy): each evaluation is on with probability about `percentage`%.

Unleash's engine draws a number in 1..99 and compares it with `<`, so 1% is
never on and 100% always is; the same draw is reproduced here.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from flags.evaluate.context import Context, Predicate
from flags.evaluate.predicates import ALWAYS, NEVER
from flags.evaluate.strategies.base import StrategyOptions
from flags.evaluate.strategies.rollout import parse_whole


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """Random, not sticky: use flexibleRollout with stickiness for anything user-facing."""
    percentage = parse_whole(parameters.get("percentage"))
    if percentage is None:
        return NEVER
    if percentage >= 100:
        return ALWAYS
    if percentage <= 1:
        return NEVER

    def check(context: Context) -> bool:
        return random.randint(1, 99) < percentage

    return check
