"""--verify: queries that must return true inside the migration's transaction, before COMMIT.

A query that returns false or NULL, no row at all, or fails, rolls the whole chain back
(exit 4, database exactly as before). ``[tool.migsafe] verify`` in a pyproject.toml beside
alembic.ini adds to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

VERIFY_CHAIN = {
    "r1": """
        op.create_table(
            "step1",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(50)),
        )
        op.execute("INSERT INTO step1 (id, label) VALUES (1, 'ü'), (2, NULL)")
        op.execute("UPDATE seed SET note = COALESCE(note, '') || '+r1'")
    """,
    "r2": """
        op.add_column("seed", sa.Column("extra", sa.Integer, server_default="7"))
    """,
}


# r1 changes rows migsafe cannot restore; its downgrade() covers it (tested as it runs).
VERIFY_UNDO = {"r1": 'op.drop_table("step1")', "r2": 'op.drop_column("seed", "extra")'}


def _chain(project: MiniProject) -> None:
    for rev, body in VERIFY_CHAIN.items():
        project.add(rev, body, VERIFY_UNDO[rev])


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request: pytest.FixtureRequest) -> Db:
    fixture = "pg_db" if request.param == "postgresql" else "sqlite_db"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]


FAILING = [
    pytest.param("SELECT false", "returned", id="false"),
    pytest.param("SELECT NULL", "returned None", id="null"),
    pytest.param("SELECT 1 WHERE false", "returned no rows", id="no-rows"),
    pytest.param("SELECT * FROM no_such_table", "verify query failed", id="error"),
    # Runs in the migration's transaction: sees the table r1 created, with its two rows.
    pytest.param("SELECT count(*) = 0 FROM step1", "returned", id="sees-the-migration"),
]


@pytest.mark.parametrize(("query", "reason"), FAILING)
def test_failing_verify_rolls_back(project: MiniProject, db: Db, query: str, reason: str) -> None:
    _chain(project)
    before = db.fingerprint()

    proc = project.upgrade(db.url, "--verify", "SELECT true", "--verify", query)

    assert proc.returncode == 4, project.explain(proc)
    db.assert_unchanged(before)
    assert db.heads() == ()
    run = db.last_run()
    assert run.status == "rolled_back"
    assert reason in (run.error or ""), run.error
    assert query in (run.error or "")


def test_passing_verify_commits(project: MiniProject, db: Db) -> None:
    _chain(project)

    proc = project.upgrade(
        db.url,
        "--verify",
        "SELECT count(*) = 3 FROM seed",
        "--verify",
        "SELECT count(*) = 2 FROM step1",  # a table the chain itself created
        "--verify",
        "SELECT min(extra) = 7 FROM seed",
    )

    assert proc.returncode == 0, project.explain(proc)
    assert db.heads() == ("r2",)
    assert db.last_run().status == "succeeded"


def test_verify_from_pyproject_beside_alembic_ini_is_honoured(
    project: MiniProject, pg_db: Db
) -> None:
    _chain(project)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(
        "[tool.migsafe]\n"
        'verify = ["SELECT count(*) = 2 FROM step1", "SELECT count(*) = 4 FROM seed"]\n'
    )
    before = pg_db.fingerprint()

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 4, project.explain(proc)
    pg_db.assert_unchanged(before)
    assert "SELECT count(*) = 4 FROM seed" in (pg_db.last_run().error or "")

    pyproject.write_text('[tool.migsafe]\nverify = ["SELECT count(*) = 3 FROM seed"]\n')
    # Added to by --verify on the command line, not replaced: this one still fails.
    proc = project.upgrade(pg_db.url, "--verify", "SELECT 1 WHERE false")
    assert proc.returncode == 4, project.explain(proc)
    pg_db.assert_unchanged(before)

    proc = project.upgrade(pg_db.url, "--verify", "SELECT count(*) = 2 FROM step1")

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r2",)
    assert pg_db.last_run().status == "succeeded"


# A check only reads: a query that writes fails (and the run rolls back), on either database.
WRITING = [
    pytest.param(
        "postgresql",
        "WITH w AS (UPDATE seed SET note = 'written by verify' RETURNING 1) "
        "SELECT count(*) > 0 FROM w",
        id="pg-data-modifying-cte",
    ),
    # A sequence is not transactional: only read-only keeps it where it was.
    pytest.param("postgresql", "SELECT nextval('verify_seq') > 0", id="pg-nextval"),
    pytest.param(
        "postgresql", "CREATE TABLE verify_wrote (id int); SELECT true", id="pg-ddl-then-select"
    ),
    pytest.param(
        "sqlite", "UPDATE seed SET note = 'written by verify' RETURNING 1", id="sqlite-update"
    ),
]


@pytest.mark.parametrize(("kind", "query"), WRITING)
def test_a_verify_query_that_writes_fails_and_writes_nothing(
    project: MiniProject, request: pytest.FixtureRequest, kind: str, query: str
) -> None:
    db: Db = request.getfixturevalue("pg_db" if kind == "postgresql" else "sqlite_db")
    if kind == "postgresql":
        db.execute("CREATE SEQUENCE verify_seq")
    _chain(project)
    before = db.fingerprint()

    proc = project.upgrade(db.url, "--verify", query)

    assert proc.returncode == 4, project.explain(proc)
    db.assert_unchanged(before)
    assert db.heads() == ()
    assert db.scalar("SELECT count(*) FROM seed WHERE note = 'written by verify'") == 0
    if kind == "postgresql":
        assert db.scalar("SELECT last_value FROM verify_seq") == 1
        assert db.scalar("SELECT is_called FROM verify_seq") is False
    error = db.last_run().error or ""
    assert "verify query failed" in error and "read" in error.lower(), error


def test_a_passing_verify_query_cannot_leave_a_write_behind_on_postgresql(
    project: MiniProject, pg_db: Db
) -> None:
    """A function that writes and swallows its own error cannot write either: read-only."""
    _chain(project)
    pg_db.execute(
        "CREATE FUNCTION sneaky() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
        "BEGIN UPDATE seed SET note = 'written by verify'; EXCEPTION WHEN OTHERS THEN "
        "RETURN true; END; RETURN true; END $$"
    )

    proc = project.upgrade(pg_db.url, "--verify", "SELECT sneaky()")

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r2",)
    assert pg_db.scalar("SELECT count(*) FROM seed WHERE note = 'written by verify'") == 0


def test_a_huge_verify_query_is_cut_in_the_error_line(project: MiniProject, db: Db) -> None:
    _chain(project)
    query = "SELECT " + " + ".join(["1"] * 25_001) + " < 0"  # an argument may hold 128 kB
    assert len(query) > 100_000
    before = db.fingerprint()

    proc = project.upgrade(db.url, "--verify", query)

    assert proc.returncode == 4, project.explain(proc)
    db.assert_unchanged(before)
    [line] = [x for x in proc.stderr.splitlines() if x.startswith("error: ")]
    assert len(line) < 1000, len(line)
    assert f"({len(query)} characters)" in line
    error = db.last_run().error or ""
    assert len(error) < 1000 and f"({len(query)} characters)" in error
    assert len(proc.stderr) < 5000, "the query is echoed somewhere else"


def test_a_verify_statement_that_returns_no_result_fails_cleanly(
    project: MiniProject, pg_db: Db
) -> None:
    _chain(project)
    before = pg_db.fingerprint()

    proc = project.upgrade(pg_db.url, "--verify", "SET lock_timeout = 1000")

    assert proc.returncode == 4, project.explain(proc)
    pg_db.assert_unchanged(before)
    assert "verify query returned no result (not a query)" in (pg_db.last_run().error or "")
    assert "ResourceClosedError" not in proc.stderr


@pytest.mark.parametrize("blank", ["", "  \n"], ids=["empty", "whitespace"])
def test_an_empty_verify_query_is_refused_before_anything_runs(
    project: MiniProject, db: Db, blank: str
) -> None:
    _chain(project)
    before = db.fingerprint()

    proc = project.upgrade(db.url, "--verify", "SELECT true", "--verify", blank)

    assert proc.returncode == 2, project.explain(proc)
    assert "error: a verify query is empty" in proc.stderr
    db.assert_unchanged(before)
    assert db.heads() == ()
    assert db.runs() == []
