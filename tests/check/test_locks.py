"""The lock each statement kind takes, and PostgreSQL's conflict table."""

from __future__ import annotations

import pytest

from migsafe.check.locks import LockMode, conflicts, needed_locks, statement_locks
from migsafe.lint.model import Statement, Via
from migsafe.lint.sqltext import parse_one

M = LockMode


def locks(sql: str) -> dict[str, LockMode]:
    ((text, node),) = parse_one(sql)
    return dict(statement_locks(Statement(text, node, 1, Via.OP)))


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ALTER TABLE t ADD COLUMN c int", {"t": M.ACCESS_EXCLUSIVE}),
        ("ALTER TABLE t ALTER COLUMN c TYPE bigint", {"t": M.ACCESS_EXCLUSIVE}),
        ("ALTER TABLE t ALTER COLUMN c SET NOT NULL", {"t": M.ACCESS_EXCLUSIVE}),
        ("ALTER TABLE t VALIDATE CONSTRAINT k", {"t": M.SHARE_UPDATE_EXCLUSIVE}),
        ("ALTER TABLE t SET (fillfactor = 70)", {"t": M.SHARE_UPDATE_EXCLUSIVE}),
        ("ALTER TABLE t DISABLE TRIGGER x", {"t": M.SHARE_ROW_EXCLUSIVE}),
        (
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES u (id) NOT VALID",
            {"t": M.SHARE_ROW_EXCLUSIVE, "u": M.SHARE_ROW_EXCLUSIVE},
        ),
        ("CREATE INDEX i ON t (c)", {"t": M.SHARE}),
        ("CREATE INDEX CONCURRENTLY i ON t (c)", {"t": M.SHARE_UPDATE_EXCLUSIVE}),
        ("UPDATE t SET c = 1", {"t": M.ROW_EXCLUSIVE}),
        ("DELETE FROM t WHERE c = 1", {"t": M.ROW_EXCLUSIVE}),
        ("INSERT INTO t VALUES (1)", {"t": M.ROW_EXCLUSIVE}),
        ("TRUNCATE t", {"t": M.ACCESS_EXCLUSIVE}),
        ("DROP TABLE t", {"t": M.ACCESS_EXCLUSIVE}),
        ("ALTER TABLE t RENAME TO t2", {"t": M.ACCESS_EXCLUSIVE}),
        ("LOCK TABLE t IN SHARE MODE", {"t": M.SHARE}),
        ("LOCK TABLE t", {"t": M.ACCESS_EXCLUSIVE}),
        ("VACUUM FULL t", {"t": M.ACCESS_EXCLUSIVE}),
        ("VACUUM t", {"t": M.SHARE_UPDATE_EXCLUSIVE}),
        ("CLUSTER t USING i", {"t": M.ACCESS_EXCLUSIVE}),
    ],
)
def test_each_statement_kind_takes_its_documented_lock(
    sql: str, expected: dict[str, LockMode]
) -> None:
    assert locks(sql) == expected


def test_the_strongest_lock_per_table_wins() -> None:
    statements = [
        Statement(text, node, 1, Via.OP)
        for sql in ("UPDATE orders SET a = 1", "ALTER TABLE public.orders ADD COLUMN b int")
        for text, node in parse_one(sql)
    ]
    assert needed_locks(statements) == {"orders": M.ACCESS_EXCLUSIVE}


@pytest.mark.parametrize(
    ("wanted", "held", "waits"),
    [
        (M.ACCESS_EXCLUSIVE, M.ACCESS_SHARE, True),  # an ALTER behind a long SELECT
        (M.SHARE, M.ROW_EXCLUSIVE, True),  # CREATE INDEX behind a writer
        (M.SHARE_UPDATE_EXCLUSIVE, M.ROW_EXCLUSIVE, False),  # CONCURRENTLY lets writes through
        (M.ROW_EXCLUSIVE, M.ACCESS_SHARE, False),
        (M.SHARE_ROW_EXCLUSIVE, M.ROW_SHARE, False),
        (M.SHARE_ROW_EXCLUSIVE, M.SHARE_ROW_EXCLUSIVE, True),
    ],
)
def test_conflicts_follow_postgresqls_table(wanted: LockMode, held: LockMode, waits: bool) -> None:
    assert conflicts(wanted, held) is waits
    assert conflicts(held, wanted) is waits  # the table is symmetric


def test_pg_names_round_trip() -> None:
    for mode in LockMode:
        assert LockMode.from_pg(mode.pg_name) is mode
    assert M.ACCESS_EXCLUSIVE.pg_name == "AccessExclusiveLock"
