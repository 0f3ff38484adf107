"""Differential test against Unleash's own engine (Yggdrasil), where it is installed.

Random definitions and contexts must give the same `is_enabled` and
`get_variant` answers here as in `yggdrasil-engine`, the Rust engine behind
Unleash's Python, Java, .NET, Ruby and PHP SDKs. Skipped when that package is
absent (it is not a dependency); install it to run this.

Generated definitions stay where both engines are deterministic and where the
differences documented in `flags.evaluate` do not apply: no random stickiness
(contexts always carry the stickiness fields), no `applicationHostname`, no
disabled strategies, no zero total variant weight (Yggdrasil panics on it),
and only regular expressions that RE2 can honour exactly (see
`flags.evaluate.constraints.re2_syntax`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flags import Engine

yggdrasil = pytest.importorskip("yggdrasil_engine.engine")

FIELDS = [
    "userId",
    "sessionId",
    "environment",
    "appName",
    "remoteAddress",
    "currentTime",
    "tenant",
    "version",
]
VALUES = ["1", "2", "42", "abc", "ABC", "aBc-1", "", "1.2.3", "2.0.0-beta.1", "10", "3.5", "-1e2"]
VALUES += ["192.168.1.5", "10.0.0.1", "::1", "2024-01-01T00:00:00Z", "prod", "dev"]
OPERATORS = ["IN", "NOT_IN", "STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH", "NUM_EQ"]
OPERATORS += ["NUM_GT", "NUM_LTE", "SEMVER_EQ", "SEMVER_GT", "SEMVER_LT", "DATE_AFTER"]
OPERATORS += ["DATE_BEFORE", "REGEX", "IN_CIDR", "NOT_AN_OPERATOR"]
SINGLE = {"NUM_EQ": ["10", "3.5", "x"], "NUM_GT": ["2", "-1"], "NUM_LTE": ["42"]}
SINGLE |= {
    op: ["1.2.3", "2.0.0-beta", "v1.2.3", "1.2"] for op in ("SEMVER_EQ", "SEMVER_GT", "SEMVER_LT")
}
SINGLE |= {
    op: ["2023-06-01T00:00:00Z", "2030-01-01T00:00:00+02:00", "x"]
    for op in ("DATE_AFTER", "DATE_BEFORE")
}
REGEXES = ["^a", "(?i)abc", "^[[:digit:]]+$", "\\d{2}", "^(a|b)c?$", "(", "(?m)^1$"]
REGEXES += ["(a+)+$", "^\\w+-\\d$", "\\p{Lu}", "^[\\s\\d.]+$", "(?x) a b"]
SINGLE |= {"REGEX": REGEXES}
NAMES = ["f0", "f1", "f2", "f3"]

text = st.sampled_from(VALUES)


@st.composite
def constraints(draw: st.DrawFn) -> dict[str, Any]:
    operator = draw(st.sampled_from(OPERATORS))
    out: dict[str, Any] = {"contextName": draw(st.sampled_from(FIELDS)), "operator": operator}
    if operator in SINGLE:
        out["value"] = draw(st.sampled_from(SINGLE[operator]))
    elif operator == "IN_CIDR":
        out["values"] = draw(
            st.lists(st.sampled_from(["10.0.0.0/8", "::1", "bad", "192.168.1.5"]), min_size=1)
        )
    else:
        out["values"] = draw(st.lists(text, max_size=3))
    out["inverted"] = draw(st.booleans())
    out["caseInsensitive"] = draw(st.booleans())
    return out


def variants(with_overrides: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    variant = st.fixed_dictionaries(
        {"name": st.sampled_from(["red", "green", "blue"]), "weight": st.integers(1, 5)},
        optional={
            "stickiness": st.sampled_from(["default", "userId", "sessionId", "tenant"]),
            "payload": st.just({"type": "string", "value": "p"}),
            **(
                {
                    "overrides": st.lists(
                        st.fixed_dictionaries(
                            {
                                "contextName": st.sampled_from(FIELDS),
                                "values": st.lists(text, max_size=2),
                            }
                        ),
                        max_size=1,
                    )
                }
                if with_overrides
                else {}
            ),
        },
    )
    return st.lists(variant, max_size=3)


@st.composite
def strategies(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(
        st.sampled_from(
            [
                "default",
                "userWithId",
                "flexibleRollout",
                "remoteAddress",
                "gradualRolloutUserId",
                "gradualRolloutSessionId",
                "gradualRolloutRandom",
                "unknownCustom",
            ]
        )
    )
    percent = draw(st.sampled_from(["0", "33", "50", "100"]))
    parameters = {
        "userWithId": {"userIds": draw(st.sampled_from(["1", "1, 2", "42,abc", ""]))},
        "flexibleRollout": {
            "rollout": percent,
            "stickiness": draw(st.sampled_from(["default", "userId", "sessionId", "tenant"])),
            **({"groupId": "g"} if draw(st.booleans()) else {}),
        },
        "remoteAddress": {"IPs": draw(st.sampled_from(["192.168.1.5", "10.0.0.0/8, bad", "::1"]))},
        "gradualRolloutUserId": {"percentage": percent, "groupId": "g"},
        "gradualRolloutSessionId": {"percentage": percent, "groupId": "g"},
        "gradualRolloutRandom": {"percentage": draw(st.sampled_from(["0", "100"]))},
    }.get(name, {})
    out: dict[str, Any] = {"name": name, "parameters": parameters}
    out["constraints"] = draw(st.lists(constraints(), max_size=2))
    if draw(st.booleans()):
        out["segments"] = draw(st.lists(st.sampled_from([1, 2, 404]), max_size=2))
    if draw(st.booleans()):
        out["variants"] = draw(variants(with_overrides=False))
    return out


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    features = []
    for name in NAMES:
        feature: dict[str, Any] = {
            "name": name,
            "enabled": draw(st.booleans()) or draw(st.booleans()),
        }
        feature["strategies"] = draw(st.lists(strategies(), max_size=3))
        feature["variants"] = draw(variants(with_overrides=True))
        if draw(st.integers(0, 3)) == 0:
            feature["dependencies"] = draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"feature": st.sampled_from([*NAMES, "missing"])},
                        optional={
                            "enabled": st.booleans(),
                            "variants": st.lists(
                                st.sampled_from(["red", "green", "disabled"]), max_size=2
                            ),
                        },
                    ),
                    min_size=1,
                    max_size=2,
                )
            )
        features.append(feature)
    segments = [{"id": i, "constraints": draw(st.lists(constraints(), max_size=2))} for i in (1, 2)]
    return {"version": 2, "features": features, "segments": segments}


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": draw(text), "sessionId": draw(text)}
    properties: dict[str, Any] = {"tenant": draw(text)}
    scalars = st.sampled_from([0, 1, 42, 3.5, -2.0, True, False, None])
    for field in FIELDS[2:]:
        if draw(st.booleans()):
            value = draw(st.one_of(text, text, scalars))
            if field == "tenant":  # a variant stickiness: must stay present, so only shadow it
                context[field] = value
            else:
                (context if draw(st.booleans()) else properties)[field] = value
    context["properties"] = properties
    return context


def _theirs(engine: Any, name: str, context: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    variant = engine.get_variant(name, context).variant
    payload = variant.payload or None
    return engine.is_enabled(name, context).is_enabled, {
        "name": variant.name,
        "enabled": variant.enabled,
        "feature_enabled": variant.feature_enabled,
        "payload": payload,
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=states(), context_list=st.lists(contexts(), min_size=1, max_size=4))
def test_same_answers_as_unleash_engine(
    state: dict[str, Any], context_list: list[dict[str, Any]]
) -> None:
    ours = Engine(state, hostname="differential")
    theirs = yggdrasil.UnleashEngine()
    theirs.take_state(json.dumps(state))
    for context in context_list:
        for name in [*NAMES, "unknown"]:
            enabled, expected_variant = _theirs(theirs, name, context)
            variant = ours.get_variant(name, context)
            got_variant = {
                "name": variant.name,
                "enabled": variant.enabled,
                "feature_enabled": variant.feature_enabled,
                "payload": None
                if variant.payload is None
                else {"type": variant.payload.type, "value": variant.payload.value},
            }
            assert ours.is_enabled(name, context) is enabled, (name, context)
            assert got_variant == expected_variant, (name, context)
