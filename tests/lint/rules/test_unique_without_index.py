"""unique-without-index: ADD UNIQUE builds its index under ACCESS EXCLUSIVE."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "unique-without-index"


@pytest.mark.parametrize(
    "body",
    [
        "op.create_unique_constraint('uq_users_email', 'users', ['email'])",
        "op.execute('ALTER TABLE users ADD UNIQUE (email)')",
        "op.execute('ALTER TABLE users ADD COLUMN handle text UNIQUE')",
    ],
)
def test_a_unique_constraint_building_its_index_is_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "body",
    [
        "op.execute('ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_e')",
        "with op.get_context().autocommit_block():\n"
        "    op.create_index('uq_e', 'users', ['email'], unique=True,"
        " postgresql_concurrently=True)",
        "op.create_table('users', sa.Column('email', sa.Text(), unique=True))",
        "op.create_table('users', sa.Column('email', sa.Text()))\n"
        "op.create_unique_constraint('uq_users_email', 'users', ['email'])",
    ],
)
def test_using_index_or_new_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "unique_without_index"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
