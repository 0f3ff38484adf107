"""A chain that ``alembic upgrade head`` runs in one command runs under migsafe in one
transaction too (one env.py run), and what migsafe attributes or refuses follows from the
whole chain before anything commits.

Found on long real-world chains run with their own env.py: ORM backfills that call
``session.commit()``, enum types that a later revision reuses, concurrent index builds that
rely on an autocommit connection, and ``CREATE TYPE`` emitted by ``op.create_table`` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Db, assert_fails, assert_ok, run_cli

ProjectFn = Callable[[str], Path]


# -- 1. an ORM session.commit() between two revisions that share an enum -------------------------


def test_orm_commit_between_enum_revisions_runs_in_one_transaction(
    project: ProjectFn, pg: Db
) -> None:
    """Session(bind=op.get_bind()).commit() joins the migration's transaction: the chain is
    one segment, and the enum oe0001 creates is not created again by oe0003."""
    ini = project("orm_enum_chain") / "alembic.ini"

    dry = run_cli("upgrade", "--dry-run", "--format", "json", ini=ini, url=pg.url)
    assert_ok(dry)
    plan = json.loads(dry.stdout)["plan"]
    assert plan["guard"] == "transaction", plan
    assert all(step["transactional"] for step in plan["steps"]), plan["steps"]

    up = run_cli("upgrade", "--format", "json", ini=ini, url=pg.url)
    assert_ok(up)
    assert json.loads(up.stdout)["status"] == "succeeded"
    assert pg.versions() == {"oe0003"}
    assert pg.scalar("SELECT string_agg(title, ',' ORDER BY id) FROM tickets") == "first,second"
    assert "archived_tickets" in pg.tables()
    [run] = pg.runs()
    assert run.status == "succeeded"
    assert run.attempts == 1


def test_orm_enum_chain_failing_in_its_last_revision_rolls_everything_back(
    project: ProjectFn, pg: Db
) -> None:
    ini = project("orm_enum_chain") / "alembic.ini"
    before = pg.fingerprint()

    up = run_cli("upgrade", ini=ini, url=pg.url, env={"ORM_ENUM_CHAIN_FAIL": "1"})

    line = assert_fails(up, 4)
    assert "oe0003" in line and "rolled back" in line, line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    assert pg.scalar("SELECT count(*) FROM pg_type WHERE typname = 'ticket_status'") == 0
    [run] = pg.runs()
    assert run.status == "rolled_back"


# -- 6. CREATE TYPE that SQLAlchemy emits for an op -----------------------------------------------


def test_enum_types_created_for_ops_are_reversed_with_them(project: ProjectFn, pg: Db) -> None:
    """create_table's own CREATE TYPE, and ENUM.create(op.get_bind()) before an add_column,
    are part of the ops: not refused as DDL on the connection (the downgrade()s are empty),
    and the stored reverses drop the types after the table and the column."""
    ini = project("enum_types") / "alembic.ini"

    up = run_cli("upgrade", ini=ini, url=pg.url)
    assert_ok(up)
    assert pg.versions() == {"et0002"}

    shown = run_cli("reverse", "show", "et0002", ini=ini, url=pg.url)
    assert_ok(shown)
    assert 'DROP TYPE "public"."tone"' in shown.stdout, shown.stdout
    column = shown.stdout.index("DROP COLUMN tone")
    assert column < shown.stdout.index('DROP TYPE "public"."tone"'), shown.stdout

    back = run_cli("revert", "--yes", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions() == set()
    assert "moods" not in pg.tables()
    types = "SELECT count(*) FROM pg_type WHERE typname IN ('mood', 'tone')"
    assert pg.scalar(types) == 0
