"""`migsafe lint` from the command line, and the findings `migsafe upgrade` shows and enforces."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.engine.history import History
from tests.cli.conftest import Db, add_revision, assert_fails, assert_ok, run_cli, show

RISKY = '''"""index users.email

Revision ID: gen0004
Revises: gen0003
"""
from alembic import op
import sqlalchemy as sa

revision = "gen0004"
down_revision = "gen0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_email", "users", ["email"])


def downgrade():
    op.drop_index("ix_users_email", table_name="users")
'''

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


@pytest.fixture
def risky(project: Callable[[str], Path]) -> Path:
    root = project("generic")
    add_revision(root, "gen0004_index_email.py", RISKY)
    return root / "alembic.ini"


def test_all_lints_offline_without_reaching_any_database(risky: Path) -> None:
    proc = run_cli("lint", "--all", "--format", "json", ini=risky, url=UNREACHABLE)
    assert proc.returncode == 1, show(proc)
    doc = json.loads(proc.stdout)
    rules = {(f["revision"], f["rule"], f["line"]) for f in doc["findings"]}
    assert rules == {("gen0004", "index-not-concurrent", 16)}
    assert doc["offline"] is True


def test_fail_on_never_reports_and_exits_0(risky: Path) -> None:
    proc = run_cli("lint", "--all", "--fail-on", "never", ini=risky, url=UNREACHABLE)
    assert_ok(proc)
    assert "index-not-concurrent" in proc.stdout


def test_a_range_lints_only_its_revisions(risky: Path) -> None:
    proc = run_cli("lint", "--range", "gen0002:gen0003", "--format", "json", ini=risky)
    assert_ok(proc)
    assert [r["revision"] for r in json.loads(proc.stdout)["revisions"]] == ["gen0003"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["--range", "gen0002"], "--range must be START:END", id="range-without-colon"),
        pytest.param(["--range", "a:b", "--all"], "cannot be used together", id="range-and-all"),
        pytest.param(["--all", "--fail-on", "fatal"], "--fail-on must be", id="fail-on"),
        pytest.param(["--explain", "index-not-concurent"], "no lint rule", id="explain-unknown"),
        pytest.param(["--range", "nope:heads"], "nope", id="unknown-revision"),
        pytest.param(["gen0002", "--all"], "cannot be used together", id="target-and-all"),
        pytest.param(["--range", "gen0003:gen0001"], "gen0003 comes after gen0001", id="backwards"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(risky: Path, args: list[str], says: str) -> None:
    line = assert_fails(run_cli("lint", *args, ini=risky, url=UNREACHABLE), 2)
    assert says in line


def test_a_bad_lint_config_is_exit_2(risky: Path) -> None:
    (risky.parent / "pyproject.toml").write_text(
        '[tool.migsafe.lint]\nseverity = { "no-such-rule" = "warning" }\n'
    )
    line = assert_fails(run_cli("lint", "--all", ini=risky, url=UNREACHABLE), 2)
    assert "no rule 'no-such-rule'" in line


def test_config_severity_and_ignore_apply(risky: Path) -> None:
    (risky.parent / "pyproject.toml").write_text(
        '[tool.migsafe.lint]\nseverity = { "index-not-concurrent" = "warning" }\n'
    )
    proc = run_cli("lint", "--all", "--format", "json", ini=risky, url=UNREACHABLE)
    assert_ok(proc)  # a warning is below the default fail-on
    assert [f["severity"] for f in json.loads(proc.stdout)["findings"]] == ["warning"]
    (risky.parent / "pyproject.toml").write_text(
        '[tool.migsafe.lint]\nignore = ["index-not-concurrent"]\n'
    )
    proc = run_cli("lint", "--all", "--format", "json", ini=risky, url=UNREACHABLE)
    assert_ok(proc)
    assert json.loads(proc.stdout)["findings"] == []


def test_explain_shows_why_and_fix(risky: Path) -> None:
    proc = run_cli("lint", "--explain", "index-not-concurrent", ini=risky)
    assert_ok(proc)
    assert "CONCURRENTLY" in proc.stdout and "autocommit_block" in proc.stdout
    listing = run_cli("lint", "--explain", "all", ini=risky)
    assert_ok(listing)
    assert "index-not-concurrent" in listing.stdout


def at_gen0003_with_users(risky: Path, pg: Db) -> None:
    """The database before gen0004, its users table big enough for an index build to matter."""
    assert_ok(run_cli("upgrade", "gen0003", ini=risky, url=pg.url))
    pg.execute(
        "INSERT INTO users (id, name) SELECT g, 'u' || g FROM generate_series(2, 20001) g",
        "ANALYZE users",
    )


def test_pending_revisions_of_the_database_with_sizes(risky: Path, pg: Db) -> None:
    at_gen0003_with_users(risky, pg)
    proc = run_cli("lint", "--format", "json", ini=risky, url=pg.url)
    assert proc.returncode == 1, show(proc)
    doc = json.loads(proc.stdout)
    assert [r["revision"] for r in doc["revisions"]] == ["gen0004"]  # only what is pending
    assert doc["offline"] is False and doc["server_version"] >= 100000
    (finding,) = doc["findings"]
    assert finding["table"] == "users"
    assert finding["estimate"].startswith("20k rows / ")


def test_a_tiny_table_lowers_the_severity(risky: Path, pg: Db) -> None:
    assert_ok(run_cli("upgrade", "gen0003", ini=risky, url=pg.url))
    pg.execute("ANALYZE users")
    proc = run_cli("lint", "--format", "json", ini=risky, url=pg.url)
    assert_ok(proc)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["severity"] == "warning"


def test_upgrade_dry_run_shows_the_findings(risky: Path, pg: Db) -> None:
    at_gen0003_with_users(risky, pg)
    proc = run_cli("upgrade", "--dry-run", ini=risky, url=pg.url)
    assert_ok(proc)
    assert "lint: error index-not-concurrent (gen0004 line 16)" in proc.stdout


def test_upgrade_warns_by_default_and_runs(risky: Path, pg: Db) -> None:
    at_gen0003_with_users(risky, pg)
    proc = run_cli("upgrade", ini=risky, url=pg.url)
    assert_ok(proc)
    assert "Generating static SQL" not in proc.stderr  # lint renders quietly
    assert pg.versions() == {"gen0004"}
    engine = sa.create_engine(pg.url, poolclass=NullPool)
    try:
        run = History(engine, "migsafe").runs(limit=None, with_plan=True)[0]
    finally:
        engine.dispose()
    assert run.plan is not None
    assert any("index-not-concurrent" in line for line in run.plan["lint"])


def test_enforce_refuses_an_error_finding_and_changes_nothing(risky: Path, pg: Db) -> None:
    at_gen0003_with_users(risky, pg)
    (risky.parent / "pyproject.toml").write_text('[tool.migsafe.lint]\nmode = "enforce"\n')
    before = pg.fingerprint()
    line = assert_fails(run_cli("upgrade", ini=risky, url=pg.url), 1)
    assert "index-not-concurrent" in line and "gen0004" in line
    assert pg.fingerprint() == before
    assert pg.versions() == {"gen0003"}


def test_enforce_lets_a_reasoned_ignore_through(risky: Path, pg: Db) -> None:
    at_gen0003_with_users(risky, pg)
    (risky.parent / "pyproject.toml").write_text('[tool.migsafe]\nlint = "enforce"\n')
    path = risky.parent / "migrations" / "versions" / "gen0004_index_email.py"
    path.write_text(
        path.read_text().replace(
            '["email"])', '["email"])  # migsafe: ignore[index-not-concurrent] new, empty table'
        )
    )
    assert_ok(run_cli("upgrade", ini=risky, url=pg.url))
    assert pg.versions() == {"gen0004"}


def test_sqlite_upgrades_are_not_linted(risky: Path, sqlite: Db) -> None:
    assert_ok(run_cli("upgrade", "gen0001", ini=risky, url=sqlite.url))
    proc = run_cli("upgrade", "--dry-run", ini=risky, url=sqlite.url)
    assert_ok(proc)
    assert "lint:" not in proc.stdout
