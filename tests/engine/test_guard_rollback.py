"""A failure anywhere in a chain of pending migrations leaves the database exactly as before.

The whole chain runs in one transaction: whichever migration fails, the schema and every
table's rows (fingerprints) are as they were, the version table has not moved, migsafe exits 4
and the history names the failed revision. After the fix the same chain goes through.
"""

from __future__ import annotations

import logging.config
from typing import TYPE_CHECKING

import pytest

from migsafe import api
from migsafe.errors import ExitCode, MigrationFailed
from migsafe.results import RunResult
from migsafe.settings import CliOptions, load_settings

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

N = 5


def _fail_at_k_then_fix(project: MiniProject, db: Db, k: int) -> None:
    project.chain(N, fail_at=k)
    before = db.fingerprint()

    proc = project.upgrade(db.url)

    assert proc.returncode == 4, project.explain(proc)
    db.assert_unchanged(before)
    assert db.heads() == ()
    assert not db.has_table(f"step{k}")
    (run,) = db.runs()
    assert run.status == "rolled_back"
    assert run.failed_revision == f"r{k}"
    assert run.from_revisions == ()
    assert run.at_revisions == ()
    assert run.to_revisions == ()
    assert run.attempts == 1
    assert f"injected failure in step {k}" in (run.error or "")
    assert "rolled back" in proc.stderr
    assert f"r{k}" in proc.stderr

    project.fix_step(k)
    proc = project.upgrade(db.url)

    assert proc.returncode == 0, project.explain(proc)
    assert db.heads() == (f"r{N}",)
    last = db.last_run()
    assert last.status == "succeeded"
    assert (last.from_revisions, last.to_revisions) == ((), (f"r{N}",))
    assert [r.status for r in db.runs()] == ["succeeded", "rolled_back"]
    # Every step of the chain ran, once.
    assert all(db.has_table(f"step{i}") for i in range(1, N + 1))
    assert {f"c{i}" for i in range(1, N + 1)} <= set(db.columns("seed"))
    assert db.rows("SELECT id, c1, c5 FROM seed ORDER BY id") == [(1, 1, 5), (2, 2, 10)]
    assert db.scalar(f"SELECT count(*) FROM step{N}") == 2
    assert db.scalar("SELECT count(*) FROM step1") == 1


@pytest.mark.parametrize("k", range(1, N + 1), ids=[f"fail-at-{k}" for k in range(1, N + 1)])
def test_failure_at_k_rolls_back_the_whole_chain_postgresql(
    project: MiniProject, pg_db: Db, k: int
) -> None:
    _fail_at_k_then_fix(project, pg_db, k)


@pytest.mark.parametrize("k", [1, 3, N], ids=["fail-at-1", "fail-at-3", f"fail-at-{N}"])
def test_failure_at_k_rolls_back_the_whole_chain_sqlite(
    project: MiniProject, sqlite_db: Db, k: int
) -> None:
    """SQLite DDL (CREATE TABLE, ADD COLUMN, CREATE INDEX) must really roll back too."""
    _fail_at_k_then_fix(project, sqlite_db, k)


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_failure_from_a_non_empty_revision_returns_to_it(
    project: MiniProject, dialect: str, request: pytest.FixtureRequest
) -> None:
    db: Db = request.getfixturevalue("pg_db" if dialect == "postgresql" else "sqlite_db")
    project.chain(N, fail_at=4)
    proc = project.upgrade(db.url, "r2")
    assert proc.returncode == 0, project.explain(proc)
    assert db.heads() == ("r2",)
    before = db.fingerprint()

    proc = project.upgrade(db.url)

    assert proc.returncode == 4, project.explain(proc)
    db.assert_unchanged(before)
    assert db.heads() == ("r2",)
    run = db.last_run()
    assert run.status == "rolled_back"
    assert run.failed_revision == "r4"
    assert run.from_revisions == ("r2",)
    assert run.at_revisions == ("r2",)
    assert "the database is at r2" in proc.stderr

    project.fix_step(4)
    proc = project.upgrade(db.url)

    assert proc.returncode == 0, project.explain(proc)
    assert db.heads() == ("r5",)
    last = db.last_run()
    assert (last.status, last.from_revisions, last.to_revisions) == ("succeeded", ("r2",), ("r5",))
    assert [r.status for r in db.runs()] == ["succeeded", "rolled_back", "succeeded"]


def test_library_api_failure_rolls_back_then_succeeds(
    project: MiniProject, pg_db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same guarantee through migsafe.api, in-process: the error carries the result."""
    # The stock env.py calls logging.config.fileConfig(alembic.ini), which would disable every
    # logger of this pytest process for the rest of the session.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    project.chain(N, fail_at=3)
    settings = load_settings(
        CliOptions(config=project.ini, database_url=pg_db.url),
        environ={},
        cwd=project.root,
        lock_timeout="1s",
        retries=1,
    )
    before = pg_db.fingerprint()

    with pytest.raises(MigrationFailed) as failed:
        api.upgrade(settings, "head")

    assert failed.value.exit_code == ExitCode.ROLLED_BACK
    result = failed.value.result
    assert isinstance(result, RunResult)
    assert (result.status, result.failed_revision, result.at_heads) == ("rolled_back", "r3", ())
    pg_db.assert_unchanged(before)
    assert pg_db.last_run().run_id == result.run_id

    project.fix_step(3)
    done = api.upgrade(settings, "head")

    assert (done.status, done.at_heads) == ("succeeded", ("r5",))
    assert pg_db.heads() == ("r5",)
