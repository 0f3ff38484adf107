"""A non-transactional step that fails before it left its transaction changed nothing.

Such a step runs in a transaction of its own until its ``autocommit_block()`` commits it. If
it fails before that (no commit, no statement outside a transaction), the rollback undid all
of it: exit 4 "rolled back", not exit 5 "may have left changes".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

FAILS_BEFORE_THE_BLOCK = """
    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("SELECT 1 / 0")
    with op.get_context().autocommit_block():
        op.create_index("ix_seed_name", "seed", ["name"], postgresql_concurrently=True)
"""

FAILS_INSIDE_THE_BLOCK = """
    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))
    with op.get_context().autocommit_block():
        op.execute("SELECT 1 / 0")
"""


def test_a_failure_before_the_autocommit_block_is_rolled_back_exit_4(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0  # the version table exists before
    project.add("r1", FAILS_BEFORE_THE_BLOCK)
    before = pg_db.fingerprint()
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 4, project.explain(proc)
    assert "rolled back, the database is at r0 as before" in proc.stderr
    assert "may have left changes" not in proc.stderr
    pg_db.assert_unchanged(before)
    assert pg_db.last_run().status == "rolled_back"


def test_a_failure_inside_the_autocommit_block_may_have_left_changes_exit_5(
    project: MiniProject, pg_db: Db
) -> None:
    """The block committed the table first: that is left, and said."""
    project.add("r1", FAILS_INSIDE_THE_BLOCK)
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 5, project.explain(proc)
    assert "may have left changes" in proc.stderr
    assert pg_db.has_table("extra")
    assert pg_db.last_run().status == "not_restored"
