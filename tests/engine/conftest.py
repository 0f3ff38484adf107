"""Helpers for the proofs of the transactional guard (tests/engine/test_guard_*.py).

* :class:`MiniProject`: an Alembic project written into ``tmp_path`` (alembic.ini, the stock
  ``alembic init`` env.py, one file per revision from Python source strings), with helpers that
  run ``python -m migsafe`` on it as a subprocess, so exit codes are the real ones.
* :class:`Db`: what the tests observe in the database under test, on connections of their own:
  schema+data fingerprint, the Alembic version table, migsafe's history and journal.

The helpers live here (not in a module the tests import) because tests/ is not a package;
test modules reach them through the fixtures below and import the classes for type hints only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from migsafe.engine.fingerprint import Fingerprint, fingerprint
from migsafe.engine.history import History, Run, journal_table

# What `alembic init` (generic template) writes, minus the comment blocks of alembic.ini. The
# URL is a placeholder on purpose: every run passes --database-url.
ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = driver://user:pass@localhost/dbname

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

# The generic template's env.py, verbatim: migsafe must drive it unmodified.
ENV_PY = (Path(__file__).parents[1] / "projects" / "generic" / "migrations" / "env.py").read_text()

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''

# A revision file as `alembic revision` renders it from the template above.
REVISION = '''\
"""{message}

Revision ID: {rev}
Revises: {down_text}
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
{upgrade}


