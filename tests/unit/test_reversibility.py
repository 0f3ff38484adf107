"""What the plan says of literal SQL in an upgrade() when the database captures rows."""

from __future__ import annotations

import pytest

from migsafe.engine.reversibility import reverse_facts_of_source

SOURCE = 'def upgrade():\n    op.execute("{}")\n'


@pytest.mark.parametrize("sqlite", [False, True], ids=["postgresql", "sqlite"])
def test_sql_that_writes_rows_is_not_irreversible_where_rows_are_captured(sqlite: bool) -> None:
    source = SOURCE.format("UPDATE acct SET status = 'gold'")
    assert reverse_facts_of_source(source, captures_rows=True, sqlite=sqlite).irreversible == ()
    refused = reverse_facts_of_source(source, captures_rows=False, sqlite=sqlite).irreversible
    assert refused and "UPDATE changes data" in refused[0]


def test_sqlite_replace_is_left_to_the_run_which_refuses_it() -> None:
    """Row triggers do not see what REPLACE deletes: the plan must not call it captured."""
    facts = reverse_facts_of_source(
        SOURCE.format("INSERT OR REPLACE INTO acct (id) VALUES (1)"),
        captures_rows=True,
        sqlite=True,
    )
    assert facts.raw_sql and facts.irreversible == ()
    select = reverse_facts_of_source(SOURCE.format("SELECT f()"), captures_rows=True, sqlite=True)
    assert select.irreversible and "SELECT may call functions" in select.irreversible[0]
