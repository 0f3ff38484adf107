"""Fixtures for snapshot tests: a store per test, seeded databases, child-process spying."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from migsafe.snapshots.store import LocalStore
from tests.support.pg import PgServer

# A small but varied schema: two schemas, serial and identity sequences, a foreign key, a
# quoted name, a view, and migsafe's own schema (which snapshots leave out).
SEED = [
    "CREATE SCHEMA app",
    "CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2))",
    "CREATE TABLE app.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " item_id int REFERENCES public.items (id), note text)",
    'CREATE TABLE public."Mixed Case" (k text PRIMARY KEY)',
    "CREATE VIEW public.item_names AS SELECT name FROM public.items",
    "INSERT INTO public.items (name, price) VALUES ('apple', 1.5), ('pear', 2), ('fig', NULL)",
    "INSERT INTO app.orders (item_id, note) VALUES (1, 'first'), (3, 'second')",
    """INSERT INTO public."Mixed Case" VALUES ('x')""",
    "CREATE SCHEMA migsafe",
    "CREATE TABLE migsafe.migsafe_history (run_id text PRIMARY KEY)",
    "INSERT INTO migsafe.migsafe_history VALUES ('r1')",
]

# Enough incompressible rows that pg_dump runs for a moment and writes well over 64 KiB.
BIG = [
    "CREATE TABLE public.big (id int PRIMARY KEY, payload text)",
    "INSERT INTO public.big SELECT g, md5(g::text) || md5((g * 7)::text)"
    " FROM generate_series(1, 60000) g",
]


def execute(url: str, *statements: str) -> None:
    """Run statements on their own autocommit connection (the test's view of the database)."""
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,
    ) as conn:
        for stmt in statements:
            conn.execute(stmt.encode())


@pytest.fixture
def sql() -> Callable[..., None]:
    """``sql(url, *statements)``: run statements on a connection of the test's own."""
    return execute


@pytest.fixture
def spy() -> Callable[[str], list[Child]]:
    """``spy(name)``: this process's live children called *name*, as /proc shows them."""
    return children


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "snapshots")


@pytest.fixture
def bin_dir(pg_server: PgServer) -> Path | None:
    """The test server's client tools (None: let migsafe search PATH and friends)."""
    return pg_server.bin_dir


@pytest.fixture
def seeded_url(pg_url: str) -> str:
    execute(pg_url, *SEED)
    return pg_url


@pytest.fixture
def big_url(seeded_url: str) -> str:
    execute(seeded_url, *BIG)
    return seeded_url


@dataclass(frozen=True)
class Child:
    """A child process of this test process, as /proc shows it to any user of the machine."""

    pid: int
    name: str
    cmdline: str
    environ: dict[str, str]


def children(name: str) -> list[Child]:
    """Live child processes of this process called *name*, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid != os.getpid() or comm != name:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            raw_env = (entry / "environ").read_bytes().split(b"\0")
            environ = dict(
                item.decode(errors="replace").partition("=")[::2] for item in raw_env if item
            )
            found.append(Child(int(entry.name), comm, cmdline, environ))
    return found


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a tiny tmpfs (root only; skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def mount(size: str = "64k", *, read_only: bool = False) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        target.mkdir()
        options = f"size={size},mode=0700" + (",ro" if read_only else "")
        res = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)
