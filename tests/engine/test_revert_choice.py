"""Each revision is undone its best way, and a way that deletes data says so.

* ``revert --to`` undoes every revision with its stored reverse where that is usable, and only
  the one whose stored reverse is not with its own tested downgrade(), all in one transaction
  (before, one unusable stored reverse switched the whole revert to downgrade()).
* ``--allow-irreversible``/``--backup`` cover only what nothing else covers: a revision with a
  downgrade() that passes its test is stored as undone by it.
* ``--use-downgrade`` names each downgrade() step that drops a column or table holding data,
  in the plan and in the result, and the confirmation asks for it.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
from typing import TYPE_CHECKING

import pytest

from tests.engine.conftest import cli_env

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

ADD_A = 'op.add_column("seed", sa.Column("a", sa.Integer))\nop.execute("UPDATE seed SET a = id")'
DROP_A = 'op.drop_column("seed", "a")'
# Changes existing rows (irreversible: row capture is off in these projects, see below),
# undone by its downgrade().
SHOUT = "op.execute(\"UPDATE seed SET note = 'shouted'\")"
ADD_B = 'op.add_column("seed", sa.Column("b", sa.Integer))\nop.execute("UPDATE seed SET b = id")'
DROP_B = 'op.drop_column("seed", "b")'


@pytest.fixture(autouse=True)
def _no_row_capture(project: MiniProject) -> None:
    """Data changes are irreversible again (reverse/rows off): the steps a downgrade() or
    --allow-irreversible covers, whose choice these tests are about."""
    (project.root / "pyproject.toml").write_text("[tool.migsafe]\ncapture-rows = false\n")


def _archived_columns(db: Db) -> list[str]:
    """Columns the reverts moved to the archive (added by an upgrade, kept by its revert)."""
    return [
        r[0]
        for r in db.rows(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'migsafe_archive' AND column_name <> 'id' ORDER BY 1"
        )
    ]


def test_revert_to_chooses_the_way_back_per_revision_in_one_transaction(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    before = pg_db.fingerprint()
    project.add("r1", ADD_A, DROP_A)
    project.add("r2", SHOUT, "op.execute(\"UPDATE seed SET note = NULL WHERE note = 'shouted'\")")
    project.add("r3", ADD_B, DROP_B)
    assert project.upgrade(pg_db.url).returncode == 0
    sources = dict(
        pg_db.rows("SELECT revision, source FROM migsafe.migsafe_reverse WHERE revision <> 'r0'")
    )
    assert sources == {"r1": "generated", "r2": "downgrade", "r3": "generated"}

    dry = project.run(pg_db.url, "revert", "--to", "r0", "--dry-run", "--format", "json")
    assert dry.returncode == 0, project.explain(dry)
    messages = {s["revision"]: s["message"] for s in json.loads(dry.stdout)["plan"]["steps"]}
    assert messages["r3"].startswith("generated reverse")
    assert messages["r2"].startswith("its own downgrade()")
    assert messages["r1"].startswith("generated reverse")

    proc = project.run(pg_db.url, "revert", "--to", "r0", "--yes")
    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r0",)
    # The generated reverses kept the added columns' values (downgrade() would drop them).
    assert _archived_columns(pg_db) == ["a", "b"]
    # r2's downgrade() put back NULL notes it set; the seed rows with a note before are the
    # ones whose note it changed for good: exactly what made it irreversible.
    assert pg_db.fingerprint().schema == before.schema
    (revert,) = [r for r in pg_db.runs() if r.command == "revert"]
    assert revert.attempts == 1 and revert.status == "succeeded"


def test_allow_irreversible_leaves_a_tested_downgrade_first(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    project.add("r1", ADD_A + "\n" + SHOUT, DROP_A)
    proc = project.upgrade(pg_db.url, "--allow-irreversible", "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    assert any(
        "its downgrade() stands in" in w for w in json.loads(proc.stdout)["plan"]["warnings"]
    )
    assert (
        pg_db.scalar("SELECT source FROM migsafe.migsafe_reverse WHERE revision = 'r1'")
        == "downgrade"
    )
    back = project.run(pg_db.url, "revert", "--yes")
    assert back.returncode == 0, project.explain(back)
    assert "a" not in pg_db.columns("seed")


def test_allow_irreversible_covers_a_downgrade_that_fails_its_test(
    project: MiniProject, pg_db: Db
) -> None:
    """What the downgrade() cannot cover, --allow-irreversible still does (snapshot only)."""
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    project.add("r1", ADD_A + "\n" + SHOUT, 'op.drop_column("seed", "no_such_column")')
    refused = project.upgrade(pg_db.url)
    assert refused.returncode == 2, project.explain(refused)
    assert "its downgrade() cannot stand in" in refused.stderr
    proc = project.upgrade(pg_db.url, "--allow-irreversible")
    assert proc.returncode == 0, project.explain(proc)
    source, reasons = pg_db.rows(
        "SELECT source, irreversible FROM migsafe.migsafe_reverse WHERE revision = 'r1'"
    )[0]
    assert source == "irreversible"
    assert any("its downgrade() cannot stand in: it failed when tested" in r for r in reasons)


def _two_with_data(project: MiniProject, db: Db) -> None:
    project.add("r0", "pass")
    assert project.upgrade(db.url).returncode == 0
    project.add(
        "r1",
        ADD_A + '\nop.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))'
        '\nop.execute("INSERT INTO tags (id) VALUES (1), (2)")',
        DROP_A + '\nop.drop_table("tags")',
    )
    proc = project.upgrade(db.url)
    assert proc.returncode == 0, project.explain(proc)


def test_use_downgrade_names_the_data_it_deletes(project: MiniProject, pg_db: Db) -> None:
    _two_with_data(project, pg_db)
    expected = (
        "r1: its downgrade() deletes data: drops seed.a (3 row(s) with a value), tags (2 row(s))"
    )
    dry = project.run(pg_db.url, "revert", "--use-downgrade", "--dry-run", "--format", "json")
    assert dry.returncode == 0, project.explain(dry)
    plan = json.loads(dry.stdout)["plan"]
    assert plan["data_loss"] == [expected]
    assert expected in plan["warnings"]
    proc = project.run(pg_db.url, "revert", "--use-downgrade", "--yes")
    assert proc.returncode == 0, project.explain(proc)
    assert f"deleted: {expected}" in proc.stdout  # --yes proceeds, and still says it
    # The stored reverse would have kept them: without --use-downgrade nothing is named.
    assert not pg_db.has_table("tags")


def test_the_stored_reverse_deletes_nothing_and_names_nothing(
    project: MiniProject, pg_db: Db
) -> None:
    _two_with_data(project, pg_db)
    dry = project.run(pg_db.url, "revert", "--dry-run", "--format", "json")
    assert json.loads(dry.stdout)["plan"]["data_loss"] == []


def test_the_confirmation_asks_for_the_data_it_deletes(project: MiniProject, pg_db: Db) -> None:
    """On a terminal, the question says so; answering no changes nothing."""
    _two_with_data(project, pg_db)
    before = pg_db.fingerprint()
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            project.argv(pg_db.url, "revert", "--use-downgrade"),
            cwd=project.root,
            env=cli_env(),
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(leader, b"n\n")
        _, err = proc.communicate(timeout=90)
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 2, err
    assert "Revert these migrations, deleting the data listed above? [y/N]" in err
    assert "r1: its downgrade() deletes data: drops seed.a" in err
    assert "revert cancelled; nothing changed" in err
    pg_db.assert_unchanged(before)
