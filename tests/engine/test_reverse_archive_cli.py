"""`migsafe reverse show` and `migsafe archive list|prune`, through the real CLI.

The archive is where reverse scripts keep what a migration destroyed; pruning it is the one
way its data goes, so it must say what it drops, keep what is inside the retention window, and
leave a revert that needed the data refusing (not silently coming back without it).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Db, MiniProject


def _applied_drop(project: MiniProject, pg_db: Db) -> None:
    project.add("r0", "pass")
    project.add("r1", 'op.drop_column("seed", "name")')
    assert project.upgrade(pg_db.url, "r0").returncode == 0
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 0, project.explain(proc)


def _json(project: MiniProject, pg_db: Db, *args: str) -> Any:
    proc = project.run(pg_db.url, *args, "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    return json.loads(proc.stdout)


def test_reverse_show_prints_the_stored_sql_and_where_the_data_is(
    project: MiniProject, pg_db: Db
) -> None:
    _applied_drop(project, pg_db)
    text = project.run(pg_db.url, "reverse", "show", "r1")
    assert text.returncode == 0, project.explain(text)
    assert "ADD COLUMN name" in text.stdout
    assert "kept by the upgrade: public.seed.name in migsafe_archive." in text.stdout

    (application,) = _json(project, pg_db, "reverse", "show", "r1")["applications"]
    assert application["source"] == "generated"
    assert application["heads_before"] == ["r0"] and application["heads_after"] == ["r1"]
    assert any('"migsafe_archive"' in s for s in application["sql"])

    unknown = project.run(pg_db.url, "reverse", "show", "nope")
    assert unknown.returncode == 2
    assert "no reverse script is stored for revision 'nope'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_reverse_show_on_sqlite_names_the_archive_without_a_schema(
    project: MiniProject, sqlite_db: Db
) -> None:
    _applied_drop(project, sqlite_db)
    text = project.run(sqlite_db.url, "reverse", "show", "r1")
    assert text.returncode == 0, project.explain(text)
    assert "kept by the upgrade: seed.name in migsafe_archive__" in text.stdout
    assert "None" not in text.stdout


def test_archive_list_shows_what_was_kept_and_that_a_revert_needs_it(
    project: MiniProject, pg_db: Db
) -> None:
    _applied_drop(project, pg_db)
    (entry,) = _json(project, pg_db, "archive", "list")["archives"]
    assert (entry["kind"], entry["source"], entry["revision"]) == (
        "column",
        "public.seed.name",
        "r1",
    )
    assert entry["made_by"] == "upgrade" and entry["needed"] is True
    assert entry["exists"] is True and entry["rows"] == 3
    assert entry["archive_schema"] == "migsafe_archive"


def test_prune_keeps_the_retention_window_then_drops_and_the_revert_refuses(
    project: MiniProject, pg_db: Db
) -> None:
    _applied_drop(project, pg_db)
    (entry,) = _json(project, pg_db, "archive", "list")["archives"]
    archive = f'migsafe_archive."{entry["archive_table"]}"'

    kept = _json(project, pg_db, "archive", "prune")  # default: 7 days
    assert kept["dropped"] == [] and len(kept["kept"]) == 1
    planned = _json(project, pg_db, "archive", "prune", "--older-than", "0s", "--dry-run")
    assert [e["archive_table"] for e in planned["dropped"]] == [entry["archive_table"]]
    assert pg_db.scalar(f"SELECT count(*) FROM {archive}") == 3  # a dry run drops nothing

    text = project.run(pg_db.url, "archive", "prune", "--older-than", "0s")
    assert text.returncode == 0, project.explain(text)
    assert "its revision's revert can no longer put it back" in text.stdout
    assert pg_db.scalar(f"SELECT to_regclass('{archive}') IS NULL") is True

    before = pg_db.fingerprint()
    refused = project.run(pg_db.url, "revert", "--yes")
    assert refused.returncode == 2, project.explain(refused)
    assert "was pruned on" in refused.stderr
    pg_db.assert_unchanged(before)


def test_prune_refuses_a_bad_duration_and_changes_nothing(project: MiniProject, pg_db: Db) -> None:
    _applied_drop(project, pg_db)
    bad = project.run(pg_db.url, "archive", "prune", "--older-than", "soon")
    assert bad.returncode == 2
    assert "--older-than" in bad.stderr and "Traceback" not in bad.stderr
    assert len(_json(project, pg_db, "archive", "list")["archives"]) == 1
