"""IN_CIDR: the field is an IP address inside one of the networks in `values`.

Values may be networks (`10.0.0.0/8`) or single addresses; host bits are
ignored and invalid entries are skipped, as in Unleash. An address that does not
parse (spaces, brackets, a zone id) is in no network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flags.errors import FlagDefinitionError
from flags.evaluate.context import Context, Getter, Predicate
from flags.evaluate.predicates import NEVER
from flags.model import Constraint

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The valid networks among `entries`; the others are dropped."""
    networks: list[Network] = []
    for entry in entries:
        if "%" in entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """The address `text` spells exactly, or None."""
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def address_in(get: Getter, networks: tuple[Network, ...]) -> Predicate:
    """True when the field is an address inside one of `networks`."""
    if not networks:
        return NEVER

    def check(context: Context) -> bool:
        text = get(context)
        if text is None:
            return False
        address = parse_address(text)
        return address is not None and any(address in network for network in networks)

    return check


def build(constraint: Constraint, get: Getter) -> Predicate:
    """IN_CIDR; a constraint without `values` makes the feature unusable, as in Unleash."""
    if not constraint.values:
        raise FlagDefinitionError("IN_CIDR needs a non-empty `values` list")
    return address_in(get, parse_networks(constraint.values))
