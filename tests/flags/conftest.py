"""Fixtures for flags: a store in a fresh database, clients, bounded waits, an Alembic project.

`gated_project` copies `projects/gated` (revisions gate1 -> gate2 -> gate3, and a
`side` branch side1 -> side2 from gate1, where side2 also depends on gate2) into
a temporary directory, with the stock env.py and the test database's URL, so
that plain `alembic` can run on it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flags.backends import PostgresStore
from flags.client import FlagClient

WaitFor = Callable[[Callable[[], bool]], None]


@pytest.fixture
def store(pg_url: str) -> PostgresStore:
    return PostgresStore(pg_url)


@pytest.fixture
def wait_for() -> WaitFor:
    """Poll `condition` until true, failing after a deadline (never a fixed sleep)."""

    def wait(condition: Callable[[], bool], timeout: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.01)

    return wait


@pytest.fixture
def make_client(pg_url: str) -> Iterator[Callable[..., FlagClient]]:
    """Database clients closed at the end of the test."""
    clients: list[FlagClient] = []

    def make(**kwargs: object) -> FlagClient:
        client = FlagClient.from_database(pg_url, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def unused_port() -> int:
    """A local TCP port with nothing listening on it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


PROJECTS = Path(__file__).parent / "projects"
GENERIC_ENV_PY = Path(__file__).parents[1] / "projects" / "generic" / "migrations" / "env.py"


@dataclass(frozen=True)
class AlembicProject:
    """A mini Alembic project on disk, run with plain `alembic` in a subprocess."""

    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    @property
    def scripts(self) -> Path:
        return self.root / "migrations"

    def alembic(self, *args: str) -> None:
        """Run `alembic -c alembic.ini ARGS...`; fail the test with its output if it fails."""
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(self.ini), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(f"alembic {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


@pytest.fixture
def gated_project(tmp_path: Path, pg_url: str) -> AlembicProject:
    root = tmp_path / "gated"
    shutil.copytree(PROJECTS / "gated", root)
    shutil.copy(GENERIC_ENV_PY, root / "migrations" / "env.py")
    ini = root / "alembic.ini"
    placeholder = "driver://user:pass@localhost/dbname"
    ini.write_text(ini.read_text().replace(placeholder, pg_url.replace("%", "%%")))
    return AlembicProject(root)
