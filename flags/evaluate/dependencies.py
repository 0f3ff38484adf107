"""Dependent features: a child is on only while its parents are as it requires.

Semantics follow Unleash's engine: a parent that is missing, or that itself has
parents (no transitive dependencies), fails the dependency. Otherwise the
parent must be enabled (or disabled, if the dependency says `enabled: false`)
and, when variants are listed, the variant the parent resolves to must be one of
them; a parent with no variants at all satisfies any variant list.

Quirk kept on purpose: Unleash evaluates the parent with the child's name as
the default rollout group (it only matters for a parent's flexibleRollout
without a `groupId`, which Unleash's UI never creates).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flags.evaluate.context import Context, Predicate
from flags.evaluate.matching import NO_MATCH, Strategies, unusable_strategies
from flags.evaluate.predicates import NEVER, all_of, negate
from flags.model import Dependency, Feature

ParentCompiler = Callable[[Feature], Strategies]
"""Compiles a parent's strategies as seen from the child (see the quirk above)."""


def compile_dependencies(
    feature: Feature, features: Mapping[str, Feature], compile_parent: ParentCompiler
) -> Predicate:
    """True when every dependency of `feature` is satisfied."""
    return all_of([_dependency(d, features, compile_parent) for d in feature.dependencies])


def _dependency(
    dependency: Dependency, features: Mapping[str, Feature], compile_parent: ParentCompiler
) -> Predicate:
    parent = features.get(dependency.feature)
    if parent is None or parent.dependencies:
        return NEVER
    expect_on = dependency.enabled is not False
    try:
        strategies = compile_parent(parent)
    except Exception:  # the parent's own compile reports it
        strategies = unusable_strategies(parent)
    wanted = frozenset(dependency.variants or ())
    if not wanted:
        parent_on = strategies.any_on if parent.enabled else NEVER
        return parent_on if expect_on else negate(parent_on)
    first_on, choosers = strategies.first_on, strategies.choosers
    fallback, enabled = strategies.feature_chooser, parent.enabled

    def satisfied(context: Context) -> bool:
        index = first_on(context)
        choose = choosers[index] if index != NO_MATCH else fallback
        if choose is not None:
            variant = choose(context)
            if variant is not None and variant.name not in wanted:
                return False
        return (enabled and index != NO_MATCH) == expect_on

    return satisfied
