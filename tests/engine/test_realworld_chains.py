"""Published packages' own Alembic chains, upgraded, written to, reverted and upgraded again.

Each chain is a PyPI package pinned in tests/support/packages.py, installed at test time into
a cached virtualenv of its own; migsafe (this checkout) runs there, on the package's script
directory as installed: its env.py and its revision files, unmodified. Seed data and
expectations are ours, in tests/engine/chains/<name>/: ``seed.sql`` fills the schema the
chain starts from, the chain runs in one ``migsafe upgrade``, ``after.sql`` writes to the new
schema, ``migsafe revert`` must bring back the schema and every seeded row (the rows written
since stay, in the old shape), and the chain must apply again.
"""

from __future__ import annotations

import ast
import subprocess
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from migsafe.engine.fingerprint import Fingerprint, diff_descriptions, fingerprint
from migsafe.engine.fingerprint import schema_description as describe
from tests.support import packages

if TYPE_CHECKING:
    from conftest import Db

DATA = Path(__file__).parent / "chains"
IGNORED = ("migsafe", "migsafe_archive")
CLI_TIMEOUT = 600.0
"""A chain of 70 revisions, each file importing its package, on a loaded machine."""

INI = """\
[alembic]
script_location = {script_location}
path_separator = os

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""


@dataclass(frozen=True)
class Chain:
    name: str
    pin: packages.Pin
    # Rows after.sql adds to tables that exist before the chain, as (table, condition): they
    # stay after the revert.
    kept_after_revert: tuple[tuple[str, str], ...]
    # Python run in the package's virtualenv (with ``url``) to build the schema the chain
    # starts from, where the package builds it outside its chain; None: the chain's first
    # revision builds it, and the seed goes in after that revision.
    base_schema: str | None = None

    @property
    def data(self) -> Path:
        return DATA / self.name


CHAINS = [
    Chain(
        "mlflow",
        packages.MLFLOW,
        kept_after_revert=(("metrics", "run_uuid = 'after1'"), ("runs", "run_uuid = 'after1'")),
        # MLflow creates its first tables from `initial_models` and then runs the chain
        # (mlflow.store.db.utils._initialize_tables); its first revision alters them.
        base_schema=textwrap.dedent(
            """
            import sqlalchemy as sa
            from mlflow.store.db.utils import InitialBase
            InitialBase.metadata.create_all(sa.create_engine(url))
            """
        ),
    ),
]


@dataclass(frozen=True)
class ChainProject:
    """An alembic.ini of ours pointing at the installed package's script directory."""

    installed: packages.Installed
    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    def revisions(self) -> list[str]:
        """The chain's revisions, base first, read from the files (not imported)."""
        downs: dict[str, str | None] = {}
        for path in (self.installed.script_location / "versions").glob("[!_]*.py"):
            revision, down = _identifiers(path)
            downs[revision] = down
        order: list[str] = []
        nexts = {down: rev for rev, down in downs.items()}
        assert len(nexts) == len(downs), "the chain is not linear"
        current = nexts.get(None)
        while current is not None:
            order.append(current)
            current = nexts.get(current)
        assert len(order) == len(downs), "the chain is not linear"
        return order

    def run(self, url: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self.installed.python), "-m", "migsafe", "-c", str(self.ini)]
        return subprocess.run(
            [*argv, "--database-url", url, *args],
            cwd=self.root,
            env=self.installed.env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=CLI_TIMEOUT,
        )

    def python(self, code: str, url: str) -> None:
        done = subprocess.run(
            [str(self.installed.python), "-c", f"url = {url!r}\n{code}"],
            cwd=self.root,
            env=self.installed.env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=CLI_TIMEOUT,
        )
        assert done.returncode == 0, done.stderr

    def migsafe(self, url: str, *args: str) -> None:
        proc = self.run(url, *args)
        assert proc.returncode == 0, (
            f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )


