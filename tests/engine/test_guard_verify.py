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
