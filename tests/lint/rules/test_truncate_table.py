"""truncate-table: TRUNCATE of an existing table (ACCESS EXCLUSIVE, every row gone); not of a
table the run created."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_upgrade, rule_ids

RULE = "truncate-table"

FLAGGED = {
    "op-execute": 'op.execute("TRUNCATE audit_log")',
    "table-keyword": 'op.execute("TRUNCATE TABLE ONLY audit_log RESTART IDENTITY")',
    "connection": 'op.get_bind().execute(sa.text("TRUNCATE audit_log"))',
    "one-of-two-new": """
        op.create_table("scratch", sa.Column("id", sa.Integer))
        op.execute("TRUNCATE scratch, audit_log")
    """,
}

NOT_FLAGGED = {
    "new-table": """
        op.create_table("scratch", sa.Column("id", sa.Integer))
        op.execute("TRUNCATE scratch")
    """,
    "delete-with-where": 'op.execute("DELETE FROM audit_log WHERE id < 10")',
    "word-in-a-string": "op.execute(\"UPDATE notes SET body = 'TRUNCATE x' WHERE id = 1\")",
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_names_the_lock_and_cascade() -> None:
    (finding,) = lint_upgrade('op.execute("TRUNCATE audit_log CASCADE")').findings
    assert finding.severity == "error"
    assert finding.table == "audit_log"
    assert "ACCESS EXCLUSIVE" in finding.message
    assert "CASCADE" in finding.message


def test_one_finding_per_existing_table() -> None:
    result = lint_upgrade('op.execute("TRUNCATE a, b")')
    assert sorted(f.table or "" for f in result.findings) == ["a", "b"]