def _identifiers(path: Path) -> tuple[str, str | None]:
    with warnings.catch_warnings():  # a project's own invalid escapes, in a regex string
        warnings.simplefilter("ignore")
        body = ast.parse(path.read_text()).body
    found: dict[str, object] = {}
    for node in body:
        targets = (
            [node.target]
            if isinstance(node, ast.AnnAssign)
            else node.targets
            if isinstance(node, ast.Assign)
            else []
        )
        for target in targets:
            name = getattr(target, "id", None)
            if name in {"revision", "down_revision"} and node.value is not None:
                found[name] = ast.literal_eval(node.value)
    revision, down = found.get("revision"), found.get("down_revision")
    assert isinstance(revision, str), f"no revision in {path}"
    assert down is None or isinstance(down, str), f"{path}: a merge ({down!r})"
    return revision, down


def _fp(db: Db) -> Fingerprint:
    with db.engine() as engine, engine.connect() as conn:
        return fingerprint(conn, exclude_schemas=IGNORED, column_order=False)


def _description(db: Db) -> dict[str, object]:
    with db.engine() as engine, engine.connect() as conn:
        return describe(conn, exclude_schemas=IGNORED, column_order=False)


def _sql(db: Db, path: Path) -> None:
    with db.engine() as engine, engine.begin() as conn:
        conn.execute(sa.text(path.read_text()))


def _version(db: Db) -> str | None:
    with db.engine() as engine, engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _version_table(db: Db) -> None:
    with db.engine() as engine, engine.begin() as conn:
        MigrationContext.configure(conn)._ensure_version_table()


@pytest.fixture(params=CHAINS, ids=lambda c: c.name)
def chain(request: pytest.FixtureRequest) -> Chain:
    found: Chain = request.param
    return found


@pytest.fixture
def chain_project(chain: Chain, tmp_path: Path) -> ChainProject:
    installed = packages.install(chain.pin)
    root = tmp_path / "proj"
    root.mkdir()
    project = ChainProject(installed, root)
    project.ini.write_text(INI.format(script_location=installed.script_location))
    return project


@pytest.mark.timeout(2400)
def test_the_chain_reverts_to_the_seeded_schema_and_rows(
    chain: Chain, chain_project: ChainProject, pg_db: Db
) -> None:
    """One run applies the whole chain; its revert restores the schema (columns by name) and
    every seeded row, keeps what was written since, and the chain applies again."""
    project = chain_project
    revisions = project.revisions()
    assert len(revisions) >= 20
    if chain.base_schema is not None:
        base: str | None = None
        project.python(chain.base_schema, pg_db.url)
        _version_table(pg_db)  # what a revert to the base leaves, as `alembic downgrade base`
    else:
        base = revisions[0]
        project.migsafe(pg_db.url, "upgrade", base)
    _sql(pg_db, chain.data / "seed.sql")
    before, described = _fp(pg_db), _description(pg_db)

    project.migsafe(pg_db.url, "upgrade")
    assert _version(pg_db) == revisions[-1]
    upgraded = _fp(pg_db)
    _sql(pg_db, chain.data / "after.sql")
    project.migsafe(pg_db.url, "revert", "--yes")

    assert _version(pg_db) == base
    reverted = _fp(pg_db)
    assert reverted.schema == before.schema, diff_descriptions(described, _description(pg_db))
    for table, where in chain.kept_after_revert:
        assert pg_db.scalar(f"SELECT count(*) FROM {table} WHERE {where}") == 1
        pg_db.execute(f"DELETE FROM {table} WHERE {where}")  # then nothing else differs
    restored = _fp(pg_db)
    assert restored.row_counts == before.row_counts
    assert restored == before, [t for t in before.tables if before.tables[t] != restored.tables[t]]

    project.migsafe(pg_db.url, "upgrade")
    assert _fp(pg_db).schema == upgraded.schema
    assert _version(pg_db) == revisions[-1]
