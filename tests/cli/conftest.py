"""Helpers for the CLI tests: copy a mini Alembic project, run the real CLI, look at the database.

Every test copies a folder of tests/projects/ to its tmp_path (nothing is written in the repo)
and runs ``python -m migsafe`` as a subprocess, exactly as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.db.fingerprint import Fingerprint, fingerprint
from migsafe.engine.history import OWN_TABLES, History, Run

PROJECTS = Path(__file__).resolve().parents[1] / "projects"
SQLITE_OWN_TABLES = OWN_TABLES


# -- projects ---------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """``project("generic")`` copies tests/projects/generic to tmp_path and returns the copy."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(PROJECTS / name, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest

    return copy


def add_revision(project_dir: Path, filename: str, source: str) -> Path:
    """Write one more revision file into a copied project."""
    path = project_dir / "migrations" / "versions" / filename
    path.write_text(source)
    return path


# -- running the CLI --------------------------------------------------------------------------


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a CLI run: no MIGSAFE_* leaking in from outside, wide output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGSAFE_")}
    env.pop("PGPASSWORD", None)
    env.update({"COLUMNS": "250", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    if extra:
        env.update(extra)
    return env


def cli_args(
    args: Sequence[str], *, ini: Path | None = None, url: str | None = None, debug: bool = False
) -> list[str]:
    cmd = [sys.executable, "-m", "migsafe"]
    if ini is not None:
        cmd += ["-c", str(ini)]
    if url is not None:
        cmd += ["--database-url", url]
    if debug:
        cmd.append("--debug")
    return cmd + list(args)


def run_cli(
    *args: str,
    ini: Path | None = None,
    url: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    debug: bool = False,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m migsafe [-c INI] [--database-url URL] ARGS...`` and capture everything."""
    return subprocess.run(
        cli_args(args, ini=ini, url=url, debug=debug),
        cwd=cwd or (ini.parent if ini is not None else None),
        env=cli_env(env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )


def show(proc: subprocess.CompletedProcess[str]) -> str:
    """Everything a failed assertion should print about a CLI run."""
    return (
        f"\n--- exit code {proc.returncode} ---\n--- stdout ---\n{proc.stdout}"
        f"\n--- stderr ---\n{proc.stderr}"
    )


def assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, show(proc)
    assert "Traceback" not in proc.stderr, show(proc)


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single ``error: ...`` line on stderr, checked to be one line (then a hint or end)."""
    lines = proc.stderr.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert len(found) == 1, f"expected exactly one 'error: ' line{show(proc)}"
    index = found[0]
    rest = lines[index + 1 :]
    assert not rest or rest[0].startswith("hint: "), (
        f"the error message continues past one line{show(proc)}"
    )
    assert len(rest) <= 1, f"unexpected output after the error and hint{show(proc)}"
    return lines[index]


def assert_fails(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """Exit ``code``, one ``error:`` line on stderr, no traceback. Returns the error line."""
    assert proc.returncode == code, show(proc)
    assert "Traceback" not in proc.stderr, show(proc)
    return error_line(proc)


# -- looking at the database -----------------------------------------------------------------


@dataclass(frozen=True)
class Db:
    """A database the CLI runs against, seen from the test's side."""

    url: str

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def fingerprint(self) -> Fingerprint:
        """Schema and data, without migsafe's own bookkeeping (its history, and the data its
        reverse scripts keep: dropped columns and tables, row before-images)."""
        with self.connect() as conn:
            if self.sqlite:
                from migsafe.reverse.sqlite.archive import archive_tables

                kept = (*SQLITE_OWN_TABLES, *archive_tables(conn))
                return fingerprint(conn, exclude_tables=kept)
            return fingerprint(conn, exclude_schemas=("migsafe", "migsafe_archive"))

    def versions(self, table: str = "alembic_version", schema: str | None = None) -> set[str]:
        """What the Alembic version table says; the empty set when it does not exist."""
        with self.connect() as conn:
            if not sa.inspect(conn).has_table(table, schema=schema):
                return set()
            name = f"{schema}.{table}" if schema else table
            return set(conn.exec_driver_sql(f"SELECT version_num FROM {name}").scalars())

    def tables(self, schema: str | None = None) -> set[str]:
        with self.connect() as conn:
            return set(sa.inspect(conn).get_table_names(schema=schema))

    def scalar(self, sql: str) -> Any:
        with self.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()

    def execute(self, *statements: str) -> None:
        with self.connect() as conn:
            for stmt in statements:
                conn.exec_driver_sql(stmt)
            conn.commit()

    def runs(self) -> list[Run]:
        """migsafe's history, newest first."""
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            return History(engine, "migsafe").runs(limit=None)
        finally:
            engine.dispose()


def assert_nothing_recorded_as_changed(db: Db) -> None:
    """A run refused before it changed anything may be recorded, but never as a change."""
    for run in db.runs():
        assert run.status not in ("succeeded", "running", "interrupted", "not_restored"), run


@pytest.fixture
def pg(pg_url: str) -> Db:
    return Db(pg_url)


@pytest.fixture
def sqlite(sqlite_url: str) -> Db:
    return Db(sqlite_url)


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request: pytest.FixtureRequest) -> Db:
    """A fresh empty database of each kind."""
    fixture = {"postgresql": "pg_url", "sqlite": "sqlite_url"}[request.param]
    return Db(str(request.getfixturevalue(fixture)))
