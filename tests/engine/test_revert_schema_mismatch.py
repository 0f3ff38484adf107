"""A revert that does not bring the schema back says which objects differ, and changes nothing.

The schema description recorded before the upgrade is stored with the run, so the refusal
(exit 4, rolled back) names each difference by its object (``table "public.items": column
"note" is missing``) instead of showing two fingerprints; the history keeps the fingerprints.
A run recorded without the description can only show the fingerprints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from migsafe.engine.runs import RunStatus

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

ITEMS = """
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.execute("INSERT INTO items (id, name, note) VALUES (1, 'a', 'kept'), (2, 'b', NULL)")
"""
# r2 adds an index; its downgrade() forgets the index and drops a column r1 created.
ADD_INDEX = 'op.create_index("ix_items_name", "items", ["name"])'
WRONG_DOWNGRADE = """
    with op.batch_alter_table("items") as batch_op:
        batch_op.drop_column("note")
"""
MISMATCH = "the schema after the revert differs from the one recorded before the upgrade"


def _db(request: pytest.FixtureRequest, backend: str) -> Db:
    return request.getfixturevalue("pg_db" if backend == "postgresql" else "sqlite_db")  # type: ignore[no-any-return]


def _reverse_table(db: Db) -> str:
    return "migsafe_reverse" if db.sqlite else "migsafe.migsafe_reverse"


def _upgraded(project: MiniProject, db: Db, upgrade: str, downgrade: str) -> None:
    project.add("r1", ITEMS, 'op.drop_table("items")')
    assert project.upgrade(db.url).returncode == 0
    project.add("r2", upgrade, downgrade)
    proc = project.upgrade(db.url)
    assert proc.returncode == 0, project.explain(proc)


def _section(lines: list[str], title_start: str) -> list[str]:
    """The indented lines under the section whose title starts with *title_start*."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"--- {title_start}"))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        body.append(line[2:])
    return body


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_mismatch_names_each_object_rolls_back_and_is_in_the_history(
    project: MiniProject, backend: str, request: pytest.FixtureRequest
) -> None:
    db = _db(request, backend)
    schema = "main" if db.sqlite else "public"
    _upgraded(project, db, ADD_INDEX, WRONG_DOWNGRADE)
    after = db.fingerprint()

    proc = project.run(db.url, "revert", "--yes", "--use-downgrade")

    assert proc.returncode == 4, project.explain(proc)
    missing = f'table "{schema}.items": column "note" is missing'
    extra = f'table "{schema}.items": index "ix_items_name" is extra'
    lines = proc.stderr.splitlines()
    (error,) = (line for line in lines if line.startswith("error: "))
    assert error.startswith(f"error: {MISMATCH}: 2 difference(s): "), error
    assert missing in error and extra in error
    assert "fingerprint" not in error
    assert error.endswith(" rolled back, the database is at r2 (run " + error.split("(run ")[-1])
    assert sorted(_section(lines, "schema after the revert, against the one recorded")) == [
        missing,
        extra,
    ]
    assert lines.index(error) > lines.index(f"  {missing}"), "the error line comes last"
    # Rolled back: the column, its values and the index are all still there.
    db.assert_unchanged(after)
    assert db.heads() == ("r2",)
    assert db.rows("SELECT id, note FROM items ORDER BY id") == [(1, "kept"), (2, None)]

    revert = db.last_run()
    assert (revert.command, revert.status) == ("revert", RunStatus.ROLLED_BACK)
    assert revert.error is not None and missing in revert.error
    # The fingerprints the message leaves out are kept in the history, shown in full by
    # `history RUN_ID` (the list shortens errors).
    recorded = db.scalar(f"SELECT schema_before FROM {_reverse_table(db)} WHERE revision = 'r2'")
    assert revert.error.endswith(f", recorded {recorded[:12]}"), revert.error
    assert "; schema fingerprint " in revert.error
    detail = project.run(db.url, "history", revert.run_id)
    assert detail.returncode == 0, project.explain(detail)
    shown = " ".join(detail.stdout.split())
    assert f"{missing}; {extra}; schema fingerprint " in shown, detail.stdout
    assert f", recorded {recorded[:12]}" in shown, detail.stdout


def test_many_differences_are_capped_in_the_section_and_the_line(
    project: MiniProject, pg_db: Db
) -> None:
    indexes = [f"ix_items_{i:02}" for i in range(25)]
    upgrade = "\n".join(f'op.create_index("{ix}", "items", ["name"])' for ix in indexes)
    _upgraded(project, pg_db, upgrade, 'op.drop_index("ix_items_00", table_name="items")')
    after = pg_db.fingerprint()

    proc = project.run(pg_db.url, "revert", "--yes", "--use-downgrade")

    assert proc.returncode == 4, project.explain(proc)
    lines = proc.stderr.splitlines()
    body = _section(lines, "schema after the revert")
    assert len(body) == 20
    assert body[:19] == [f'table "public.items": index "{ix}" is extra' for ix in indexes[1:20]]
    assert body[-1] == "... and 5 more"
    title = next(line for line in lines if line.startswith("--- schema after the revert"))
    assert title.endswith(": 24 difference(s) ---")
    (error,) = (line for line in lines if line.startswith("error: "))
    assert f"{MISMATCH}: 24 difference(s): " in error
    assert "; and 21 more; rolled back" in error
    pg_db.assert_unchanged(after)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_run_recorded_without_a_description_shows_the_fingerprints(
    project: MiniProject, backend: str, request: pytest.FixtureRequest
) -> None:
    """Runs recorded by a migsafe that did not store the description still get refused."""
    db = _db(request, backend)
    _upgraded(project, db, ADD_INDEX, WRONG_DOWNGRADE)
    table = _reverse_table(db)
    db.execute(f"UPDATE {table} SET schema_before_doc = NULL")
    expected = db.scalar(f"SELECT schema_before FROM {table} WHERE revision = 'r2'")
    assert expected
    after = db.fingerprint()

    proc = project.run(db.url, "revert", "--yes", "--use-downgrade")

    assert proc.returncode == 4, project.explain(proc)
    (error,) = (line for line in proc.stderr.splitlines() if line.startswith("error: "))
    assert error.startswith(f"error: {MISMATCH} (fingerprint "), error
    assert f" instead of {expected[:12]}; run " in error
    assert "was recorded without the description that would say what differs" in error
    db.assert_unchanged(after)
    assert db.last_run().status == RunStatus.ROLLED_BACK
