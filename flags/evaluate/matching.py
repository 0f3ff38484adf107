"""Compiling a feature's strategies: which one matches a context, and its variants.

A feature is on when any strategy is on. A strategy is on when all its
constraints hold, all its segments' constraints hold and its rule (the
registry's builder for its name) says so. A strategy referring to a segment that
does not exist makes the whole feature off, as in Unleash. The first
strategy that is on also decides the variants: its own if it has any, else the
feature's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flags.errors import FlagDefinitionError
from flags.evaluate.constraints import compile_constraints
from flags.evaluate.context import Context, Predicate
from flags.evaluate.predicates import ALWAYS, NEVER, all_of, any_of
from flags.evaluate.strategies import StrategyBuilder, StrategyOptions
from flags.evaluate.variants import Chooser, compile_chooser
from flags.model import Feature, Segment, Strategy

NO_MATCH = -1


@dataclass(frozen=True)
class Strategies:
    """A feature's strategies, compiled."""

    any_on: Predicate
    """True when some strategy is on (always, for a feature without strategies)."""

    first_on: Callable[[Context], int]
    """Index of the first strategy that is on, or NO_MATCH; 0 when there are no strategies."""

    choosers: tuple[Chooser | None, ...]
    """Per index of `first_on`, the chooser for the variants that strategy gives."""

    feature_chooser: Chooser | None
    """The feature's own variants, used when no strategy is on (for dependencies)."""


def _feature_chooser(feature: Feature) -> Chooser | None:
    variants = feature.variants
    return compile_chooser(variants, feature.name, variants[0].stickiness if variants else None)


def unusable_strategies(feature: Feature) -> Strategies:
    """What Unleash makes of a feature whose strategies do not compile: never on.

    Its own variants still resolve, which matters to a child that depends on
    one of them.
    """
    return Strategies(NEVER, lambda context: NO_MATCH, (), _feature_chooser(feature))


def compile_strategies(
    feature: Feature,
    segments: Mapping[int, Segment],
    registry: Mapping[str, StrategyBuilder],
    options: StrategyOptions,
) -> Strategies:
    """Compile `feature`'s strategies; raises FlagDefinitionError if one is unusable."""
    feature_chooser = _feature_chooser(feature)
    if not feature.strategies:
        return Strategies(ALWAYS, lambda context: 0, (feature_chooser,), feature_chooser)
    predicates = tuple(
        _strategy_predicate(strategy, segments, registry, options)
        for strategy in feature.strategies
    )
    choosers = tuple(
        _strategy_chooser(strategy, feature.name) or feature_chooser
        for strategy in feature.strategies
    )
    return Strategies(any_of(predicates), _first_on(predicates), choosers, feature_chooser)


def _strategy_predicate(
    strategy: Strategy,
    segments: Mapping[int, Segment],
    registry: Mapping[str, StrategyBuilder],
    options: StrategyOptions,
) -> Predicate:
    if strategy.disabled:
        return NEVER
    constraints = list(strategy.constraints)
    for segment_id in strategy.segments:
        segment = segments.get(segment_id)
        if segment is None:
            raise FlagDefinitionError(f"strategy {strategy.name!r}: no segment {segment_id}")
        constraints.extend(segment.constraints)
    checks = compile_constraints(constraints)
    build = registry.get(strategy.name)
    rule = NEVER if build is None else build(strategy.parameters, options)
    # Constraints first: usually cheaper than the rule, and both are pure.
    return all_of([checks, rule])


def _strategy_chooser(strategy: Strategy, feature_name: str) -> Chooser | None:
    parameters = strategy.parameters
    return compile_chooser(
        strategy.variants,
        parameters.get("groupId", feature_name),
        parameters.get("stickiness", "default"),
    )


def _first_on(predicates: tuple[Predicate, ...]) -> Callable[[Context], int]:
    if len(predicates) == 1:
        (only,) = predicates
        return lambda context: 0 if only(context) else NO_MATCH

    def first_on(context: Context) -> int:
        for index, predicate in enumerate(predicates):
            if predicate(context):
                return index
        return NO_MATCH

    return first_on