def downgrade() -> None:
    """Downgrade schema."""
{downgrade}
'''

CLI_TIMEOUT = 90.0


def step_source(k: int, *, fail: bool = False) -> tuple[str, str]:
    """upgrade() and downgrade() bodies of step ``k`` of the standard chain.

    Each step changes the schema (a new table, a new column and index on ``seed``) and the data
    (inserts, updates ``seed``, deletes rows an earlier step wrote or ``seed`` rows); a failing
    step does all of that and then raises, so the rollback has something to undo.
    """
    upgrade = f"""
        op.create_table(
            "step{k}",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(50)),
        )
        op.add_column("seed", sa.Column("c{k}", sa.Integer, nullable=True))
        op.create_index("ix_seed_c{k}", "seed", ["c{k}"])
        op.execute("UPDATE seed SET c{k} = id * {k}, note = COALESCE(note, '') || '+{k}'")
        op.execute("INSERT INTO step{k} (id, label) VALUES (1, 'ü-{k}'), (2, NULL)")
        op.execute("DELETE FROM seed WHERE name IS NULL")
    """
    if k > 1:
        upgrade += f"""
        op.execute("DELETE FROM step{k - 1} WHERE id = 2")
        """
    if fail:
        upgrade += f"""
        raise RuntimeError("injected failure in step {k}")
        """
    downgrade = f"""
        op.drop_index("ix_seed_c{k}", table_name="seed")
        op.drop_column("seed", "c{k}")
        op.drop_table("step{k}")
    """
    return textwrap.dedent(upgrade), textwrap.dedent(downgrade)


def _indent(source: str) -> str:
    body = textwrap.dedent(source).strip("\n") or "pass"
    return textwrap.indent(body, "    ")


def cli_env() -> dict[str, str]:
    """The environment of a migsafe subprocess: no MIGSAFE_* leaking in from the caller, and
    no bytecode caches (a revision rewritten within the same second must be re-read)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGSAFE_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"
    return env


@dataclass
class MiniProject:
    """An Alembic project in a directory, one linear chain of revisions."""

    root: Path
    downs: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        (self.root / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
        self.ini.write_text(ALEMBIC_INI)
        (self.root / "migrations" / "env.py").write_text(ENV_PY)
        (self.root / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)
        (self.root / "migrations" / "README").write_text("Generic single-database configuration.\n")

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"

    @property
    def revisions(self) -> list[str]:
        return list(self.downs)

    @property
    def head(self) -> str:
        return self.revisions[-1]

    def path(self, rev: str) -> Path:
        return self.versions / f"{rev}.py"

    def add(self, rev: str, upgrade: str, downgrade: str = "pass", message: str = "") -> Path:
        """Append revision ``rev`` to the chain; ``upgrade``/``downgrade`` are function bodies."""
        assert rev not in self.downs, rev
        self.downs[rev] = self.revisions[-1] if self.downs else None
        return self.rewrite(rev, upgrade, downgrade, message)

    def rewrite(self, rev: str, upgrade: str, downgrade: str = "pass", message: str = "") -> Path:
        """Replace the body of an existing revision (e.g. fix a failing migration)."""
        down = self.downs[rev]
        text = REVISION.format(
            message=message or f"step {rev}",
            rev=rev,
            down=down,
            down_text=down or "",
            upgrade=_indent(upgrade),
            downgrade=_indent(downgrade),
        )
        path = self.path(rev)
        path.write_text(text)
        shutil.rmtree(self.versions / "__pycache__", ignore_errors=True)
        return path

    def add_step(self, k: int, *, fail: bool = False) -> Path:
        """Revision ``r{k}`` of the standard chain (see :func:`step_source`)."""
        return self.add(f"r{k}", *step_source(k, fail=fail), message=f"step {k}")

    def fix_step(self, k: int) -> Path:
        """Rewrite ``r{k}`` of the standard chain without its injected failure."""
        return self.rewrite(f"r{k}", *step_source(k, fail=False), message=f"step {k}")

    def chain(self, n: int, *, fail_at: int | None = None) -> list[str]:
        """Revisions r1..rN of the standard chain; ``r{fail_at}`` raises after its DDL+DML."""
        for k in range(1, n + 1):
            self.add_step(k, fail=k == fail_at)
        return self.revisions

    # -- running migsafe ----------------------------------------------------------------------
    def argv(self, url: str, *args: str) -> list[str]:
        return [sys.executable, "-m", "migsafe", "-c", str(self.ini), "--database-url", url, *args]

    def run(
        self, url: str, *args: str, timeout: float = CLI_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """``migsafe -c alembic.ini --database-url URL ARGS...``, to completion."""
        return subprocess.run(
            self.argv(url, *args),
            cwd=self.root,
            env=cli_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )

    def run_with_env(
        self, url: str, extra: dict[str, str], *args: str
    ) -> subprocess.CompletedProcess[str]:
        """Like :meth:`run`, with environment variables added (e.g. ``MIGSAFE_*`` settings)."""
        return subprocess.run(
            self.argv(url, *args),
            cwd=self.root,
            env={**cli_env(), **extra},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=CLI_TIMEOUT,
        )

    def upgrade(
        self, url: str, *args: str, timeout: float = CLI_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        return self.run(url, "upgrade", *args, timeout=timeout)

    @staticmethod
    def explain(proc: subprocess.CompletedProcess[str] | subprocess.Popen[str]) -> str:
        """Exit code and output of a finished migsafe process, for assertion messages."""
        return (
            f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )

    def popen(self, url: str, *args: str) -> subprocess.Popen[str]:
        """Start migsafe without waiting; the caller must wait for it (or kill it)."""
        return subprocess.Popen(
            self.argv(url, *args),
            cwd=self.root,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )


# -- the database under test --------------------------------------------------------------------

SEED_ROWS = (
    (1, "alpha", None),
    (2, "Zoë \u2013 ünïcødé ✓ 日本語", "x"),
    (3, None, "note with 'quotes' and \\backslash"),
)


class Db:
    """Observes (and prepares) the database under test on connections of its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = make_url(url).get_backend_name() == "sqlite"

    @contextlib.contextmanager
    def engine(self) -> Iterator[sa.Engine]:
        kwargs: dict[str, Any] = {"poolclass": NullPool}
        if not self.sqlite:
            # A test must never hang on a lock a stray session still holds: fail instead.
            kwargs["connect_args"] = {"options": "-c lock_timeout=20000"}
        engine = sa.create_engine(self.url, **kwargs)
        try:
            yield engine
        finally:
            engine.dispose()

    def execute(self, *statements: str) -> None:
        """Run SQL statements in one committed transaction."""
        with self.engine() as engine, engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        with self.engine() as engine, engine.connect() as conn:
            return conn.execute(sa.text(sql), params or {}).scalar()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self.engine() as engine, engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params or {})]

    def has_table(self, name: str) -> bool:
        with self.engine() as engine, engine.connect() as conn:
            return sa.inspect(conn).has_table(name)

    def columns(self, table: str) -> list[str]:
        with self.engine() as engine, engine.connect() as conn:
            return [c["name"] for c in sa.inspect(conn).get_columns(table)]

    def seed(self) -> None:
        """A `seed` table with a few rows, NULLs and non-ASCII text included."""
        with self.engine() as engine, engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE seed (id INTEGER PRIMARY KEY, name VARCHAR(100), note TEXT)"
            )
            conn.execute(
                sa.text("INSERT INTO seed (id, name, note) VALUES (:id, :name, :note)"),
                [{"id": i, "name": n, "note": t} for i, n, t in SEED_ROWS],
            )

    def fingerprint(self) -> Fingerprint:
        """Schema and data of the user's tables (migsafe's own bookkeeping left out)."""
        with self.engine() as engine, engine.connect() as conn:
            if self.sqlite:
                from migsafe.engine.history import OWN_TABLES as own
                from migsafe.reverse.sqlite.archive import archive_tables

                return fingerprint(
                    conn, exclude_schemas=(), exclude_tables=(*own, *archive_tables(conn))
                )
            # Data kept by reverse scripts is migsafe's, like its history.
            return fingerprint(conn, exclude_schemas=("migsafe", "migsafe_archive"))

    def assert_unchanged(self, before: Fingerprint) -> Fingerprint:
        """The schema and every table's rows are exactly as in ``before``."""
        after = self.fingerprint()
        changed = sorted(
            k
            for k in set(before.tables) | set(after.tables)
            if before.tables.get(k) != after.tables.get(k)
        )
        assert after.schema == before.schema, "the schema changed"
        assert after.data == before.data, f"data changed in {', '.join(changed)}"
        assert after == before
        return after

    @staticmethod
    def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.05) -> Any:
        """Poll ``predicate`` until it returns something truthy: that value, else the last one."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value or time.monotonic() >= deadline:
                return value
            time.sleep(interval)

    def heads(self) -> tuple[str, ...]:
        """What the Alembic version table says; () when it does not exist."""
        if not self.has_table("alembic_version"):
            return ()
        return tuple(sorted(r[0] for r in self.rows("SELECT version_num FROM alembic_version")))

    def runs(self) -> list[Run]:
        """migsafe's history, newest first."""
        with self.engine() as engine:
            return History(engine, "migsafe").runs(limit=None)

    def run(self, run_id: str) -> Run:
        found = [r for r in self.runs() if r.run_id == run_id]
        assert found, f"no history row for run {run_id}"
        return found[0]

    def last_run(self) -> Run:
        runs = self.runs()
        assert runs, "the history is empty"
        return runs[0]

    def journal(self) -> list[dict[str, Any]]:
        table = journal_table(None if self.sqlite else "migsafe")
        with self.engine() as engine, engine.connect() as conn:
            if not sa.inspect(conn).has_table(table.name, schema=table.schema):
                return []
            return [dict(r) for r in conn.execute(sa.select(table).order_by(table.c.id)).mappings()]


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> MiniProject:
    """An empty Alembic project (no revisions yet) in tmp_path/proj."""
    return MiniProject(tmp_path / "proj")


@pytest.fixture
def pg_db(pg_url: str) -> Db:
    """A fresh PostgreSQL database with the seed table."""
    db = Db(pg_url)
    db.seed()
    return db


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Db:
    """A fresh SQLite database with the seed table."""
    db = Db(sqlite_url)
    db.seed()
    return db


@pytest.fixture
def pg_connect(pg_server: Any, pg_url: str) -> Iterator[Callable[..., psycopg.Connection[Any]]]:
    """Open psycopg sessions on the test database (closed at teardown)."""
    dbname = make_url(pg_url).database
    opened: list[psycopg.Connection[Any]] = []

    def connect(*, autocommit: bool = True) -> psycopg.Connection[Any]:
        conn = psycopg.connect(pg_server.conninfo(dbname), autocommit=autocommit)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        with contextlib.suppress(Exception):
            conn.close()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started; any still running at teardown are killed (by pid)."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(Exception):
            proc.communicate(timeout=10)
