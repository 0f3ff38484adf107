"""`default`: on for everyone (its constraints and segments still apply)."""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Predicate
from flags.evaluate.predicates import ALWAYS
from flags.evaluate.strategies.base import StrategyOptions


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """Always true."""
    return ALWAYS
