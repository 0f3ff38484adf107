"""`gradualRolloutUserId` (legacy): `percentage`% of users, sticky on userId within `groupId`."""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Predicate
from flags.evaluate.predicates import NEVER
from flags.evaluate.strategies.base import StrategyOptions
from flags.evaluate.strategies.rollout import parse_percentage, sticky_rollout


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """Off without a valid percentage and a groupId, and for contexts without a userId."""
    percentage = parse_percentage(parameters.get("percentage"))
    group_id = parameters.get("groupId")
    if percentage is None or group_id is None:
        return NEVER
    return sticky_rollout(percentage, "userId", group_id)
