"""The engine: a client-features document compiled once, evaluated many times, never raising.

Flag checks sit in request paths of the host application, so `is_enabled` and
`get_variant` never raise and never do I/O: an unknown flag gives the caller's
default, and anything that goes wrong while evaluating gives the default (or
the disabled variant) and is logged once per flag. An engine is immutable after
construction, hence thread-safe and fork-safe; to change flags, build a new one
and swap the reference.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from dataclasses import replace
from threading import Lock

from flags.evaluate.context import EMPTY, Context, Predicate
from flags.evaluate.feature import VariantGetter, always_off, compile_feature
from flags.evaluate.strategies import REGISTRY, StrategyBuilder
from flags.model import ClientFeatures, Feature
from flags.parsing import Loaded, load_client_features
from flags.variant import DISABLED, Variant

logger = logging.getLogger("flags")

Gate = Callable[[Feature], bool]
"""Whether a feature may be on at all, whatever its definition says (e.g. a revision gate)."""


class Engine:
    """Evaluates the flags of one client-features document.

    `state` is the parsed JSON of `GET /api/client/features` (or a
    `ClientFeatures`). Features that cannot be read or compiled are off, and
    listed in `problems`. `strategies` adds custom strategies to the registry;
    `hostname` overrides this machine's name for `applicationHostname`.
    `gate` holds features off as if they were disabled (so their dependents see
    them off too); a gate that fails holds the feature off.
    """

    def __init__(
        self,
        state: Mapping[str, object] | ClientFeatures,
        *,
        strategies: Mapping[str, StrategyBuilder] | None = None,
        hostname: str | None = None,
        gate: Gate | None = None,
    ) -> None:
        loaded = Loaded(state) if isinstance(state, ClientFeatures) else load_client_features(state)
        document = loaded.document
        registry = {**REGISTRY, **(strategies or {})}
        host = socket.gethostname() if hostname is None else hostname
        features = {f.name: f for f in document.features}
        self.disabled = frozenset(name for name, f in features.items() if not f.enabled)
        """Features switched off in their definition (the kill switch)."""
        self.gated = frozenset(
            name for name, f in features.items() if f.enabled and not _allows(gate, f)
        )
        """Features on in their definition but held off by `gate`."""
        features = {
            n: replace(f, enabled=False) if n in self.gated else f for n, f in features.items()
        }
        segments = {s.id: s for s in document.segments}
        compiled = [always_off(name, None) for name in sorted(loaded.broken_features)]
        compiled += [
            compile_feature(f, features, segments, registry, host) for f in features.values()
        ]
        self._enabled: Mapping[str, bool | Predicate] = {c.name: c.enabled for c in compiled}
        self._variants: Mapping[str, VariantGetter] = {c.name: c.variant for c in compiled}
        self._impressions = frozenset(f.name for f in features.values() if f.impression_data)
        self.document = document
        self.problems: tuple[str, ...] = loaded.problems + tuple(
            c.problem for c in compiled if c.problem is not None
        )
        self._reported: set[str] = set()
        self._report_lock = Lock()
        for problem in self.problems:
            logger.warning("flags: %s", problem)

    @property
    def names(self) -> frozenset[str]:
        """The names of all known features, including those that are off because broken."""
        return frozenset(self._enabled)

    def knows(self, name: str) -> bool:
        """Whether `name` is a feature of this document (broken ones included)."""
        return name in self._enabled

    def is_static(self, name: str) -> bool:
        """Whether `name` is known and gives the same answer for every context."""
        entry = self._enabled.get(name)
        return entry is True or entry is False

    def is_enabled(self, name: str, context: Context | None = None, default: bool = False) -> bool:
        """Whether feature `name` is on for `context`; `default` if it is unknown. Never raises."""
        try:
            entry = self._enabled.get(name)
            if entry is None:
                return default
            if entry is True or entry is False:
                return entry
            return entry(EMPTY if context is None else context)
        except Exception:
            self._report(name, "is_enabled")
            return default

    def get_variant(self, name: str, context: Context | None = None) -> Variant:
        """The variant of `name` for `context`; the disabled variant if none. Never raises."""
        try:
            variant = self._variants.get(name)
            if variant is None:
                return DISABLED
            return variant(EMPTY if context is None else context)
        except Exception:
            self._report(name, "get_variant")
            return DISABLED

    def impression_data(self, name: str) -> bool:
        """Whether feature `name` asks for impression events (`impressionData`)."""
        return name in self._impressions

    def _report(self, name: object, call: str) -> None:
        key = name if isinstance(name, str) else repr(name)
        with self._report_lock:
            if key in self._reported:
                return
            self._reported.add(key)
        logger.warning(
            "flags: %s(%r) failed and returned the default; further failures of this flag "
            "are not logged",
            call,
            name,
            exc_info=True,
        )


def _allows(gate: Gate | None, feature: Feature) -> bool:
    if gate is None:
        return True
    try:
        return gate(feature)
    except Exception:  # fail closed: a gate that cannot decide holds the feature off
        logger.warning("flags: the gate of %r failed; it is off", feature.name, exc_info=True)
        return False
