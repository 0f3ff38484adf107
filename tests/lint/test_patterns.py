"""migsafe.lint.patterns: which statements share a transaction under migsafe's guard."""

from __future__ import annotations

from migsafe.lint.context import Context
from migsafe.lint.model import Statement, Via
from migsafe.lint.patterns import same_transaction
from migsafe.lint.sqltext import parse_one


def _stmt(sql: str, revision: str, *, autocommit: bool = False) -> Statement:
    [(text, node)] = parse_one(sql)
    return Statement(text, node, 1, Via.OP, revision=revision, autocommit=autocommit)


ADD = "ALTER TABLE t ADD CONSTRAINT ck CHECK (c > 0) NOT VALID"
VALIDATE = "ALTER TABLE t VALIDATE CONSTRAINT ck"


def test_consecutive_transactional_revisions_share_one_transaction() -> None:
    ctx = Context(statements=[_stmt(ADD, "a"), _stmt(VALIDATE, "b")])
    assert same_transaction(ctx, 0, 1)


def test_a_revision_with_an_autocommit_block_runs_on_its_own() -> None:
    ctx = Context(
        statements=[
            _stmt(ADD, "a"),
            _stmt("CREATE INDEX CONCURRENTLY ix ON u (c)", "b", autocommit=True),
            _stmt("SELECT 1", "b"),
            _stmt(VALIDATE, "c"),
        ]
    )
    assert not same_transaction(ctx, 0, 3)


def test_an_autocommit_statement_in_between_commits_the_first() -> None:
    ctx = Context(
        statements=[
            _stmt(ADD, "a"),
            _stmt("CREATE INDEX CONCURRENTLY ix ON u (c)", "a", autocommit=True),
            _stmt(VALIDATE, "a"),
        ]
    )
    assert not same_transaction(ctx, 0, 2)


def test_the_same_revision_without_autocommit_is_one_transaction() -> None:
    ctx = Context(statements=[_stmt(ADD, "a"), _stmt("SELECT 1", "a"), _stmt(VALIDATE, "a")])
    assert same_transaction(ctx, 0, 2)
