"""The flag model: Unleash's client-features format (`GET /api/client/features`) as data.

One model everywhere, so that a team can move flags to or from an Unleash server
unchanged. Keys this model does not interpret (`createdAt`, `sortOrder`, `meta`...)
are kept in `extra` and written back, so parsing then dumping loses nothing.
JSON field names are camelCase; the attributes are their snake_case spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

JsonObject = Mapping[str, Any]

_NOTHING: Mapping[str, Any] = MappingProxyType({})


def _nothing() -> Mapping[str, Any]:
    return _NOTHING


@dataclass(frozen=True)
class Constraint:
    """A condition on one context field; `value` is used by single-value operators."""

    context_name: str
    operator: str
    values: tuple[str, ...] | None = None
    value: str | None = None
    inverted: bool = False
    case_insensitive: bool = False
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)


@dataclass(frozen=True)
class Payload:
    """What a variant carries to the application; `type` is string, json, csv or number."""

    type: str
    value: str


@dataclass(frozen=True)
class Override:
    """Pins a variant for contexts whose `context_name` field is one of `values`."""

    context_name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class VariantDefinition:
    """A weighted variant, of a feature or of a strategy (strategies' have no overrides)."""

    name: str
    weight: int
    payload: Payload | None = None
    stickiness: str | None = None
    weight_type: str | None = None
    overrides: tuple[Override, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)


@dataclass(frozen=True)
class Strategy:
    """One activation strategy; a feature is on when any of its strategies is."""

    name: str
    parameters: Mapping[str, str] = field(default_factory=_nothing, hash=False)
    constraints: tuple[Constraint, ...] = ()
    segments: tuple[int, ...] = ()
    variants: tuple[VariantDefinition, ...] = ()
    disabled: bool = False
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)


@dataclass(frozen=True)
class Dependency:
    """A parent feature this one needs on (or off, if `enabled` is False), maybe in a variant."""

    feature: str
    enabled: bool | None = None
    variants: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Feature:
    """One feature flag as the client API serves it."""

    name: str
    enabled: bool
    strategies: tuple[Strategy, ...] = ()
    variants: tuple[VariantDefinition, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    impression_data: bool = False
    type: str | None = None
    description: str | None = None
    project: str | None = None
    stale: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)


@dataclass(frozen=True)
class Segment:
    """Constraints shared by many strategies, referenced by `id`."""

    id: int
    constraints: tuple[Constraint, ...] = ()
    name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)


@dataclass(frozen=True)
class ClientFeatures:
    """The whole document: `{"version": 2, "features": [...], "segments": [...]}`."""

    features: tuple[Feature, ...] = ()
    segments: tuple[Segment, ...] = ()
    version: int = 2
    extra: Mapping[str, Any] = field(default_factory=_nothing, hash=False)

    def feature(self, name: str) -> Feature | None:
        """The feature called `name`, or None."""
        return next((f for f in self.features if f.name == name), None)


# --------------------------------------------------------------------------- dumping
# Parsing lives in `flags.parsing`; dumping is short enough to sit with the model.


def dump_client_features(document: ClientFeatures) -> dict[str, Any]:
    """The JSON-ready dict of `document`, in the shape `GET /api/client/features` returns."""
    out: dict[str, Any] = {"version": document.version}
    out["features"] = [dump_feature(f) for f in document.features]
    out["segments"] = [_dump_segment(s) for s in document.segments]
    return {**out, **document.extra}


def dump_feature(feature: Feature) -> dict[str, Any]:
    """The JSON-ready dict of one feature."""
    out: dict[str, Any] = {"name": feature.name}
    _put(out, "type", feature.type)
    _put(out, "description", feature.description)
    _put(out, "project", feature.project)
    out["enabled"] = feature.enabled
    _put(out, "stale", feature.stale)
    out["impressionData"] = feature.impression_data
    out["strategies"] = [_dump_strategy(s) for s in feature.strategies]
    out["variants"] = [_dump_variant(v) for v in feature.variants]
    if feature.dependencies:
        out["dependencies"] = [_dump_dependency(d) for d in feature.dependencies]
    return {**out, **feature.extra}


def _dump_strategy(strategy: Strategy) -> dict[str, Any]:
    out: dict[str, Any] = {"name": strategy.name, "parameters": dict(strategy.parameters)}
    out["constraints"] = [dump_constraint(c) for c in strategy.constraints]
    if strategy.segments:
        out["segments"] = list(strategy.segments)
    out["variants"] = [_dump_variant(v) for v in strategy.variants]
    if strategy.disabled:
        out["disabled"] = True
    return {**out, **strategy.extra}


def dump_constraint(constraint: Constraint) -> dict[str, Any]:
    """The JSON-ready dict of one constraint."""
    out: dict[str, Any] = {"contextName": constraint.context_name, "operator": constraint.operator}
    if constraint.values is not None:
        out["values"] = list(constraint.values)
    _put(out, "value", constraint.value)
    out["inverted"] = constraint.inverted
    out["caseInsensitive"] = constraint.case_insensitive
    return {**out, **constraint.extra}


def _dump_variant(variant: VariantDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {"name": variant.name, "weight": variant.weight}
    _put(out, "weightType", variant.weight_type)
    _put(out, "stickiness", variant.stickiness)
    if variant.payload is not None:
        out["payload"] = {"type": variant.payload.type, "value": variant.payload.value}
    if variant.overrides:
        out["overrides"] = [
            {"contextName": o.context_name, "values": list(o.values)} for o in variant.overrides
        ]
    return {**out, **variant.extra}


def _dump_dependency(dependency: Dependency) -> dict[str, Any]:
    out: dict[str, Any] = {"feature": dependency.feature}
    _put(out, "enabled", dependency.enabled)
    if dependency.variants is not None:
        out["variants"] = list(dependency.variants)
    return out


def _dump_segment(segment: Segment) -> dict[str, Any]:
    out: dict[str, Any] = {"id": segment.id}
    _put(out, "name", segment.name)
    out["constraints"] = [dump_constraint(c) for c in segment.constraints]
    return {**out, **segment.extra}


def _put(out: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        out[key] = value
