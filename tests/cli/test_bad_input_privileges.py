"""A role without the privileges migsafe needs: one line naming the privilege and the object.

A real non-superuser login role is created in the test cluster; the database is upgraded and
snapshotted by its owner first, so the version table and migsafe's schema exist and belong to
someone else. Each command run as the weak role exits 3 with one ``error:`` line naming what
is missing and a hint with the GRANT, and leaves the database, its version table and the
history exactly as they were.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.cli.conftest import Db, assert_fails, assert_ok, run_cli
from tests.support.pg import PgServer

ProjectFn = Callable[[str], Path]
PASSWORD = "weak-role-pw-4711"


@dataclass(frozen=True)
class Weak:
    name: str
    url: str
    owner: Db
    ini: Path
    snapshot_id: str

    def grant(self, *statements: str) -> None:
        self.owner.execute(*(s.format(role=self.name) for s in statements))


@pytest.fixture
def weak(project: ProjectFn, pg: Db, pg_server: PgServer) -> Iterator[Weak]:
    ini = project("generic") / "alembic.ini"
    assert_ok(run_cli("upgrade", "gen0002", ini=ini, url=pg.url))
    created = run_cli("snapshot", "create", "--format", "json", ini=ini, url=pg.url)
    assert_ok(created)
    name = f"migsafe_weak_{uuid.uuid4().hex[:8]}"
    with pg_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(PASSWORD)
            )
        )
    url = make_url(pg.url).set(username=name, password=PASSWORD)
    try:
        yield Weak(
            name,
            url.render_as_string(hide_password=False),
            pg,
            ini,
            json.loads(created.stdout)["id"],
        )
    finally:
        with pg_server.connect(make_url(pg.url).database) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        with pg_server.connect() as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


READ = (
    "GRANT SELECT ON public.alembic_version TO {role}",
    "GRANT USAGE ON SCHEMA migsafe TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA migsafe TO {role}",
)


@pytest.mark.parametrize(
    ("grants", "args", "missing"),
    [
        ((), ("status",), "lacks SELECT on table alembic_version"),
        ((), ("status", "--format", "json"), "lacks SELECT on table alembic_version"),
        ((), ("upgrade",), "lacks USAGE on schema migsafe"),
        ((), ("history",), "lacks USAGE on schema migsafe"),
        (READ, ("upgrade",), "lacks INSERT on table migsafe.migsafe_history"),
        (READ, ("revert", "--yes"), "lacks INSERT on table migsafe.migsafe_history"),
    ],
    ids=[
        "status-no-select-on-version-table",
        "status-json",
        "upgrade-no-usage-on-schema",
        "history-no-usage-on-schema",
        "upgrade-read-only-history",
        "revert-read-only-history",
    ],
)
def test_a_missing_privilege_is_named_exit_3_nothing_changed(
    weak: Weak, grants: tuple[str, ...], args: tuple[str, ...], missing: str
) -> None:
    weak.grant(*grants)
    before, versions, runs = weak.owner.fingerprint(), weak.owner.versions(), weak.owner.runs()

    proc = run_cli(*args, ini=weak.ini, url=weak.url)
    line = assert_fails(proc, 3)
    assert f"the role '{weak.name}' {missing}" in line
    assert "GRANT " in proc.stderr.split("hint: ", 1)[1]
    assert PASSWORD not in proc.stdout + proc.stderr
    if "json" in args:
        assert missing in json.loads(proc.stdout)["error"]
    assert weak.owner.fingerprint() == before
    assert (weak.owner.versions(), weak.owner.runs()) == (versions, runs)


def test_restore_into_without_createdb_is_named(weak: Weak, pg_server: PgServer) -> None:
    weak.grant(*READ)
    copy = f"migsafe_copy_{uuid.uuid4().hex[:8]}"
    before, runs = weak.owner.fingerprint(), weak.owner.runs()

    proc = run_cli(
        "snapshot", "restore", weak.snapshot_id, "--into", copy, "--yes", ini=weak.ini, url=weak.url
    )
    line = assert_fails(proc, 3)
    assert f"cannot create database '{copy}'" in line
    assert f"the role '{weak.name}' lacks the CREATEDB attribute" in line
    assert f"ALTER ROLE {weak.name} CREATEDB" in proc.stderr
    with pg_server.connect() as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (copy,)).fetchall()
    assert found == []
    assert (weak.owner.fingerprint(), weak.owner.runs()) == (before, runs)


def test_restore_into_an_empty_name_is_refused(weak: Weak) -> None:
    before, runs = weak.owner.fingerprint(), weak.owner.runs()

    proc = run_cli(
        "snapshot",
        "restore",
        weak.snapshot_id,
        "--into",
        "",
        "--yes",
        ini=weak.ini,
        url=weak.owner.url,
    )
    line = assert_fails(proc, 2)
    assert "--into is empty" in line
    assert (weak.owner.fingerprint(), weak.owner.runs()) == (before, runs)
