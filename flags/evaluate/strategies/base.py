"""What a strategy is to the engine: a builder from parameters to a predicate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from flags.evaluate.context import Predicate


@dataclass(frozen=True)
class StrategyOptions:
    """What a builder may need besides the strategy's own parameters."""

    group_id: str
    """Rollouts without a `groupId` parameter hash on this: the feature's name."""

    hostname: str
    """This machine's name, for `applicationHostname`; read once, when the engine starts."""


class StrategyBuilder(Protocol):
    """Builds one strategy's predicate, once, when its feature is compiled."""

    def __call__(self, parameters: Mapping[str, str], options: StrategyOptions) -> Predicate: ...
