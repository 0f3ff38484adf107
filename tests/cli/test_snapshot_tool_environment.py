"""What pg_dump, pg_restore, psql and pg_config see of migsafe's environment.

A small script first on PATH, named like each tool, writes down the environment and argv it
was started with and then execs the real tool: it observes, the real tool does the work.
Secrets in migsafe's environment (the database URL, other URLs with passwords, an inherited
PGPASSWORD, cloud keys) reach no tool; only a tool that connects gets a password, the URL's,
as PGPASSWORD; libpq's own settings (PGSSLMODE...) and PATH, HOME, locale reach every tool.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cli.conftest import Db, assert_ok, run_cli
from tests.support.pg import PgServer

RECORDED = ("pg_dump", "pg_restore", "psql", "pg_config")
SECRETS = {
    "PGPASSWORD": "inherited-pgpassword-secret",
    "DATABASE_URL": "postgresql://app:database-url-secret@elsewhere/app",
    "ORDERS_DB": "postgres://svc:orders-db-secret@orders.internal:5432/orders",
    "AWS_SECRET_ACCESS_KEY": "aws-key-secret",
}
LIBPQ_SETTINGS = {"PGSSLMODE": "prefer", "PGCONNECT_TIMEOUT": "17"}


@dataclass(frozen=True)
class Started:
    """One start of a tool, as its recording wrapper saw it."""

    tool: str
    argv: list[str]
    env: dict[str, str]

    @property
    def connects(self) -> bool:
        return any(a == "-d" or a.startswith("--dbname") for a in self.argv)


@dataclass(frozen=True)
class Recorder:
    """Wrappers in *bin_dir* (put it first on PATH) that write down each start in *log*."""

    bin_dir: Path
    log: Path

    def path(self) -> str:
        return f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}"

    def started(self) -> list[Started]:
        found = []
        for env_file in sorted(self.log.glob("*.env")):
            tool = env_file.name.split(".")[1]
            argv = env_file.with_suffix(".argv").read_bytes().split(b"\0")[:-1]
            items = env_file.read_bytes().split(b"\0")
            env = dict(i.decode().partition("=")[::2] for i in items if i)
            found.append(Started(tool, [a.decode() for a in argv], env))
        return found


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    bin_dir, log = tmp_path / "recording-bin", tmp_path / "recorded"
    bin_dir.mkdir()
    log.mkdir()
    for tool in RECORDED:
        real = shutil.which(tool)
        assert real, f"{tool} is not on PATH"
        wrapper = bin_dir / tool
        wrapper.write_text(
            "#!/bin/sh\n"
            f"cat /proc/$$/environ > '{log}'/$$.{tool}.env\n"
            f"printf '%s\\0' \"$@\" > '{log}'/$$.{tool}.argv\n"
            f"exec '{real}' \"$@\"\n"
        )
        wrapper.chmod(0o755)
    return Recorder(bin_dir, log)


def test_tools_get_no_secret_but_a_connecting_tool_its_password(
    project: Callable[[str], Path], pg: Db, recorder: Recorder
) -> None:
    root = project("generic")
    ini = root / "alembic.ini"
    pg.execute("CREATE TABLE public.things (id int PRIMARY KEY)", "INSERT INTO things VALUES (1)")
    # The URL comes from MIGSAFE_DATABASE_URL, as in a deploy job.
    env = {**SECRETS, **LIBPQ_SETTINGS, "MIGSAFE_DATABASE_URL": pg.url, "PATH": recorder.path()}

    created = run_cli("snapshot", "create", "--format", "json", ini=ini, env=env)
    assert_ok(created)
    snapshot_id = json.loads(created.stdout)["id"]
    assert_ok(run_cli("snapshot", "verify", snapshot_id, "--restore", ini=ini, env=env))
    assert_ok(run_cli("snapshot", "restore", snapshot_id, "--yes", ini=ini, env=env))

    password = make_url(pg.url).password
    assert password
    started = recorder.started()
    kinds = {(s.tool, s.connects) for s in started}
    # Every kind of start was seen: probes, listings, the script writer, and the connections.
    assert kinds == {
        ("pg_config", False),
        ("pg_dump", False),
        ("pg_dump", True),
        ("pg_restore", False),
        ("pg_restore", True),
        ("psql", False),
        ("psql", True),
    }, kinds
    for s in started:
        where = f"{s.tool} {' '.join(s.argv)}"
        for name, secret in SECRETS.items():
            assert name not in s.env or name == "PGPASSWORD", where
            assert all(secret not in value for value in s.env.values()), where
        assert "MIGSAFE_DATABASE_URL" not in s.env, where
        assert all(password not in a for a in s.argv), where
        assert s.env["PATH"] == env["PATH"] and s.env["HOME"] == os.environ["HOME"], where
        for name, value in LIBPQ_SETTINGS.items():
            assert s.env[name] == value, where
        others = [v for k, v in s.env.items() if k != "PGPASSWORD"]
        assert all(password not in v for v in others), where
        if s.connects:
            assert s.env["PGPASSWORD"] == password, where
        else:
            assert "PGPASSWORD" not in s.env, where


def test_a_url_without_password_uses_the_users_own_passfile(
    project: Callable[[str], Path],
    pg: Db,
    pg_server: PgServer,
    tmp_path: Path,
    recorder: Recorder,
) -> None:
    """libpq finds the password in PGPASSFILE, for migsafe and for every tool alike."""
    root = project("generic")
    ini = root / "alembic.ini"
    pg.execute("CREATE TABLE public.things (id int PRIMARY KEY)", "INSERT INTO things VALUES (1)")
    passfile = tmp_path / "my.pgpass"
    passfile.write_text(f"*:*:*:{pg_server.user}:{pg_server.password}\n")
    passfile.chmod(stat.S_IRUSR | stat.S_IWUSR)
    url = make_url(pg.url)._replace(password=None).render_as_string(hide_password=False)
    assert pg_server.password not in url
    env = {"PGPASSFILE": str(passfile), "PATH": recorder.path()}

    created = run_cli("snapshot", "create", "--format", "json", ini=ini, url=url, env=env)
    assert_ok(created)
    snapshot_id = json.loads(created.stdout)["id"]
    pg.execute("DELETE FROM things")
    assert_ok(run_cli("snapshot", "restore", snapshot_id, "--yes", ini=ini, url=url, env=env))

    assert pg.scalar("SELECT count(*) FROM things") == 1
    connecting = [s for s in recorder.started() if s.connects]
    assert {s.tool for s in connecting} == {"pg_dump", "psql"}
    for s in connecting:
        assert s.env["PGPASSFILE"] == str(passfile) and "PGPASSWORD" not in s.env
