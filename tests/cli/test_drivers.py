"""The migrations run on the driver the URL (and env.py's engine) names, never another.

asyncpg is covered with the stock async template in test_unmodified_projects.py; here the
synchronous drivers SQLAlchemy knows, a driver that is not installed, and an env.py whose
engine uses another driver than the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Db, add_revision, assert_fails, assert_ok, run_cli

ProjectFn = Callable[[str], Path]

RECORD_DRIVER = '''"""record the driver

Revision ID: gen0004
Revises: gen0003
"""
from alembic import op
import sqlalchemy as sa

revision = "gen0004"
down_revision = "gen0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("drivers", sa.Column("name", sa.String(40)))
    driver = op.get_bind().dialect.driver
    op.execute(sa.text("INSERT INTO drivers (name) VALUES (:d)").bindparams(d=driver))


def downgrade() -> None:
    op.drop_table("drivers")
'''


@pytest.mark.parametrize("driver", ["psycopg2", "pg8000"])
def test_migrations_run_on_the_driver_the_url_names(
    project: ProjectFn, pg: Db, driver: str
) -> None:
    proj = project("generic")
    add_revision(proj, "gen0004_record_driver.py", RECORD_DRIVER)
    url = pg.url.replace("postgresql+psycopg://", f"postgresql+{driver}://", 1)

    up = run_cli("upgrade", ini=proj / "alembic.ini", url=url)
    assert_ok(up)
    assert pg.scalar("SELECT name FROM drivers") == driver

    back = run_cli("revert", "--yes", ini=proj / "alembic.ini", url=url)
    assert_ok(back)
    assert pg.versions() == set()


def test_a_driver_that_is_not_installed_is_a_usage_error(project: ProjectFn, pg: Db) -> None:
    proj = project("generic")
    url = pg.url.replace("postgresql+psycopg://", "postgresql+psycopg2cffi://", 1)
    before = pg.fingerprint()

    up = run_cli("upgrade", ini=proj / "alembic.ini", url=url)

    line = assert_fails(up, 2)
    assert "psycopg2cffi" in line and "not installed" in line, line
    assert pg.fingerprint() == before


ENV_PY_ON_PG8000 = """
from alembic import context
from sqlalchemy import create_engine, make_url, pool

config = context.config
url = make_url(config.get_main_option("sqlalchemy.url")).set(drivername="postgresql+pg8000")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""


def test_an_env_py_on_another_driver_than_the_url_is_refused(project: ProjectFn, pg: Db) -> None:
    proj = project("generic")
    (proj / "migrations" / "env.py").write_text(ENV_PY_ON_PG8000)
    before = pg.fingerprint()

    up = run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url)

    line = assert_fails(up, 2)
    assert "'pg8000'" in line and "'psycopg'" in line and "does not switch drivers" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
