"""`gradualRolloutSessionId` (legacy): `percentage`% of sessions, sticky on sessionId."""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Predicate
from flags.evaluate.predicates import NEVER
from flags.evaluate.strategies.base import StrategyOptions
from flags.evaluate.strategies.rollout import parse_percentage, sticky_rollout


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """Off without a valid percentage and a groupId, and for contexts without a sessionId."""
    percentage = parse_percentage(parameters.get("percentage"))
    group_id = parameters.get("groupId")
    if percentage is None or group_id is None:
        return NEVER
    return sticky_rollout(percentage, "sessionId", group_id)
