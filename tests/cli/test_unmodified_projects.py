"""migsafe works on Alembic projects as Alembic writes them, without changing a line.

Each test copies a mini project from tests/projects/ and drives the real CLI in a subprocess.
Where a migration records ``current_setting('application_name')``, the test also checks that
the migration ran on migsafe's own connection, not on one that env.py opened itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from migsafe.db.fingerprint import fingerprint
from migsafe.engine.history import OWN_TABLES
from tests.cli.conftest import (
    PROJECTS,
    Db,
    assert_fails,
    assert_nothing_recorded_as_changed,
    assert_ok,
    run_cli,
)

ProjectFn = Callable[[str], Path]


def status_json(
    ini: Path | None, url: str | None, *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    proc = run_cli("status", "--format", "json", ini=ini, url=url, env=env)
    assert_ok(proc)
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def without_version_table(db: Db) -> tuple[str, str]:
    """Schema and data fingerprints, ignoring alembic_version (it stays, empty, at base) and
    migsafe's own tables, including the archive where a revert keeps the tables it removes."""
    with db.connect() as conn:
        excluded = ("alembic_version", *OWN_TABLES)
        if db.sqlite:  # what reverse scripts kept (SQLite has no schema to put it in)
            from migsafe.reverse.sqlite.archive import archive_tables

            excluded = (*excluded, *archive_tables(conn))
        fp = fingerprint(
            conn, exclude_schemas=("migsafe", "migsafe_archive"), exclude_tables=excluded
        )
    return fp.schema, fp.data


# -- 1. the stock `alembic init` env.py ---------------------------------------------------------


def test_generic_env_py_upgrade_status_history_revert(project: ProjectFn, db: Db) -> None:
    proj = project("generic")
    ini = proj / "alembic.ini"
    pristine = without_version_table(db)

    up = run_cli("upgrade", ini=ini, url=db.url)
    assert_ok(up)
    assert db.versions() == {"gen0003"}
    assert db.scalar("SELECT name FROM users WHERE id = 1") == "admin"
    if not db.sqlite:
        # The stock env.py opens its own engine; migsafe must have swapped in its connection.
        assert str(db.scalar("SELECT email FROM users WHERE id = 1")).startswith("migsafe")
    [run] = db.runs()
    assert (run.command, run.status) == ("upgrade", "succeeded")
    assert run.from_revisions == ()
    assert run.to_revisions == ("gen0003",)
    assert run.run_id in up.stdout

    status = run_cli("status", ini=ini, url=db.url)
    assert_ok(status)
    assert "Up to date" in status.stdout
    assert "gen0003" in status.stdout

    history = run_cli("history", ini=ini, url=db.url)
    assert_ok(history)
    assert run.run_id in history.stdout
    assert "upgrade" in history.stdout

    back = run_cli("revert", "--yes", ini=ini, url=db.url)
    assert_ok(back)
    assert db.versions() == set()
    assert "users" not in db.tables()
    assert without_version_table(db) == pristine

    revert_run, upgrade_run = db.runs()
    assert (revert_run.command, revert_run.status) == ("revert", "succeeded")
    assert revert_run.reverts_run_id == run.run_id
    assert upgrade_run.reverted_by == revert_run.run_id


# -- 2. the cookbook env.py using config.attributes["connection"] -------------------------------


