"""enum-value-removal: DELETE FROM pg_enum, rename-recreate, narrowing alter_column."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "enum-value-removal"


def hits(body: str) -> list[str]:
    return [f.message for f in lint_upgrade(body).findings if f.rule == RULE]


def test_delete_from_pg_enum_is_flagged() -> None:
    found = hits(
        "op.execute(\"DELETE FROM pg_enum WHERE enumlabel = 'stale' "
        "AND enumtypid = 'status'::regtype\")"
    )
    assert len(found) == 1 and "pg_enum" in found[0]


def test_rename_recreate_is_one_finding() -> None:
    found = hits(
        """
        op.execute("ALTER TYPE status RENAME TO status_old")
        op.execute("CREATE TYPE status AS ENUM ('new', 'done')")
        op.execute("ALTER TABLE orders ALTER COLUMN status TYPE status USING status::text::status")
        op.execute("DROP TYPE status_old")
        """
    )
    assert len(found) == 1 and "status" in found[0]


def test_create_new_and_swap_is_flagged() -> None:
    found = hits(
        """
        op.execute("CREATE TYPE status_new AS ENUM ('new', 'done')")
        op.execute(
            "ALTER TABLE orders ALTER COLUMN status TYPE status_new USING status::text::status_new"
        )
        op.execute("DROP TYPE status")
        op.execute("ALTER TYPE status_new RENAME TO status")
        """
    )
    assert len(found) == 1


def test_alter_column_to_an_enum_with_fewer_values_is_flagged() -> None:
    found = hits(
        """
        op.alter_column(
            "orders",
            "status",
            type_=sa.Enum("new", "done", name="status_v2"),
            existing_type=sa.Enum("new", "done", "stale", name="status"),
            postgresql_using="status::text::status_v2",
        )
        """
    )
    assert len(found) == 1 and "'stale'" in found[0]


def test_alter_column_to_an_enum_with_more_values_is_not_flagged() -> None:
    assert not hits(
        """
        op.alter_column(
            "orders",
            "status",
            type_=sa.Enum("new", "done", "stale", "lost", name="status_v2"),
            existing_type=sa.Enum("new", "done", "stale", name="status"),
            postgresql_using="status::text::status_v2",
        )
        """
    )


def test_renaming_a_type_without_recreating_it_is_not_flagged() -> None:
    assert not hits('op.execute("ALTER TYPE status RENAME TO order_status")')


def test_rename_value_is_not_flagged() -> None:
    assert not hits("op.execute(\"ALTER TYPE status RENAME VALUE 'stale' TO 'expired'\")")


def test_rebuilding_a_type_created_in_the_run_is_not_flagged() -> None:
    assert not hits(
        """
        op.execute("CREATE TYPE status AS ENUM ('new', 'done', 'stale')")
        op.execute("ALTER TYPE status RENAME TO status_old")
        op.execute("CREATE TYPE status AS ENUM ('new', 'done')")
        """
    )


def test_reading_pg_enum_is_not_flagged() -> None:
    assert not hits('op.execute("SELECT enumlabel FROM pg_enum")')


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "enum_value_removal").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
