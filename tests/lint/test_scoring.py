"""The corpus scoring (tests/lint/scoring.py) on a small corpus of its own, so that the bar the
corpus test holds, and the figures the benchmark prints, are known to be computed right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint import scoring

REVISION = '''\
"""{doc}

Revision ID: {rev}
Revises:
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: {expect}

revision = "{rev}"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''

SMOKE = {
    "index_not_concurrent/01_plain_index.py": (
        "Add index on orders.created_at",
        "index-not-concurrent",
        '    op.create_index("ix_orders_created_at", "orders", ["created_at"])',
        '    op.drop_index("ix_orders_created_at", table_name="orders")',
    ),
    "index_not_concurrent/02_raw_sql.py": (
        "Index invoices by customer",
        "index-not-concurrent",
        '    op.execute("CREATE INDEX ix_invoices_customer ON invoices (customer_id)")',
        '    op.execute("DROP INDEX ix_invoices_customer")',
    ),
    "index_not_concurrent/03_new_table.py": (
        "Create audit_log with its index",
        "none",
        '    op.create_table("audit_log", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("at", sa.DateTime, nullable=False))\n'
        '    op.create_index("ix_audit_log_at", "audit_log", ["at"])',
        '    op.drop_index("ix_audit_log_at", table_name="audit_log")\n'
        '    op.drop_table("audit_log")',
    ),
    "index_not_concurrent/04_concurrently.py": (
        "Add index on users.email concurrently",
        "none",
        "    with op.get_context().autocommit_block():\n"
        '        op.create_index("ix_users_email", "users", ["email"],\n'
        "                        postgresql_concurrently=True)",
        '    op.drop_index("ix_users_email", table_name="users")',
    ),
}


def write_corpus(root: Path, cases: dict[str, tuple[str, str, str, str]] = SMOKE) -> Path:
    """A corpus under ``root``: name -> (docstring, expect, upgrade body, downgrade body)."""
    for n, (name, (doc, expect, up, down)) in enumerate(sorted(cases.items())):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            REVISION.format(doc=doc, rev=f"{n + 1:012x}", expect=expect, upgrade=up, downgrade=down)
        )
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def test_the_labels_are_read_per_file(corpus: Path) -> None:
    assert scoring.labels(corpus) == {
        "index_not_concurrent/01_plain_index.py": {"index-not-concurrent"},
        "index_not_concurrent/02_raw_sql.py": {"index-not-concurrent"},
        "index_not_concurrent/03_new_table.py": set(),
        "index_not_concurrent/04_concurrently.py": set(),
    }


def test_migsafe_is_scored_on_each_file_linted_alone(corpus: Path) -> None:
    found = scoring.migsafe_found(corpus)
    assert found == scoring.labels(corpus)
    result = scoring.score(found, scoring.labels(corpus))
    assert (result.precision, result.recall, result.true_positives) == (1.0, 1.0, 2)


def test_scores_are_micro_averaged_over_file_rule_pairs_and_name_every_miss() -> None:
    expect = {"a.py": {"drop-table"}, "b.py": {"drop-column", "drop-table"}, "c.py": set()}
    found = {"a.py": {"drop-table"}, "b.py": {"drop-column"}, "c.py": {"lock-table"}}
    result = scoring.score(found, expect)
    assert result.true_positives == 2
    assert result.false_positives == (("c.py", "lock-table"),)
    assert result.false_negatives == (("b.py", "drop-table"),)
    assert (result.precision, result.recall) == (2 / 3, 2 / 3)
    assert "false positive: c.py: lock-table" in result.report()
    assert "false negative: b.py: drop-table" in result.report()
    only = scoring.score(found, expect, only={"drop-column"})
    assert (only.true_positives, only.precision, only.recall) == (1, 1.0, 1.0)
    counts = scoring.per_rule(found, expect)
    assert counts["drop-table"] == scoring.RuleCount(2, 1, 0, 1)
    assert counts["lock-table"] == scoring.RuleCount(0, 0, 1, 0)


def test_nothing_found_and_nothing_labelled_is_a_perfect_score() -> None:
    result = scoring.score({}, {"a.py": set()})
    assert (result.precision, result.recall) == (1.0, 1.0)


def test_the_shape_checks_name_the_files_and_rules_that_fall_short(corpus: Path) -> None:
    assert scoring.missing_header_lines(corpus) == []
    bad = corpus / "index_not_concurrent" / "05_chained.py"
    bad.write_text('revision = "x"\ndown_revision = "abc"\n')
    assert scoring.missing_header_lines(corpus) == [
        "index_not_concurrent/05_chained.py: no `down_revision = None`",
        "index_not_concurrent/05_chained.py: no `# expect:` line",
    ]
    bad.unlink()

    expect = scoring.labels(corpus)
    assert scoring.thin_rules(expect, ["index-not-concurrent"]) == []
    assert scoring.thin_rules(expect, ["drop-table"]) == [
        "drop-table: 0 file(s) labelled with it, want >= 2",
        "drop-table: no file in drop_table/ labelled without it (a look-alike)",
    ]
    expect["index_not_concurrent/02_raw_sql.py"] = {"lock-tables"}
    assert scoring.unknown_labels(expect, ["index-not-concurrent"]) == [
        "index_not_concurrent/02_raw_sql.py: lock-tables"
    ]
    assert scoring.thin_rules(expect, ["index-not-concurrent"]) == [
        "index-not-concurrent: 1 file(s) labelled with it, want >= 2"
    ]
