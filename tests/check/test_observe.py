"""The locks and rewrites PostgreSQL really performs, per statement kind, against what
:mod:`migsafe.check.locks` predicts from the SQL alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.check.locks import LockMode, statement_locks
from migsafe.check.observe import filenodes, held_locks, rewritten
from migsafe.lint.model import Statement, Via
from migsafe.lint.sqltext import parse_one

M = LockMode

SETUP = (
    "CREATE TABLE parent (id int PRIMARY KEY);"
    "CREATE TABLE t (id int PRIMARY KEY, c int, v varchar(10), p int);"
    "CREATE INDEX t_c ON t (c);"
    "INSERT INTO parent VALUES (1); INSERT INTO t VALUES (1, 1, 'x', 1)"
)

# statement, the strongest lock PostgreSQL takes on t, whether t is rewritten
CASES = [
    ("ALTER TABLE t ADD COLUMN n int", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t ADD COLUMN n timestamptz DEFAULT now()", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t ADD COLUMN n float8 DEFAULT random()", M.ACCESS_EXCLUSIVE, True),
    ("ALTER TABLE t ALTER COLUMN c TYPE bigint", M.ACCESS_EXCLUSIVE, True),
    ("ALTER TABLE t ALTER COLUMN v TYPE varchar(20)", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t ALTER COLUMN v TYPE text", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t ALTER COLUMN c SET NOT NULL", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t DROP COLUMN c", M.ACCESS_EXCLUSIVE, False),
    ("ALTER TABLE t ADD CONSTRAINT t_c_pos CHECK (c > 0) NOT VALID", M.ACCESS_EXCLUSIVE, False),
    (
        "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID",
        M.SHARE_ROW_EXCLUSIVE,
        False,
    ),
    ("ALTER TABLE t SET (fillfactor = 70)", M.SHARE_UPDATE_EXCLUSIVE, False),
    ("CREATE INDEX t_v ON t (v)", M.SHARE, False),
    ("UPDATE t SET c = c + 1", M.ROW_EXCLUSIVE, False),
    ("DELETE FROM t WHERE id = 1", M.ROW_EXCLUSIVE, False),
    ("TRUNCATE t CASCADE", M.ACCESS_EXCLUSIVE, True),
    ("LOCK TABLE t IN SHARE MODE", M.SHARE, False),
    ("CLUSTER t USING t_c", M.ACCESS_EXCLUSIVE, True),
]


@pytest.fixture
def conn(pg_url: str) -> Iterator[sa.Connection]:
    engine = sa.create_engine(pg_url, poolclass=NullPool)
    with engine.begin() as setup:
        setup.exec_driver_sql(SETUP)
    with engine.connect() as c:
        yield c
        c.rollback()
    engine.dispose()


@pytest.mark.parametrize(
    ("sql", "lock", "rewrites"),
    CASES,
    ids=[sql.split(" t ")[0] + ":" + sql[-20:] for sql, *_ in CASES],
)
def test_postgresql_takes_the_predicted_lock_and_rewrites_as_expected(
    conn: sa.Connection, sql: str, lock: LockMode, rewrites: bool
) -> None:
    before = filenodes(conn, ["t"])
    conn.rollback()
    conn.exec_driver_sql(sql)
    observed = held_locks(conn)
    after = filenodes(conn, ["t"])
    ((text, node),) = parse_one(sql)
    predicted = dict(statement_locks(Statement(text, node, 1, Via.OP)))
    assert observed["t"] is lock, f"PostgreSQL took {observed['t'].pg_name}"
    assert predicted["t"] is lock, f"predicted {predicted['t'].pg_name}"
    assert (rewritten(before, after) == {"t"}) is rewrites
