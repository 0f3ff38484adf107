"""Provision a real PostgreSQL server for the test suite.

migsafe guards migrations on PostgreSQL, so the tests need a real server, not a
mock. The suite provisions one itself so that `pytest` works the same on a
laptop, in CI and on a bare machine. Sources, first match wins:

1. ``MIGSAFE_TEST_DATABASE_URL``: an existing server where the user may
   ``CREATE DATABASE`` (fastest for people who already run one);
2. testcontainers ``postgres:15`` when a Docker engine answers;
3. a throwaway cluster from the local PostgreSQL binaries (``initdb``/``pg_ctl``);
4. otherwise :class:`PostgresUnavailable` with instructions; never a silent skip.

Every source offers password-authenticated TCP, because tests check how
migsafe reports a wrong password.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from sqlalchemy.engine import URL, make_url

ENV_URL = "MIGSAFE_TEST_DATABASE_URL"
TEMPLATE_DB = "migsafe_template"
DRIVER = "postgresql+psycopg"

HOWTO = (
    "migsafe's tests need a real PostgreSQL server. Either\n"
    f"  * set {ENV_URL}=postgresql+psycopg://USER:PASS@HOST:PORT/postgres "
    "(the user must be allowed to CREATE DATABASE), or\n"
    "  * start a Docker engine (testcontainers will run postgres:15), or\n"
    "  * install the server binaries: `apt-get install postgresql` "
    "(the suite then runs a throwaway cluster itself)."
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL could be provided; the message says how to get one."""


