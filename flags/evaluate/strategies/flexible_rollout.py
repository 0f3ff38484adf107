"""`flexibleRollout`: `rollout`% of contexts, sticky on `stickiness` within `groupId`.

The strategy Unleash creates by default. `stickiness` is `default` (userId,
else sessionId, else random), `random`, or any context field; `groupId`
defaults to the feature's name.
"""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Predicate
from flags.evaluate.predicates import NEVER
from flags.evaluate.strategies.base import StrategyOptions
from flags.evaluate.strategies.rollout import parse_percentage, sticky_rollout


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """Off when `rollout` is not a whole number 0..100."""
    percentage = parse_percentage(parameters.get("rollout"))
    if percentage is None:
        return NEVER
    return sticky_rollout(
        percentage,
        parameters.get("stickiness", "default"),
        parameters.get("groupId", options.group_id),
    )
