"""What "applied" means: a head or an ancestor of one with the scripts, an exact head without."""

from __future__ import annotations

from pathlib import Path

import pytest

from flags.errors import FlagConfigError
from flags.revisions import ExactHeads, ScriptHistory, rule_for

GATED = Path(__file__).parents[1] / "projects" / "gated"


@pytest.fixture(scope="module")
def history() -> ScriptHistory:
    return ScriptHistory.from_location(GATED / "migrations")


@pytest.mark.parametrize(
    ("heads", "required", "applied"),
    [
        pytest.param({"gate3"}, "gate3", True, id="the-head-itself"),
        pytest.param({"gate3"}, "gate2", True, id="an-ancestor"),
        pytest.param({"gate3"}, "gate1", True, id="the-root"),
        pytest.param({"gate2"}, "gate3", False, id="a-descendant"),
        pytest.param({"gate3"}, "side1", False, id="another-branch"),
        pytest.param({"side2"}, "gate2", True, id="through-depends-on"),
        pytest.param({"side1", "gate2"}, "side1", True, id="one-of-two-heads"),
        pytest.param(set(), "gate1", False, id="an-empty-version-table"),
        pytest.param({"gate3"}, "nope", False, id="a-revision-the-scripts-lack"),
        pytest.param({"future9"}, "future9", True, id="an-unknown-head-is-itself"),
        pytest.param({"future9"}, "gate1", False, id="an-unknown-head-has-no-ancestors"),
    ],
)
def test_script_history(
    history: ScriptHistory, heads: set[str], required: str, applied: bool
) -> None:
    assert history.applied(frozenset(heads))(required) is applied


def test_an_ambiguous_prefix_never_applies(history: ScriptHistory) -> None:
    # gate1, gate2 and gate3 all start with "gate": Alembic cannot resolve it.
    assert history.applied(frozenset({"gate3"}))("gate") is False


def test_without_scripts_only_an_exact_head_counts() -> None:
    check = ExactHeads().applied(frozenset({"gate3", "side1"}))
    assert (check("gate3"), check("side1"), check("gate2")) == (True, True, False)


def test_the_rule_comes_from_an_alembic_ini_or_a_script_location() -> None:
    assert isinstance(rule_for(alembic_config=GATED / "alembic.ini"), ScriptHistory)
    assert isinstance(rule_for(script_location=GATED / "migrations"), ScriptHistory)
    assert isinstance(rule_for(), ExactHeads)


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"alembic_config": "/nonexistent/alembic.ini"}, id="missing-ini"),
        pytest.param({"script_location": "/nonexistent/migrations"}, id="missing-scripts"),
        pytest.param(
            {"alembic_config": GATED / "alembic.ini", "script_location": GATED / "migrations"},
            id="both",
        ),
    ],
)
def test_a_bad_alembic_setting_is_a_config_error(settings: dict[str, object]) -> None:
    with pytest.raises(FlagConfigError):
        rule_for(**settings)  # type: ignore[arg-type]
