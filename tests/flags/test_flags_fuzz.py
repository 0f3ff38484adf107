"""Random definitions and contexts never make evaluation raise, nor even fail inside.

The engine catches everything at its boundary, so "does not raise" alone would
prove little: for JSON-shaped contexts these tests also require that no failure
was caught (nothing logged), i.e. that compiled flags are robust by
construction. Arbitrary Python objects as contexts or names only have to be
survived.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flags import Engine, FlagClient, Layer, Variant
from flags.openfeature import FlagsProvider

FIELDS = [
    "userId",
    "sessionId",
    "remoteAddress",
    "environment",
    "appName",
    "currentTime",
    "plan",
    "version",
]
OPERATORS = [
    "IN", "NOT_IN", "STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH", "NUM_EQ", "NUM_GT",
    "NUM_GTE", "NUM_LT", "NUM_LTE", "DATE_AFTER", "DATE_BEFORE", "SEMVER_EQ", "SEMVER_GT",
    "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE", "REGEX", "IN_CIDR", "BOGUS",
]  # fmt: skip
STRATEGY_NAMES = [
    "default", "userWithId", "gradualRolloutUserId", "gradualRolloutSessionId",
    "gradualRolloutRandom", "flexibleRollout", "remoteAddress", "applicationHostname", "custom",
]  # fmt: skip
PARAMETER_NAMES = ["rollout", "percentage", "groupId", "stickiness", "userIds", "IPs", "hostNames"]

SAMPLES = ["", "1", "50", "100", "1.2.3", "v1.2.3", "2024-01-01T00:00:00Z", "10.0.0.0/8", "("]
SAMPLES += ["^a", "::1", "default", "random", "userId", "NaN", "-0", "1e309", "\ud800"]
SAMPLES += ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59"]
scalar = st.one_of(st.text(max_size=12), st.sampled_from(SAMPLES))
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True), scalar
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(scalar, inner, max_size=3)
    ),
    max_leaves=8,
)

LITERALS = {
    "NUM": ["0", "1", "-2.5", "1e3", " 7"],
    "DATE": ["2024-01-01T00:00:00Z", "2030-06-01T12:00:00.5+02:00"],
    "SEMVER": ["1.2.3", "2.0.0-beta.1", "v1.0.0", "1.2"],
    "REGEX": ["^a", "(?i)b$", "[[:digit:]]+", "(", "\\d{2,}"],
}


@st.composite
def well_formed_constraint(draw: st.DrawFn) -> dict[str, Any]:
    """A constraint shaped for its operator, so that most features compile and run."""
    operator = draw(st.sampled_from(OPERATORS[:-1]))
    out: dict[str, Any] = {"contextName": draw(st.sampled_from(FIELDS)), "operator": operator}
    family = operator.split("_")[0]
    if family in LITERALS:
        out["value"] = draw(st.sampled_from(LITERALS[family]))
    elif operator == "IN_CIDR":
        out["values"] = draw(st.lists(st.sampled_from(["10.0.0.0/8", "::1", "bad"]), min_size=1))
    else:
        out["values"] = draw(st.lists(scalar, min_size=1, max_size=3))
    out["inverted"] = draw(st.booleans())
    out["caseInsensitive"] = draw(st.booleans())
    return out


arbitrary_constraint = st.fixed_dictionaries(
    {"contextName": st.sampled_from(FIELDS) | scalar, "operator": st.sampled_from(OPERATORS)},
    optional={
        "values": st.lists(scalar, max_size=3),
        "value": scalar,
        "inverted": st.booleans(),
        "caseInsensitive": st.booleans(),
    },
)
constraint = st.integers(0, 3).flatmap(
    lambda i: arbitrary_constraint if i == 0 else well_formed_constraint()
)
variant = st.fixed_dictionaries(
    {"name": scalar, "weight": st.integers(-5, 1000)},
    optional={
        "stickiness": st.sampled_from([*FIELDS, "default", "random"]) | scalar,
        "payload": st.fixed_dictionaries(
            {"type": st.sampled_from(["string", "json", "number"]), "value": scalar}
        ),
        "overrides": st.lists(
            st.fixed_dictionaries(
                {"contextName": st.sampled_from(FIELDS), "values": st.lists(scalar, max_size=3)}
            ),
            max_size=2,
        ),
    },
)
PERCENT = st.sampled_from(["0", "25", "50", "100"])


@st.composite
def parameters(draw: st.DrawFn, name: str) -> dict[str, str]:
    """Parameters fit for the strategy, or (one time in five) arbitrary ones."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.dictionaries(st.sampled_from(PARAMETER_NAMES), scalar, max_size=4))
    stickiness = st.sampled_from(["default", "userId", "sessionId", "random", "plan"])
    fitting = {
        "flexibleRollout": {"rollout": PERCENT, "stickiness": stickiness, "groupId": st.just("g")},
        "gradualRolloutUserId": {"percentage": PERCENT, "groupId": st.just("g")},
        "gradualRolloutSessionId": {"percentage": PERCENT, "groupId": st.just("g")},
        "gradualRolloutRandom": {"percentage": PERCENT},
        "userWithId": {"userIds": st.sampled_from(["1", "1, 2", "abc,,x"])},
        "remoteAddress": {"IPs": st.sampled_from(["10.0.0.1", "10.0.0.0/8, bad", "::1"])},
        "applicationHostname": {"hostNames": st.sampled_from(["fuzz", "other"])},
    }.get(name, {})
    return draw(st.fixed_dictionaries(fitting))


