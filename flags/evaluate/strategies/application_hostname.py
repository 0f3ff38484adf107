"""`applicationHostname`: on in the processes whose host is listed in `hostNames`.

The hostname is read once when the engine starts, so this is a constant per
process and costs nothing per evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.context import Predicate
from flags.evaluate.predicates import ALWAYS, NEVER
from flags.evaluate.strategies.base import StrategyOptions


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """True when this host is listed (case-insensitively, comma-separated)."""
    hosts = {part.strip().lower() for part in parameters.get("hostNames", "").split(",")}
    return ALWAYS if options.hostname.lower() in hosts else NEVER
