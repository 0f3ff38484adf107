"""`userWithId`: on for the userIds listed, comma-separated, in the `userIds` parameter."""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Context, Predicate, field_getter
from flags.evaluate.predicates import NEVER
from flags.evaluate.strategies.base import StrategyOptions

_user_id = field_getter("userId")


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """True when the context's userId is one of the listed ids (each trimmed)."""
    listed = parameters.get("userIds")
    if listed is None:
        return NEVER
    ids = frozenset(part.strip() for part in listed.split(","))

    def check(context: Context) -> bool:
        return _user_id(context) in ids

    return check