@st.composite
def strategy(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(STRATEGY_NAMES))
    out: dict[str, Any] = {"name": name, "parameters": draw(parameters(name))}
    out["constraints"] = draw(st.lists(constraint, min_size=draw(st.integers(0, 1)), max_size=2))
    if draw(st.integers(0, 3)) == 0:
        out["segments"] = draw(st.lists(st.integers(0, 4), max_size=2))  # there is no segment 4
    if draw(st.booleans()):
        out["variants"] = draw(st.lists(variant, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        out["disabled"] = True
    return out


NAMES = ["a", "b", "c", "d"]
REVISIONS = ["gate1", "gate2", "gate3", "side1", "side2", "gate", "future9"]
GATED_SCRIPTS = Path(__file__).parent / "projects" / "gated" / "migrations"
feature = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "enabled": st.sampled_from([True, True, True, False]),
        "strategies": st.lists(strategy(), max_size=3),
    },
    optional={
        "variants": st.lists(variant, max_size=3),
        "dependencies": st.lists(
            st.fixed_dictionaries(
                {"feature": st.sampled_from([*NAMES, "missing"])},
                optional={"enabled": st.booleans(), "variants": st.lists(scalar, max_size=2)},
            ),
            max_size=2,
        ),
        "impressionData": st.booleans(),
        # A revision requirement, well formed or not (see flags.revisions.requirement).
        "migsafe": st.one_of(
            json_value,
            st.fixed_dictionaries(
                {"requiresRevision": st.one_of(st.sampled_from(REVISIONS), json_value)}
            ),
        ),
    },
)
# Mostly valid features, one in ten arbitrary JSON: a malformed feature must only spoil itself.
state = st.fixed_dictionaries(
    {
        "version": st.just(2),
        "features": st.lists(
            st.integers(0, 9).flatmap(lambda i: json_value if i == 0 else feature),
            min_size=2,
            max_size=5,
        ),
        "segments": st.tuples(*[st.lists(constraint, max_size=2) for _ in range(4)]).map(
            lambda lists: [{"id": i, "constraints": c} for i, c in enumerate(lists)]
        ),
    }
)
context = st.fixed_dictionaries(
    {},
    optional={
        **{name: json_scalar for name in FIELDS},
        "properties": st.dictionaries(st.sampled_from(FIELDS) | scalar, json_value, max_size=4),
    },
)

FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(state=state, contexts=st.lists(context, min_size=1, max_size=3))
def test_json_definitions_and_contexts_evaluate_without_failing(
    state: dict[str, Any], contexts: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="flags"):
        engine = Engine(state, hostname="fuzz")
        for ctx in [*contexts, None]:
            for name in [*NAMES, "unknown"]:
                assert engine.is_enabled(name, ctx) in (True, False)
                assert isinstance(engine.get_variant(name, ctx), Variant)
    caught = [r for r in caplog.records if "returned the default" in r.getMessage()]
    assert not caught, caught[0].exc_text


@FUZZ
@given(state=state, junk=st.one_of(json_value, st.builds(object), st.lists(st.builds(object))))
def test_arbitrary_objects_as_context_or_name_never_raise(state: dict[str, Any], junk: Any) -> None:
    engine = Engine(state, hostname="fuzz")
    for name in [*NAMES, junk]:
        assert engine.is_enabled(name, junk, default=True) in (True, False)
        assert isinstance(engine.get_variant(name, junk), Variant)


@FUZZ
@given(
    state=state,
    heads=st.none() | st.frozensets(st.sampled_from(REVISIONS), max_size=3),
    contexts=st.lists(context, min_size=1, max_size=2),
)
def test_revision_gates_and_layers_never_raise(
    state: dict[str, Any], heads: frozenset[str] | None, contexts: list[dict[str, Any]]
) -> None:
    client = FlagClient.from_features(state, heads=heads, script_location=GATED_SCRIPTS)
    provider = FlagsProvider(client)
    for ctx in [*contexts, None]:
        for name in [*NAMES, "unknown"]:
            decision = client.explain(name, ctx)
            assert decision.enabled in (True, False)  # not == is_enabled: random rollouts
            if decision.layer in (Layer.KILL_SWITCH, Layer.REVISION_GATE):
                assert decision.enabled is False
            assert provider.resolve_boolean_details(name, False).value in (True, False)
            provider.resolve_object_details(name, {})
