"""Published packages' own Alembic chains, upgraded, written to, reverted and upgraded again.

Each chain is a PyPI package pinned in tests/support/packages.py, installed at test time into
a cached virtualenv of its own; migsafe (this checkout) runs there, on the package's script
directory as installed: its env.py and its revision files, unmodified. Seed data and
expectations are ours, in tests/engine/chains/<name>/: ``seed.sql`` fills the schema the
chain starts from, the chain runs in one ``migsafe upgrade``, ``after.sql`` writes to the new
schema, ``migsafe revert`` must bring back the schema and every seeded row (the rows written
since stay, in the old shape), and the chain must apply again.

Every chain runs with the package's own env.py. MLflow's and Airflow's run from
`python -m migsafe` as they are (Airflow's with its settings in the environment). Prefect's
only runs inside Prefect's runtime (an AnyIO worker thread, settings from the environment,
its asyncpg engine): it runs through `migsafe.run` from such a thread, the way docs/env-py.md
tells applications like it to. What a chain holds that migsafe cannot undo
exactly is stated in its `Chain` (irreversible, judged as they run, inexact), with why.
"""

from __future__ import annotations

import ast
import re
import subprocess
import textwrap
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url

from migsafe.db.fingerprint import Fingerprint, diff_descriptions, fingerprint
from migsafe.db.fingerprint import schema_description as describe
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
version_locations = {versions}
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
    # How many revisions the tested run applies: a new pin or window must change it knowingly.
    run_length: int
    # Rows after.sql adds to tables that exist before the chain, as (table, condition): they
    # stay after the revert.
    kept_after_revert: tuple[tuple[str, str], ...]
    # Python run in the package's virtualenv (with ``url``) to build the schema the chain
    # starts from, where the package builds it outside its chain; None: the chain's first
    # revision builds it, and the seed goes in after that revision.
    base_schema: str | None = None
    # The revision seed.sql is written against (default: the first).
    seed_at: str | None = None
    # Where the tested run starts and the revert must come back to (default: seed_at),
    # reached from seed_at through the package's own data migrations.
    base: str | None = None
    # Where the tested run ends (default: the head).
    target: str | None = None
    # Revisions of the chain migsafe cannot undo exactly, with the reason: the tested run
    # lies between them; those past the target must be refused.
    irreversible: Mapping[str, str] = field(default_factory=dict)
    # Revisions in the tested run that migsafe refuses up front as "may be irreversible"
    # (judged only as they run, outside a transaction), with what they do: the run needs
    # --allow-irreversible, and the test shows that their revert is exact all the same.
    judged_as_they_run: Mapping[str, str] = field(default_factory=dict)
    # Revisions that migsafe applies but whose revert is not exact, with why: outside the run.
    inexact: Mapping[str, str] = field(default_factory=dict)
    # Data migrations in the run whose rows migsafe captures (reverse/rows), with what they
    # write: their stored reverse must keep the rows' before-images.
    captures_rows: Mapping[str, str] = field(default_factory=dict)
    # How the package's own env.py has to be run: "cli" (`python -m migsafe`), or
    # "worker-thread" (`migsafe.run` from an AnyIO worker thread, the application's runtime).
    runner: str = "cli"
    # Environment variables the package's env.py reads its settings from, given the URL.
    settings: Callable[[str, Path], dict[str, str]] | None = None
    # Options to reach seed_at and base with (those revisions are not under test).
    to_base: tuple[str, ...] = ()
    # The driver env.py connects with, named in migsafe's URL (migsafe does not switch).
    driver: str | None = None

    @property
    def data(self) -> Path:
        return DATA / self.name


