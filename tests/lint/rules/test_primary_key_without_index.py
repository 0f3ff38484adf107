"""primary-key-without-index: ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "primary-key-without-index"


@pytest.mark.parametrize(
    "body",
    [
        "op.create_primary_key('events_pkey', 'events', ['id'])",
        "op.execute('ALTER TABLE events ADD PRIMARY KEY (id)')",
    ],
)
def test_a_primary_key_building_its_index_is_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "body",
    [
        "op.execute('ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY"
        " USING INDEX events_id_uq')",
        "op.create_table('events', sa.Column('id', sa.Integer(), primary_key=True))",
        "op.create_table('events', sa.Column('id', sa.Integer()))\n"
        "op.create_primary_key('events_pkey', 'events', ['id'])",
    ],
)
def test_using_index_or_new_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "primary_key_without_index"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
