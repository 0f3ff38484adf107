"""Activation strategies: one module per strategy, in an explicit registry.

A strategy is looked up by the `name` Unleash gives it. Applications may add
their own (Unleash's "custom strategies") by passing `strategies=` to the
engine; a strategy nobody knows is simply off, as in Unleash.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flags.evaluate.strategies import (
    application_hostname,
    default,
    flexible_rollout,
    gradual_rollout_random,
    gradual_rollout_session_id,
    gradual_rollout_user_id,
    remote_address,
    user_with_id,
)
from flags.evaluate.strategies.base import StrategyBuilder, StrategyOptions

REGISTRY: Mapping[str, StrategyBuilder] = MappingProxyType(
    {
        "default": default.build,
        "userWithId": user_with_id.build,
        "gradualRolloutUserId": gradual_rollout_user_id.build,
        "gradualRolloutSessionId": gradual_rollout_session_id.build,
        "gradualRolloutRandom": gradual_rollout_random.build,
        "flexibleRollout": flexible_rollout.build,
        "remoteAddress": remote_address.build,
        "applicationHostname": application_hostname.build,
    }
)

__all__ = ["REGISTRY", "StrategyBuilder", "StrategyOptions"]
