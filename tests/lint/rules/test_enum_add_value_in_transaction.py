"""enum-add-value-in-transaction: ADD VALUE used before its transaction commits, or PG < 12."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.config import LintConfig
from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "enum-add-value-in-transaction"


def hits(body: str, **kwargs: object) -> list[str]:
    return [f.message for f in lint_upgrade(body, **kwargs).findings if f.rule == RULE]  # type: ignore[arg-type]


def test_value_used_later_in_the_same_transaction_is_flagged() -> None:
    found = hits(
        """
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        op.execute("UPDATE person SET mood = 'meh' WHERE mood IS NULL")
        """
    )
    assert len(found) == 1
    assert "'meh'" in found[0] and "line" in found[0]


def test_value_used_as_a_server_default_is_flagged() -> None:
    assert hits(
        """
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        op.alter_column("person", "mood", server_default="meh")
        """
    )


def test_before_postgresql_12_any_add_value_in_a_transaction_is_flagged() -> None:
    found = hits(
        "op.execute(\"ALTER TYPE mood ADD VALUE 'meh'\")",
        config=LintConfig(server_version=110000),
    )
    assert len(found) == 1 and "before PostgreSQL 12" in found[0]


def test_unused_value_on_12_and_later_is_not_flagged() -> None:
    assert not hits("op.execute(\"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'\")")


def test_inside_autocommit_block_is_not_flagged() -> None:
    assert not hits(
        """
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        op.execute("UPDATE person SET mood = 'meh' WHERE mood IS NULL")
        """
    )


def test_use_after_an_autocommit_block_is_in_a_new_transaction() -> None:
    assert not hits(
        """
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        with op.get_context().autocommit_block():
            op.execute("CREATE INDEX CONCURRENTLY ix_p ON person (name)")
        op.execute("UPDATE person SET mood = 'meh' WHERE mood IS NULL")
        """
    )


def test_use_after_a_commit_is_in_a_new_transaction() -> None:
    assert not hits(
        """
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        op.execute("COMMIT")
        op.execute("UPDATE person SET mood = 'meh' WHERE mood IS NULL")
        """
    )


def test_type_created_in_the_run_is_not_flagged_even_before_12() -> None:
    body = """
        op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok')")
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")
        op.execute("CREATE TABLE person (id int, mood mood DEFAULT 'meh')")
        """
    assert not hits(body)
    assert not hits(body, config=LintConfig(server_version=110000))


def test_rename_value_is_not_flagged() -> None:
    assert not hits(
        """
        op.execute("ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'")
        op.execute("UPDATE person SET mood = 'fine' WHERE mood IS NULL")
        """
    )


def test_a_later_revision_using_the_value_is_the_same_transaction() -> None:
    from tests.lint.support import lint_project, write_project

    first = (
        '"""a"""\nfrom alembic import op\nrevision = "a1"\ndown_revision = None\n'
        "def upgrade():\n    op.execute(\"ALTER TYPE mood ADD VALUE 'meh'\")\n"
        "def downgrade():\n    pass\n"
    )
    second = (
        '"""b"""\nfrom alembic import op\nrevision = "b2"\ndown_revision = "a1"\n'
        "def upgrade():\n    op.execute(\"UPDATE person SET mood = 'meh'\")\n"
        "def downgrade():\n    pass\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = lint_project(write_project(Path(tmp), {"a1.py": first, "b2.py": second}))
    found = [f for f in result.findings if f.rule == RULE]
    assert len(found) == 1 and found[0].revision == "a1" and "b2" in found[0].message


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "enum_add_value_in_transaction").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    want = expected(path)
    assert rule_ids(lint_source(path.read_text())) == want & set(RULES)
