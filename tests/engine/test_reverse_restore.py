"""A snapshot restored in place undoes what was applied after it: its stored reverses must
never run afterwards (they would undo changes that are no longer there)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Db, MiniProject


def test_restoring_a_snapshot_supersedes_the_reverses_stored_after_it(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", 'op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))')
    project.add("r2", 'op.add_column("seed", sa.Column("extra", sa.Integer))')
    assert project.upgrade(pg_db.url, "r1").returncode == 0
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    assert created.returncode == 0, project.explain(created)
    snapshot = json.loads(created.stdout)["id"]
    assert project.upgrade(pg_db.url).returncode == 0
    restored = project.run(pg_db.url, "snapshot", "restore", snapshot, "--yes", "--force")
    assert restored.returncode == 0, project.explain(restored)

    by = dict(pg_db.rows("SELECT revision, reverted_by FROM migsafe.migsafe_reverse"))
    assert by["r1"] is None
    assert by["r2"] == f"restore:{snapshot}"[:32]
    plan = project.run(pg_db.url, "revert", "--steps", "1", "--dry-run", "--format", "json")
    assert plan.returncode == 0, project.explain(plan)
    steps = json.loads(plan.stdout)["plan"]["steps"]
    assert [s["revision"] for s in steps] == ["r1"]
    assert "DROP TABLE" in steps[0]["sql"] or "migsafe_archive" in steps[0]["sql"]
