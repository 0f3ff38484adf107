"""`remoteAddress`: on for the addresses or CIDR networks listed in the `IPs` parameter."""

from __future__ import annotations

from collections.abc import Mapping

from flags.evaluate.constraints.cidr import address_in, parse_networks
from flags.evaluate.context import Predicate, field_getter
from flags.evaluate.predicates import NEVER
from flags.evaluate.strategies.base import StrategyOptions

_remote_address = field_getter("remoteAddress")


def build(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
    """True when remoteAddress is in a listed network; invalid entries are skipped."""
    listed = parameters.get("IPs")
    if listed is None:
        return NEVER
    return address_in(_remote_address, parse_networks(listed.split(",")))
