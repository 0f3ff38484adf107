"""`migsafe flags init` puts the notify trigger on the project's own version table.

env.py may name another version table (`version_table=`, `version_table_schema=`); the
trigger must go there, or a revert would reach clients only at their next poll.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg

from flags.backends.postgres import conninfo
from tests.cli.conftest import assert_ok, run_cli


def trigger_on(url: str, table: str) -> bool:
    with psycopg.connect(conninfo(url)) as conn:
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(%s)"
            " AND tgname = 'migsafe_flags_notify')",
            (table,),
        ).fetchone()
    return bool(row and row[0])


def test_init_puts_the_trigger_on_the_version_table_env_py_names(
    project: Callable[[str], Path], pg_url: str
) -> None:
    ini = project("custom_version_table") / "alembic.ini"
    absent = json.loads(run_cli("flags", "init", "--format", "json", ini=ini, url=pg_url).stdout)
    assert (absent["trigger"], absent["version_table"]) == (
        "no-version-table",
        "meta.schema_versions",
    )

    with psycopg.connect(conninfo(pg_url)) as conn:  # what the first upgrade would leave
        conn.execute("CREATE SCHEMA meta")
        conn.execute("CREATE TABLE meta.schema_versions (version_num varchar(32) PRIMARY KEY)")
        conn.execute("INSERT INTO meta.schema_versions VALUES ('cvt0002')")

    done = run_cli("flags", "init", "--format", "json", ini=ini, url=pg_url)
    assert_ok(done)
    result = json.loads(done.stdout)
    assert (result["trigger"], result["version_table"]) == ("installed", "meta.schema_versions")
    assert trigger_on(pg_url, "meta.schema_versions")

    again = run_cli("flags", "init", ini=ini, url=pg_url)
    assert_ok(again)
    assert "notify trigger on the Alembic version table meta.schema_versions present" in (
        again.stdout
    )