def test_attributes_connection_env_py_uses_migsafes_connection(project: ProjectFn, pg: Db) -> None:
    proj = project("attributes_connection")
    ini = proj / "alembic.ini"

    up = run_cli("upgrade", ini=ini, url=pg.url)
    assert_ok(up)
    assert pg.versions() == {"att0002"}
    [run] = pg.runs()
    assert run.status == "succeeded"
    assert run.to_revisions == ("att0002",)
    # env.py took the connection migsafe put in config.attributes, not its own engine.
    assert str(pg.scalar("SELECT body FROM notes WHERE id = 1")).startswith("migsafe")

    assert status_json(ini, pg.url)["up_to_date"] is True

    back = run_cli("revert", "--yes", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions() == set()
    assert "notes" not in pg.tables()


# -- 3. a custom version table in another schema ------------------------------------------------


def test_custom_version_table_and_schema(project: ProjectFn, pg: Db) -> None:
    proj = project("custom_version_table")
    ini = proj / "alembic.ini"
    pg.execute("CREATE SCHEMA meta")  # Alembic needs the version table's schema to exist

    up = run_cli("upgrade", ini=ini, url=pg.url)
    assert_ok(up)
    assert pg.versions("schema_versions", schema="meta") == {"cvt0002"}
    assert "alembic_version" not in pg.tables()
    assert "alembic_version" not in pg.tables(schema="meta")
    assert "items" in pg.tables()

    status = status_json(ini, pg.url)
    assert status["current"] == ["cvt0002"]
    assert status["up_to_date"] is True
    assert status["pending"] == []

    back = run_cli("revert", "--steps", "1", "--yes", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions("schema_versions", schema="meta") == {"cvt0001"}
    assert pg.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_items_sku'") == 0
    status = status_json(ini, pg.url)
    assert status["current"] == ["cvt0001"]
    assert status["up_to_date"] is False
    assert "alembic_version" not in pg.tables()


# -- 4. branches and a merge --------------------------------------------------------------------

MERGE_FILE = "br0merge_merge_feature_and_other.py"


def _unmerged_branches(project: ProjectFn) -> tuple[Path, Path]:
    """The branches project before the merge revision was written."""
    proj = project("branches")
    (proj / "migrations" / "versions" / MERGE_FILE).unlink()
    return proj, proj / "alembic.ini"


def test_branches_target_a_branch_then_all_heads(project: ProjectFn, pg: Db) -> None:
    _, ini = _unmerged_branches(project)

    feature = run_cli("upgrade", "feature@head", ini=ini, url=pg.url)
    assert_ok(feature)
    assert pg.versions() == {"br0feat"}
    assert {"base_t", "feature_t"} <= pg.tables()
    assert "other_t" not in pg.tables()

    heads = run_cli("upgrade", "heads", ini=ini, url=pg.url)
    assert_ok(heads)
    assert pg.versions() == {"br0feat", "br0othr"}
    status = status_json(ini, pg.url)
    assert sorted(status["current"]) == ["br0feat", "br0othr"]
    assert status["up_to_date"] is True

    # Undo the last run (it went from br0feat to both heads): only the other branch goes.
    back = run_cli("revert", "--yes", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions() == {"br0feat"}
    assert "other_t" not in pg.tables()
    assert "feature_t" in pg.tables()


def test_branches_upgrade_to_the_merge_then_revert_it(project: ProjectFn, pg: Db) -> None:
    proj, ini = _unmerged_branches(project)
    assert_ok(run_cli("upgrade", "heads", ini=ini, url=pg.url))
    assert pg.versions() == {"br0feat", "br0othr"}
    before_merge = pg.fingerprint()

    # Later, somebody merges the two branches.
    shutil.copy(
        PROJECTS / "branches" / "migrations" / "versions" / MERGE_FILE,
        proj / "migrations" / "versions" / MERGE_FILE,
    )
    merged = run_cli("upgrade", ini=ini, url=pg.url)
    assert_ok(merged)
    assert pg.versions() == {"br0merge"}
    assert pg.scalar("SELECT count(*) FROM base_t") == 1
    last = pg.runs()[0]
    assert set(last.from_revisions) == {"br0feat", "br0othr"}
    assert last.to_revisions == ("br0merge",)

    # Reverting the last run (the merge) goes back to the two heads it started from.
    back = run_cli("revert", "--yes", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions() == {"br0feat", "br0othr"}
    assert pg.fingerprint() == before_merge


# -- 5. pyproject.toml only ---------------------------------------------------------------------


def test_pyproject_toml_only_with_url_from_environment(project: ProjectFn, pg: Db) -> None:
    proj = project("pyproject_only")
    assert not (proj / "alembic.ini").exists()
    env = {"MIGSAFE_DATABASE_URL": pg.url}

    up = run_cli("upgrade", cwd=proj, env=env)
    assert_ok(up)
    assert pg.versions() == {"pp0002"}
    assert pg.scalar("SELECT key FROM settings WHERE id = 1") == "theme"

    # The same project named explicitly with -c pyproject.toml.
    status = status_json(proj / "pyproject.toml", None, env=env)
    assert status["current"] == ["pp0002"]
    assert status["up_to_date"] is True


def test_a_url_only_env_py_builds_is_found_by_running_env_py_once(
    project: ProjectFn, pg: Db, tmp_path: Path
) -> None:
    """No URL in the config or the options: env.py builds it from the application's own
    setting. migsafe runs env.py once, read-only, to learn it, then migrates that database."""
    proj = project("generic")
    ini = proj / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("sqlalchemy.url = driver://user:pass@localhost/dbname", "")
    )
    env_py = proj / "migrations" / "env.py"
    runs = tmp_path / "env_py_runs"
    env_py.write_text(
        env_py.read_text().replace(
            """    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )""",
            """    import os

    with open(os.environ["ENV_PY_RUNS"], "a") as runs:
        runs.write("run\\n")
    connectable = engine_from_config(
        {"sqlalchemy.url": os.environ["APP_DATABASE_URL"]},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )""",
        )
    )
    env = {"APP_DATABASE_URL": pg.url, "ENV_PY_RUNS": str(runs)}

    history = run_cli("history", ini=ini, env=env)

    assert_ok(history)
    assert runs.read_text().count("run") == 1  # asked once for the URL, nothing else ran
    up = run_cli("upgrade", ini=ini, env=env)
    assert_ok(up)
    assert pg.versions() == {"gen0003"}


# -- 6./7. env.py that cannot be driven ---------------------------------------------------------


def test_env_py_raising_before_configure(project: ProjectFn, db: Db) -> None:
    proj = project("env_raises")
    ini = proj / "alembic.ini"
    before = db.fingerprint()

    proc = run_cli("upgrade", ini=ini, url=db.url)
    line = assert_fails(proc, 2)
    # Names the line of env.py that raised (not a frame inside os or Alembic).
    assert f"{proj / 'migrations' / 'env.py'}, line 16" in line
    assert "MIGSAFE_TEST_SURELY_MISSING_VAR" in line
    assert db.fingerprint() == before
    assert db.versions() == set()
    assert_nothing_recorded_as_changed(db)


def test_env_py_that_never_configures(project: ProjectFn, db: Db) -> None:
    proj = project("env_no_configure")
    ini = proj / "alembic.ini"
    before = db.fingerprint()

    proc = run_cli("upgrade", ini=ini, url=db.url)
    line = assert_fails(proc, 2)
    assert "env.py" in line
    assert "context.configure()" in line
    assert db.fingerprint() == before
    assert db.versions() == set()
    assert_nothing_recorded_as_changed(db)


# -- 8. the async template ----------------------------------------------------------------------


def test_async_env_py_runs_its_migrations_on_asyncpg(project: ProjectFn, pg: Db) -> None:
    """The stock async template: env.py calls asyncio.run() and run_sync(); the migrations
    run on migsafe's connection, on asyncpg, so asyncpg's own SQL ($1, a literal %) works."""
    proj = project("async_env")
    ini = proj / "alembic.ini"
    async_url = pg.url.replace("postgresql+psycopg://", "postgresql+asyncpg://", 1)
    assert async_url != pg.url

    up = run_cli("upgrade", ini=ini, url=async_url)
    assert_ok(up)
    assert pg.versions() == {"as0003"}
    # env.py opened an asyncpg connection of its own; the migration ran on migsafe's.
    assert str(pg.scalar("SELECT kind FROM events WHERE id = 1")).startswith("migsafe")
    assert pg.scalar("SELECT kind FROM events WHERE id = 3") == '"audit log"'
    assert pg.scalar("SELECT kind FROM events WHERE id = 4") == "asyncpg"
    [run] = pg.runs()
    assert run.status == "succeeded"

    back = run_cli("revert", "--yes", ini=ini, url=async_url)
    assert_ok(back)
    assert pg.versions() == set()
    assert "events" not in pg.tables()


def test_async_env_py_failure_on_asyncpg_rolls_everything_back(project: ProjectFn, pg: Db) -> None:
    ini = project("async_env") / "alembic.ini"
    async_url = pg.url.replace("postgresql+psycopg://", "postgresql+asyncpg://", 1)
    before = pg.fingerprint()

    up = run_cli("upgrade", ini=ini, url=async_url, env={"ASYNC_ENV_FAIL": "1"})

    line = assert_fails(up, 4)
    assert "as0003" in line and "injected failure" in line, line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
