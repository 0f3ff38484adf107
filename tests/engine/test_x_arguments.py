"""`migsafe -x KEY=VALUE` reaches env.py and migrations as Alembic's -x does."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

USES_X = """
    from alembic import context

    args = context.get_x_argument(as_dictionary=True)
    op.create_table("x_seen", sa.Column("value", sa.String(50)))
    op.execute(f"INSERT INTO x_seen VALUES ('{args.get('tenant', 'none')}')")
"""


def test_x_arguments_reach_the_migration(project: MiniProject, sqlite_db: Db) -> None:
    project.add("r1", USES_X, 'op.drop_table("x_seen")')
    proc = project.run(sqlite_db.url, "-x", "tenant=acme", "upgrade")
    assert proc.returncode == 0, project.explain(proc)
    assert sqlite_db.rows("SELECT value FROM x_seen") == [("acme",)]