CHAINS = [
    Chain(
        "mlflow",
        packages.MLFLOW,
        run_length=70,
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


def _with_driver(url: str, driver: str) -> str:
    return make_url(url).set(drivername=driver).render_as_string(hide_password=False)


def _prefect_settings(url: str, home: Path) -> dict[str, str]:
    """Prefect's env.py builds its own (asyncpg) engine from Prefect's settings."""
    return {
        "PREFECT_HOME": str(home / "prefect-home"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": _with_driver(url, "postgresql+asyncpg"),
    }


CHAINS.append(
    Chain(
        "prefect",
        packages.PREFECT,
        run_length=38,
        kept_after_revert=(  # in an order they can be deleted in
            ("flow_run_state", "id = '4fffffff-0000-0000-0000-000000000001'"),
            ("artifact", "key = 'after-key'"),
            ("flow_run", "id = '3fffffff-0000-0000-0000-000000000001'"),
            ("worker", "name = 'w1'"),
            ("work_queue", "id = '71000000-0000-0000-0000-000000000001'"),
            ("work_pool", "id = '70000000-0000-0000-0000-000000000001'"),
        ),
        # October 2022: seed.sql is written against Prefect's schema at that revision; the
        # seeded rows then go through Prefect's own data migrations up to `base`.
        seed_at="2d5e000696f1",
        base="2882cd2df464",
        # 38 revisions: data migrations (below), tables, columns, foreign keys, enums, an
        # explicit COMMIT in SQL, concurrent index builds and a backfill in autocommit_block().
        target="b23c83a12cb4",
        # Data migrations in the run, refused before rows were captured (their downgrade()s
        # delete or leave the transaction): now their rows' before-images are their reverse.
        # (15f5083c16bd, also in the run, fills a table it creates: undone by dropping it;
        # 4e9a6f93eb6c UPDATEs concurrency_limit_v2, which the run creates, so still empty.)
        captures_rows={
            "2882cd2df465": "copies state results into `artifact` in an autocommit_block()",
            "f98ae6d8e2cc": "INSERTs a default work pool and UPDATEs work queues, flow runs and "
            "deployments into it",
        },
        judged_as_they_run={
            "2882cd2df465": "writes rows on the connection in an autocommit_block(), the first "
            "step outside a transaction",
            "15f5083c16bd": "writes rows on the connection in an autocommit_block()",
            "cef24af2ec34": "backfills the column it adds, on the connection, in an "
            "autocommit_block()",
            "50737cdaee36": "builds an index with SQL it composes at run time, after "
            "a03d00b8e275 committed outside a transaction",
        },
        inexact={
            # migsafe's generated reverse of json_variables (add json_value, copy each row on
            # the connection, drop value, rename json_value to value) leaves `variable.value`
            # a generated column: the revert's schema check catches it and rolls back (exit 4,
            # nothing lost). The tested run ends before it.
            "94622c1663e8": "its generated reverse does not bring variable.value back exactly",
        },
        # Reaching seed_at and base runs the data migrations before them, on purpose.
        to_base=("--allow-irreversible",),
        # Prefect's env.py loads Prefect's settings and database interface through helpers
        # that only work in an AnyIO worker thread (NoEventLoopError elsewhere): Prefect runs
        # its migrations from there, and so does this test, through migsafe's Python API.
        runner="worker-thread",
        settings=_prefect_settings,
        driver="postgresql+asyncpg",
    )
)


def _airflow_settings(url: str, home: Path) -> dict[str, str]:
    """Airflow's settings build an engine at import time, from its own configuration."""
    return {
        "AIRFLOW_HOME": str(home / "airflow-home"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _with_driver(url, "postgresql+psycopg2"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


CHAINS.append(
    Chain(
        "airflow",
        packages.AIRFLOW,
        run_length=14,
        kept_after_revert=(  # in an order they can be deleted in
            ("dag_run", "run_id = 'manual__after'"),
            ("dag", "dag_id = 'after'"),
        ),
        # Airflow 2.10's schema: seed.sql is written against it; the seeded rows then go
        # through Airflow's own migrations up to `base`.
        seed_at="686269002441",
        base="5f2621c13b39",
        # 14 revisions between migrations migsafe cannot undo: SubDAGs and their columns
        # dropped, columns renamed (schedule_interval, execution_date), backfill tables,
        # dataset tables renamed to asset, indexes and foreign keys.
        target="05234396c6fc",
        # The run lies between two DO blocks that change the schema. (Later revisions that only
        # write rows, 2b47dc6bc8df's DELETE, 0e9519b56710's UPDATE and a dozen more, were
        # refused as data changes before rows were captured; d59cbbef95eb bounds the run.)
        irreversible={
            "5f2621c13b39": "renames constraints in a DO block; its downgrade() does not bring "
            "the schema back exactly (tested in a savepoint)",
            "d59cbbef95eb": "gives task_instance a UUID key through a DO block, a function it "
            "creates and drops, and DROP ... CASCADE; its downgrade() is not exact either",
        },
        # Reaching seed_at and base runs those revisions on purpose: the first one, 4bc4d934e2bc
        # (Airflow 2.6.2's squashed schema), bulk-inserts rows whose keys the database makes.
        to_base=("--allow-irreversible",),
        settings=_airflow_settings,
        # Airflow's env.py takes migsafe's connection; its migrations bind parameters the way
        # psycopg2 (Airflow's driver for postgresql://) does: with psycopg 3, 686269002441
        # fails (DatatypeMismatch: an integer column set from a varchar parameter).
        driver="postgresql+psycopg2",
    )
)

# The application's entry point: an event loop, then migsafe in an AnyIO worker thread.
IN_A_WORKER_THREAD = textwrap.dedent(
    """
    import functools, sys
    import anyio, anyio.to_thread
    import migsafe

    run = functools.partial(anyio.to_thread.run_sync, migsafe.run, sys.argv[1:])
    sys.exit(anyio.run(run))
    """
)


@dataclass(frozen=True)
class ChainProject:
    """An alembic.ini of ours pointing at the installed package's script directory."""

    chain: Chain
    installed: packages.Installed
    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    def revisions(self) -> list[str]:
        """The chain's revisions, base first, read from the files (not imported)."""
        downs: dict[str, str | None] = {}
        for path in self.installed.versions.glob("[!_]*.py"):
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

    def env(self, url: str) -> dict[str, str]:
        settings = self.chain.settings
        return {**self.installed.env(), **(settings(url, self.root) if settings else {})}

    def run(self, url: str, *args: str) -> subprocess.CompletedProcess[str]:
        python = str(self.installed.python)
        entry = (
            [python, "-m", "migsafe"]
            if self.chain.runner == "cli"
            else [python, "-c", IN_A_WORKER_THREAD]
        )
        driver = self.chain.driver
        return subprocess.run(
            [
                *entry,
                "-c",
                str(self.ini),
                "--database-url",
                _with_driver(url, driver) if driver else url,
                *args,
            ],
            cwd=self.root,
            env=self.env(url),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=CLI_TIMEOUT,
        )

    def python(self, code: str, url: str) -> None:
        done = subprocess.run(
            [str(self.installed.python), "-c", f"url = {url!r}\n{code}"],
            cwd=self.root,
            env=self.env(url),
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
    project = ChainProject(chain, installed, root)
    project.ini.write_text(
        INI.format(script_location=installed.script_location, versions=installed.versions)
    )
    return project


@pytest.mark.timeout(2400)
def test_the_chain_reverts_to_the_seeded_schema_and_rows(
    chain: Chain, chain_project: ChainProject, pg_db: Db
) -> None:
    """One run applies the chain; its revert restores the schema (columns by name) and every
    seeded row, keeps what was written since, and the chain applies again."""
    project = chain_project
    revisions = project.revisions()
    if chain.base_schema is not None:
        project.python(chain.base_schema, pg_db.url)
        _version_table(pg_db)  # what a revert to the base leaves, as `alembic downgrade base`
        _sql(pg_db, chain.data / "seed.sql")
        base, first = None, 0
    else:
        seed_at = chain.seed_at or revisions[0]
        project.migsafe(pg_db.url, "upgrade", seed_at, *chain.to_base)
        _sql(pg_db, chain.data / "seed.sql")
        base = chain.base or seed_at
        if base != seed_at:  # the seeded rows go through the package's data migrations
            project.migsafe(pg_db.url, "upgrade", base, *chain.to_base)
        first = revisions.index(base) + 1
    target = chain.target or revisions[-1]
    assert len(revisions[first : revisions.index(target) + 1]) == chain.run_length
    before, described = _fp(pg_db), _description(pg_db)

    allow: tuple[str, ...] = ()
    if chain.judged_as_they_run:
        refused = project.run(pg_db.url, "upgrade", target)
        assert refused.returncode == 2, refused.stderr
        first_judged = next(r for r in revisions if r in chain.judged_as_they_run)
        assert f"{first_judged} may be irreversible" in refused.stderr, refused.stderr
        assert _fp(pg_db) == before
        allow = ("--allow-irreversible",)
    project.migsafe(pg_db.url, "upgrade", target, *allow)
    assert _version(pg_db) == target
    upgraded = _fp(pg_db)
    for revision in chain.captures_rows:
        archives = pg_db.scalar(
            "SELECT archives FROM migsafe.migsafe_reverse WHERE revision = :r "
            "AND source = 'generated' ORDER BY id DESC LIMIT 1",
            {"r": revision},
        )
        assert any(a.get("kind") == "rows" for a in archives or ()), (revision, archives)
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

    project.migsafe(pg_db.url, "upgrade", target, *allow)
    assert _fp(pg_db).schema == upgraded.schema
    assert _version(pg_db) == target

    # Past the target, migsafe refuses a revision this chain states it cannot undo.
    if any(r in chain.irreversible for r in revisions[revisions.index(target) + 1 :]):
        refused = project.run(pg_db.url, "upgrade")
        assert refused.returncode == 2, refused.stderr
        named = re.search(r"error: (\w+) (?:is|may be) irreversible", refused.stderr)
        assert named, refused.stderr
        assert {**chain.irreversible, **chain.judged_as_they_run}.get(named[1]), refused.stderr
        assert _version(pg_db) == target
