"""Compiling one feature, once, into the two callables the engine serves from.

A feature whose answer cannot depend on the context (off; or on with a
constant strategy and no dependencies) compiles to a plain bool, so checking it
costs one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flags.evaluate.context import Context, Predicate
from flags.evaluate.dependencies import compile_dependencies
from flags.evaluate.matching import NO_MATCH, Strategies, compile_strategies
from flags.evaluate.predicates import ALWAYS, NEVER, all_of
from flags.evaluate.strategies import StrategyBuilder, StrategyOptions
from flags.model import Feature, Segment
from flags.variant import DISABLED, DISABLED_FEATURE_ON, Variant

VariantGetter = Callable[[Context], Variant]


@dataclass(frozen=True)
class CompiledFeature:
    """What the engine keeps per feature."""

    name: str
    enabled: bool | Predicate
    """A bool when the answer is the same for every context."""

    variant: VariantGetter
    problem: str | None = None
    """Why the feature is always off, when its definition is unusable."""


def always_off(name: str, problem: str | None = None) -> CompiledFeature:
    """A feature that is off for everyone."""
    return CompiledFeature(name, False, lambda context: DISABLED, problem)


def compile_feature(
    feature: Feature,
    features: Mapping[str, Feature],
    segments: Mapping[int, Segment],
    registry: Mapping[str, StrategyBuilder],
    hostname: str,
) -> CompiledFeature:
    """Compile `feature`; an unusable definition gives an always-off feature and a problem."""
    if not feature.enabled:
        return always_off(feature.name)

    def strategies_of(subject: Feature, group_id: str) -> Strategies:
        return compile_strategies(
            subject, segments, registry, StrategyOptions(group_id=group_id, hostname=hostname)
        )

    try:
        own = strategies_of(feature, feature.name)
        parents = compile_dependencies(
            feature, features, lambda parent: strategies_of(parent, feature.name)
        )
    except Exception as exc:  # a definition error, or a custom strategy's builder failing
        return always_off(feature.name, f"feature {feature.name!r} is off: {exc}")
    enabled = all_of([parents, own.any_on])
    constant = True if enabled is ALWAYS else False if enabled is NEVER else None
    return CompiledFeature(
        feature.name,
        enabled if constant is None else constant,
        _variant_getter(own, parents),
    )


def _variant_getter(own: Strategies, parents: Predicate) -> VariantGetter:
    first_on, choosers = own.first_on, own.choosers

    def variant(context: Context) -> Variant:
        if parents is not ALWAYS and not parents(context):
            return DISABLED
        index = first_on(context)
        if index == NO_MATCH:
            return DISABLED
        choose = choosers[index]
        if choose is None:
            return DISABLED_FEATURE_ON
        return choose(context) or DISABLED_FEATURE_ON

    return variant
