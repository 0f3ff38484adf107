"""Which names the revert/upgrade checks let through to Alembic, and what a typo is told."""

from __future__ import annotations

import pytest

from migsafe.engine.revision_names import check, no_such_revision
from migsafe.errors import ExitCode, RevisionError

KNOWN = {"0005_add_orders", "0006_split_names", "3f9a1c2b7d4e", "billing"}


@pytest.mark.parametrize(
    "name",
    [
        "base",
        "head",
        "heads",
        "-1",
        "+2",
        "billing@head",
        "0006_split_names@-1",
        "a:b",
        "0006_split_names",
        "0006",
        "3f9a",
    ],
    ids=lambda n: n,
)
def test_alembic_forms_and_prefixes_pass(name: str) -> None:
    check(name, KNOWN)


def test_a_typo_is_no_such_revision_with_the_closest_names() -> None:
    with pytest.raises(RevisionError) as raised:
        check("0006_spilt_names", KNOWN)
    error = raised.value
    assert error.message == "no such revision '0006_spilt_names'"
    assert error.hint is not None and error.hint.startswith("did you mean 0006_split_names")
    assert error.exit_code == ExitCode.USAGE


def test_nothing_close_gives_no_guess() -> None:
    error = no_such_revision("zzzz", KNOWN)
    assert error.hint is not None and "did you mean" not in error.hint


def test_a_typo_in_the_start_of_a_long_revision_name_finds_it() -> None:
    """The issue's own example: the sample app's `0006_spilt` for `0006_split_customer_name`,
    too short beside the whole name for a whole-name comparison to call it close."""
    known = {"0005_rename_customer_name", "0006_split_customer_name", "0007_prices_in_cents"}
    error = no_such_revision("0006_spilt", known)
    assert error.hint is not None
    assert error.hint.startswith("did you mean 0006_split_customer_name?"), error.hint
