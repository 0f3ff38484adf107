"""Irreversible steps are named before anything changes, and refused unless covered.

A step is irreversible when it does something migsafe cannot undo exactly. Data changes are
captured on PostgreSQL (reverse/rows, tests/engine/test_data_changes_revert.py); here the
project turns that off (`capture-rows = false`), which makes every data change irreversible
again: the most common kind of irreversible step, and the one these cases are written with.
Without a cover (--backup, --allow-irreversible, or a downgrade() that passes its test in a
savepoint) the upgrade is refused: before anything runs when the source shows it, inside the
rolled-back transaction when only running shows it. Either way the database is exactly as
before.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Db, MiniProject

ADD = 'op.add_column("seed", sa.Column("extra", sa.Integer))'


@pytest.fixture(autouse=True)
def _no_row_capture(project: MiniProject) -> None:
    (project.root / "pyproject.toml").write_text("[tool.migsafe]\ncapture-rows = false\n")


# (id, upgrade body, how the refusal is found)
CASES = [
    ("literal-update", 'op.execute("UPDATE seed SET name = upper(name)")', "static"),
    ("text-delete", 'op.execute(sa.text("DELETE FROM seed WHERE id = 1"))', "static"),
    (
        "core-update",
        'seed = sa.table("seed", sa.column("name"))\nop.execute(seed.update().values(name="x"))',
        "dynamic",
    ),
    (
        "sql-built-at-run-time",
        'verb = "".join(["UPD", "ATE"])\nop.execute(f"{verb} seed SET note = NULL")',
        "dynamic",
    ),
    (
        "on-the-connection",
        "op.get_bind().execute(sa.text(\"UPDATE seed SET note = 'gone'\"))",
        "static",
    ),
    (
        "on-the-connection-built-at-run-time",
        'op.get_bind().exec_driver_sql("DELETE FROM seed WHERE id = " + str(1))',
        "dynamic",
    ),
    (
        "bulk-insert-without-keys",
        'seed = sa.table("seed", sa.column("name"))\nop.bulk_insert(seed, [{"name": "n"}])',
        "dynamic",
    ),
]


@pytest.mark.parametrize(("body", "found"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_uncovered_irreversible_step_is_refused_and_changes_nothing(
    project: MiniProject, pg_db: Db, body: str, found: str
) -> None:
    """The step before it (a reversible add_column) is not left behind either."""
    project.add("r1", ADD)
    project.add("r2", body)
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "r2 is irreversible" in proc.stderr
    assert "--backup" in proc.stderr and "--allow-irreversible" in proc.stderr
    assert "Traceback" not in proc.stderr
    pg_db.assert_unchanged(before)
    status = (
        pg_db.scalar(
            "SELECT status FROM migsafe.migsafe_history WHERE command = 'upgrade' "
            "ORDER BY started_at DESC LIMIT 1"
        )
        if found == "dynamic"
        else None
    )
    assert status == ("rolled_back" if found == "dynamic" else None)


def test_the_dry_run_names_a_static_refusal_without_running(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", CASES[0][1])
    proc = project.upgrade(pg_db.url, "--dry-run", "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    warnings = json.loads(proc.stdout)["plan"]["warnings"]
    assert any("would be refused" in w and "UPDATE changes data" in w for w in warnings)


def test_allow_irreversible_applies_it_and_revert_then_points_to_a_snapshot(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", CASES[0][1])
    proc = project.upgrade(pg_db.url, "--allow-irreversible")
    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.scalar("SELECT name FROM seed WHERE id = 1").isupper()
    source = pg_db.scalar("SELECT source FROM migsafe.migsafe_reverse WHERE revision = 'r1'")
    assert source == "irreversible"
    after = pg_db.fingerprint()
    refused = project.run(pg_db.url, "revert", "--yes")
    assert refused.returncode == 2, project.explain(refused)
    assert "no way back" in refused.stderr and "--from-snapshot" in refused.stderr
    pg_db.assert_unchanged(after)


def test_backup_covers_it_and_the_snapshot_takes_it_back(project: MiniProject, pg_db: Db) -> None:
    project.add("r1", CASES[0][1])
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url, "--backup", "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    snapshot = json.loads(proc.stdout)["snapshot_id"]
    back = project.run(pg_db.url, "revert", "--from-snapshot", snapshot, "--yes", "--force")
    assert back.returncode == 0, project.explain(back)
    assert pg_db.fingerprint().tables == before.tables


def test_a_working_downgrade_stands_in_and_revert_uses_it(project: MiniProject, pg_db: Db) -> None:
    """Tested in a savepoint as the step runs, then used by revert for that step."""
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0  # the version table exists before
    project.add(
        "r1",
        'op.add_column("seed", sa.Column("flag", sa.Boolean))\n'
        "op.execute(\"UPDATE seed SET note = 'touched'\")",
        'op.drop_column("seed", "flag")',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 0, project.explain(proc)
    source = pg_db.scalar("SELECT source FROM migsafe.migsafe_reverse WHERE revision = 'r1'")
    assert source == "downgrade"
    back = project.run(pg_db.url, "revert", "--yes", "--format", "json")
    assert back.returncode == 0, project.explain(back)
    notes = json.loads(back.stdout)["plan"]["notes"]
    assert any("r1: undone by their own downgrade() in the same transaction" in n for n in notes)
    # downgrade() undoes the schema; the UPDATE of existing rows is what made it irreversible.
    after = pg_db.fingerprint()
    assert after.schema == before.schema
    assert pg_db.scalar("SELECT count(*) FROM seed WHERE note = 'touched'") > 0


def test_a_downgrade_that_does_not_undo_the_schema_is_no_cover(
    project: MiniProject, pg_db: Db
) -> None:
    project.add(
        "r1",
        'op.add_column("seed", sa.Column("flag", sa.Boolean))\n'
        "op.execute(\"UPDATE seed SET note = 'touched'\")",
        'op.execute("SELECT 1")',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "does not bring the schema back" in proc.stderr
    pg_db.assert_unchanged(before)


def test_a_downgrade_that_fails_is_no_cover(project: MiniProject, pg_db: Db) -> None:
    project.add(
        "r1",
        'op.execute("DELETE FROM seed WHERE id = 2")',
        'op.drop_column("seed", "no_such_column")',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "failed when tested" in proc.stderr
    pg_db.assert_unchanged(before)


def test_reverse_generation_can_be_switched_off(project: MiniProject, pg_db: Db) -> None:
    """MIGSAFE_REVERSE=0: plain guarded upgrades, nothing stored, nothing refused."""
    project.add("r1", CASES[0][1])
    proc = project.upgrade(pg_db.url, "--format", "json")
    assert proc.returncode == 2
    env_proc = project.run_with_env(pg_db.url, {"MIGSAFE_REVERSE": "0"}, "upgrade")
    assert env_proc.returncode == 0, project.explain(env_proc)
    assert pg_db.scalar("SELECT count(*) FROM migsafe.migsafe_reverse") == 0


def test_a_backfill_of_what_the_revision_creates_is_reversible(
    project: MiniProject, pg_db: Db
) -> None:
    """UPDATE of a column and INSERT into a table the same revision created: the reverse
    removes them with what was written, so nothing is refused and revert is exact."""
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    project.add(
        "r1",
        'op.add_column("seed", sa.Column("shout", sa.Text))\n'
        'op.execute("UPDATE seed SET shout = upper(name)")\n'
        'op.create_table("kinds", sa.Column("id", sa.Integer, primary_key=True))\n'
        'op.execute("INSERT INTO kinds (id) VALUES (1), (2)")\n'
        'verb = "UPDATE"\n'
        'op.execute(f"{verb} kinds SET id = id + 10")',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.scalar("SELECT source FROM migsafe.migsafe_reverse WHERE revision = 'r1'") == (
        "generated"
    )
    back = project.run(pg_db.url, "revert", "--yes")
    assert back.returncode == 0, project.explain(back)
    after = pg_db.fingerprint()
    assert after.tables == before.tables
    assert after.schema == before.schema


def test_a_refusal_the_migration_catches_is_still_a_refusal(
    project: MiniProject, pg_db: Db
) -> None:
    """Real migrations wrap steps in `try/except Exception`: swallowing the refusal must not
    let the irreversible step through (found on MLflow's migrations)."""
    project.add(
        "r1",
        'verb = "UPD" + "ATE"\n'
        "try:\n"
        '    op.execute(f"{verb} seed SET note = NULL")\n'
        "except Exception:\n"
        "    pass\n"
        'op.add_column("seed", sa.Column("after", sa.Integer))',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "r1 is irreversible" in proc.stderr
    pg_db.assert_unchanged(before)


def test_one_run_mixes_generated_reverses_and_a_tested_downgrade(
    project: MiniProject, pg_db: Db
) -> None:
    """A run whose r1 has a generated reverse (a dropped column, kept) and whose r2 is
    irreversible but covered by its downgrade(): revert undoes both in one transaction, r1
    from the stored reverse (its own downgrade() is empty), r2 with its downgrade()."""
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    project.add("r1", 'op.drop_column("seed", "name")')
    project.add(
        "r2",
        'op.add_column("seed", sa.Column("flag", sa.Boolean))\n'
        "op.execute(\"UPDATE seed SET note = 'touched'\")",
        'op.drop_column("seed", "flag")',
    )
    names = pg_db.rows("SELECT id, name FROM seed ORDER BY id")
    columns = sorted(pg_db.columns("seed"))
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 0, project.explain(proc)
    back = project.run(pg_db.url, "revert", "--yes")
    # Succeeding includes the check of the schema fingerprint recorded before the upgrade.
    assert back.returncode == 0, project.explain(back)
    assert sorted(pg_db.columns("seed")) == columns  # name is back (last: see reverse.md)
    assert pg_db.rows("SELECT id, name FROM seed ORDER BY id") == names


def test_a_downgrade_that_leaves_the_transaction_is_no_cover(
    project: MiniProject, pg_db: Db
) -> None:
    """A downgrade() with autocommit_block() would run for real if tested in a savepoint (and
    commit half of a revert): it covers nothing, and the step is refused before it runs."""
    project.add(
        "r1",
        'op.add_column("seed", sa.Column("flag", sa.Boolean))\n'
        "op.execute(\"UPDATE seed SET note = 'touched'\")",
        "with op.get_context().autocommit_block():\n"
        '    op.execute("DELETE FROM seed WHERE id = 1")\n'
        'op.drop_column("seed", "flag")',
    )
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "r1 is irreversible" in proc.stderr
    pg_db.assert_unchanged(before)