@dataclass
class PgServer:
    """Where the test server listens, and how to log in as its admin user."""

    host: str
    port: int
    user: str
    password: str
    bin_dir: Path | None = None
    admin_db: str = "postgres"
    query: dict[str, str] = field(default_factory=dict)
    source: str = "local cluster"
    data_dir: Path | None = None  # a local cluster's, for tests that stop and start it

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver, password included) of database *dbname*."""
        return URL.create(
            DRIVER,
            username=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            database=dbname,
            query=self.query,
        ).render_as_string(hide_password=False)

    @property
    def admin_url(self) -> str:
        return self.url(self.admin_db)

    def conninfo(self, dbname: str | None = None) -> str:
        """libpq connection string, for psycopg and the pg_* client tools."""
        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname or self.admin_db,
            connect_timeout=10,
            **self.query,
        )

    def connect(self, dbname: str | None = None) -> psycopg.Connection[TupleRow]:
        """Autocommit psycopg connection; CREATE/DROP DATABASE cannot run in a transaction."""
        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> None:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        with self.connect() as conn:
            conn.execute(stmt)

    def drop_database(self, name: str) -> None:
        """Drop *name* even if a test leaked connections to it (FORCE, PostgreSQL 13+)."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    @contextlib.contextmanager
    def fresh_database(self, prefix: str = "migsafe_t") -> Iterator[str]:
        """A new, uniquely named database cloned from the template; dropped afterwards."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.create_database(name, template=TEMPLATE_DB)
        try:
            yield self.url(name)
        finally:
            self.drop_database(name)


# --- locating binaries -------------------------------------------------------------


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def find_bin_dir() -> Path | None:
    """Directory holding the server binaries (initdb, pg_ctl, postgres), or None.

    Looks at PATH, then ``pg_config --bindir``, then Debian's
    /usr/lib/postgresql/<major>/bin, newest first. Symlinks are resolved so
    that the result also holds pg_dump/pg_restore (on Debian the PATH entries
    are wrappers or symlinks into the versioned directory).
    """
    candidates: list[Path] = []
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    candidates.extend(debian)
    for cand in candidates:
        if all(os.access(cand / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return cand
    return None


def _client_bin_dir() -> Path | None:
    """Where pg_dump lives, for tests that need client tools against any source."""
    if (server := find_bin_dir()) and (server / "pg_dump").exists():
        return server
    if found := shutil.which("pg_dump"):
        return Path(found).resolve().parent
    return None


# --- source 1: an existing server ------------------------------------------------


def from_env(raw: str) -> PgServer:
    url = make_url(raw)
    if not url.drivername.startswith("postgresql"):
        raise PostgresUnavailable(f"{ENV_URL} must be a postgresql:// URL, got {url.drivername}")
    query = {k: v for k, v in url.query.items() if isinstance(v, str)}
    return PgServer(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or "",
        admin_db=url.database or "postgres",
        bin_dir=_client_bin_dir(),
        query=query,
        source=ENV_URL,
    )


# --- source 2: testcontainers ------------------------------------------------------


def docker_available() -> bool:
    """True if a Docker engine answers within a few seconds (not merely a CLI on PATH)."""
    docker = shutil.which("docker")
    if docker is None:  # no CLI: is anything listening on the engine's socket?
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        if not host.startswith("unix://"):
            return True  # a remote engine; testcontainers' own error will tell if it is not
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            return s.connect_ex(host.removeprefix("unix://")) == 0
    try:
        res = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=5,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return res.returncode == 0


@contextlib.contextmanager
def from_container() -> Iterator[PgServer]:
    try:  # imported lazily: docker's SDK is slow to import and useless without an engine
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        from testcontainers.postgres import PostgresContainer

    password = secrets.token_urlsafe(16)
    container = PostgresContainer(
        "postgres:15", username="postgres", password=password, dbname="postgres", driver="psycopg"
    )
    with container:
        yield PgServer(
            host=container.get_container_host_ip(),
            port=int(container.get_exposed_port(5432)),
            user="postgres",
            password=password,
            bin_dir=_client_bin_dir(),
            source="testcontainers postgres:15",
        )


# --- source 3: a throwaway local cluster ------------------------------------------


SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",  # durability is worthless for a throwaway cluster; speed is not
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root, so root delegates to the postgres user."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root but `runuser` is missing")
    return [runuser, "-u", "postgres", "--", *argv]


def pg_ctl(server: PgServer, action: str) -> None:
    """``pg_ctl stop`` (fast: sessions are terminated) or ``start`` of a local cluster."""
    assert server.bin_dir is not None and server.data_dir is not None, "not a local cluster"
    argv = [str(server.bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-w", "-t", "60"]
    if action == "stop":
        argv += ["-m", "fast", "stop"]
    else:
        argv += ["-l", str(server.data_dir.parent / "server.log"), "start"]
    _run(_as_cluster_owner(argv), cwd=server.data_dir.parent, what=f"pg_ctl {action}")


def _run(argv: list[str], cwd: Path, what: str) -> None:
    res = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120
    )
    if res.returncode != 0:
        raise PostgresUnavailable(
            f"{what} failed ({res.returncode}): {' '.join(argv)}\n{res.stdout}{res.stderr}"
        )


@contextlib.contextmanager
def local_cluster(bin_dir: Path) -> Iterator[PgServer]:
    """initdb + pg_ctl start in a temp dir; stopped (immediate) and removed on exit."""
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root but there is no `postgres` OS user to own the cluster"
            ) from None
    base = Path(tempfile.mkdtemp(prefix="migsafe-pg-"))
    data, sock, pwfile, log = base / "data", base / "sock", base / "pwfile", base / "server.log"
    started = False
    try:
        sock.mkdir()
        password = secrets.token_urlsafe(24)
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            for p in (base, sock, pwfile):
                os.chown(p, owner.pw_uid, owner.pw_gid)
        _run(
            _as_cluster_owner(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",  # the password never appears on argv
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions",
                ]
            ),
            cwd=base,
            what="initdb",
        )
        pwfile.unlink()
        settings = {**SETTINGS, "unix_socket_directories": f"'{sock}'"}
        for attempt in range(3):  # the free port can be taken before postgres binds it
            port = _free_port()
            conf = {**settings, "port": str(port)}
            with (data / "postgresql.auto.conf").open("a") as f:
                f.writelines(f"{k} = {v}\n" for k, v in conf.items())
            try:
                _run(
                    _as_cluster_owner(
                        [
                            str(bin_dir / "pg_ctl"),
                            "-D",
                            str(data),
                            "-l",
                            str(log),
                            "-w",
                            "-t",
                            "60",
                            "start",
                        ]
                    ),
                    cwd=base,
                    what="pg_ctl start",
                )
                started = True
                break
            except PostgresUnavailable as exc:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                if attempt == 2 or "could not bind" not in tail:
                    raise PostgresUnavailable(f"{exc}\n--- server log ---\n{tail}") from None
        yield PgServer(
            host="127.0.0.1",
            port=port,
            user="postgres",
            password=password,
            bin_dir=bin_dir,
            data_dir=data,
        )
    finally:
        if started:
            subprocess.run(
                _as_cluster_owner(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                cwd=base,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


# --- choosing ----------------------------------------------------------------------


def _open_source(stack: contextlib.ExitStack) -> PgServer:
    if raw := os.environ.get(ENV_URL):
        return from_env(raw)
    bin_dir = find_bin_dir()
    if docker_available():
        try:
            return stack.enter_context(from_container())
        except Exception as exc:  # e.g. the image cannot be pulled: use local binaries if any
            if bin_dir is None:
                raise PostgresUnavailable(
                    f"Docker answers but testcontainers failed: {exc!r}\n\n{HOWTO}"
                ) from exc
            warnings.warn(
                f"testcontainers failed ({exc!r}); using the local PostgreSQL in {bin_dir}",
                stacklevel=2,
            )
    if bin_dir is not None:
        return stack.enter_context(local_cluster(bin_dir))
    raise PostgresUnavailable(HOWTO)


@contextlib.contextmanager
def provide_server() -> Iterator[PgServer]:
    """Yield a server from the first available source, with the template database ready."""
    with contextlib.ExitStack() as stack:
        server = _open_source(stack)
        try:
            server.drop_database(TEMPLATE_DB)  # a leftover from an interrupted run
            server.create_database(TEMPLATE_DB)
        except psycopg.Error as exc:
            raise PostgresUnavailable(
                f"cannot prepare {TEMPLATE_DB} on {server.host}:{server.port} "
                f"as {server.user} (from {server.source}): {exc}\n\n{HOWTO}"
            ) from exc
        try:
            yield server
        finally:
            with contextlib.suppress(psycopg.Error):
                server.drop_database(TEMPLATE_DB)
