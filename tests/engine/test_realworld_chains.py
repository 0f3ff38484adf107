"""Real projects' migration chains (tests/projects/realworld_*), upgraded and reverted.

Each chain is a third-party project's own revision files (reduced where they import the
project's code; see each file's docstring). Its first revision builds the project's base
schema, which ``seed.sql`` fills; the rest run in one ``migsafe upgrade``, ``after.sql``
writes to the new schema, ``migsafe revert`` must bring back the schema and every seeded row
(the rows written since stay, in the old shape), and the chain must apply again. Most of
these revisions have an empty ``downgrade()``: the reverse is migsafe's own.
"""

from __future__ import annotations

import ast
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from migsafe.engine.fingerprint import Fingerprint, diff_descriptions, fingerprint
from migsafe.engine.fingerprint import schema_description as describe

if TYPE_CHECKING:
    from conftest import Db, MiniProject

PROJECTS = Path(__file__).parents[1] / "projects"
IGNORED = ("migsafe", "migsafe_archive")


@dataclass(frozen=True)
class Chain:
    name: str
    # Rows after.sql adds to tables that exist before the chain, as (table, condition): they
    # stay after the revert.
    kept_after_revert: tuple[tuple[str, str], ...]
    # Where the seeded rows are fingerprinted and the revert must come back to (default: the
    # first revision), reached with these upgrade options: the revisions before it are ones a
    # stored reverse cannot undo (data changes whose downgrade() does not work).
    base: str | None = None
    to_base: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return PROJECTS / f"realworld_{self.name}"

    @property
    def files(self) -> list[Path]:
        return sorted((self.root / "versions").glob("*.py"))

    @property
    def revisions(self) -> list[str]:
        return [_revision(path) for path in self.files]


CHAINS = [
    Chain(
        "mlflow",
        kept_after_revert=(("metrics", "run_uuid = 'after1'"), ("runs", "run_uuid = 'after1'")),
    ),
    Chain("redash", kept_after_revert=(("queries", "id = 1000"), ("events", "id = 1000"))),
    Chain(
        "lemur",
        kept_after_revert=(("certificates", "id = 100"), ("endpoints", "id = 1")),
        base="7f71c0cea31a",
        to_base=("--allow-irreversible",),
    ),
    Chain(
        "prefect",
        kept_after_revert=(
            ("flow_run_state", "id = '4fffffff-0000-0000-0000-000000000001'"),
            ("flow_run", "id = '3fffffff-0000-0000-0000-000000000001'"),
        ),
    ),
]


def _revision(path: Path) -> str:
    with warnings.catch_warnings():  # a project's own invalid escapes, in a regex string
        warnings.simplefilter("ignore")
        body = ast.parse(path.read_text()).body
    for node in body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "revision":
            assert isinstance(node.value, ast.Constant)
            return str(node.value.value)
    raise AssertionError(f"no revision in {path}")


def _fp(db: Db) -> Fingerprint:
    with db.engine() as engine, engine.connect() as conn:
        return fingerprint(conn, exclude_schemas=IGNORED, column_order=False)


def _description(db: Db) -> dict[str, object]:
    with db.engine() as engine, engine.connect() as conn:
        return describe(conn, exclude_schemas=IGNORED, column_order=False)


def _sql(db: Db, path: Path) -> None:
    with db.engine() as engine, engine.begin() as conn:
        conn.execute(sa.text(path.read_text()))


def _migsafe(project: MiniProject, db: Db, *args: str) -> None:
    proc = project.run(db.url, *args)
    assert proc.returncode == 0, project.explain(proc)


@pytest.fixture(params=CHAINS, ids=lambda c: c.name)
def chain(request: pytest.FixtureRequest, project: MiniProject) -> Chain:
    found: Chain = request.param
    for path in found.files:
        shutil.copy(path, project.versions / path.name)
    return found


def test_the_chain_reverts_to_the_seeded_schema_and_rows(
    chain: Chain, project: MiniProject, pg_db: Db
) -> None:
    """One run applies the whole chain; its revert restores the schema (columns by name) and
    every seeded row, keeps what was written since, and the chain applies again."""
    first, head = chain.revisions[0], chain.revisions[-1]
    _migsafe(project, pg_db, "upgrade", first)
    _sql(pg_db, chain.root / "seed.sql")
    base = chain.base or first
    if base != first:
        _migsafe(project, pg_db, "upgrade", base, *chain.to_base)
    before, described = _fp(pg_db), _description(pg_db)

    _migsafe(project, pg_db, "upgrade")
    upgraded = _fp(pg_db)
    _sql(pg_db, chain.root / "after.sql")
    _migsafe(project, pg_db, "revert", "--yes")

    assert pg_db.scalar("SELECT version_num FROM alembic_version") == base
    reverted = _fp(pg_db)
    assert reverted.schema == before.schema, diff_descriptions(described, _description(pg_db))
    for table, where in chain.kept_after_revert:
        assert pg_db.scalar(f"SELECT count(*) FROM {table} WHERE {where}") == 1
        pg_db.execute(f"DELETE FROM {table} WHERE {where}")  # then nothing else differs
    restored = _fp(pg_db)
    assert restored.row_counts == before.row_counts
    assert restored == before, [t for t in before.tables if before.tables[t] != restored.tables[t]]

    _migsafe(project, pg_db, "upgrade")
    assert _fp(pg_db).schema == upgraded.schema
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == head


def test_lemur_data_migrations_are_refused_unless_allowed(project: MiniProject, pg_db: Db) -> None:
    """lemur 3307381f3b88 creates roles for existing owners, and its downgrade() fails
    (``drop_constraint(None, ...)``): refused with nothing changed, unless allowed."""
    chain = next(c for c in CHAINS if c.name == "lemur")
    for path in chain.files:
        shutil.copy(path, project.versions / path.name)
    _migsafe(project, pg_db, "upgrade", chain.revisions[0])
    _sql(pg_db, chain.root / "seed.sql")
    before = _fp(pg_db)

    refused = project.run(pg_db.url, "upgrade", "3307381f3b88")
    assert refused.returncode == 2, project.explain(refused)
    assert "3307381f3b88 is irreversible" in refused.stderr
    assert "downgrade() cannot stand in" in refused.stderr
    assert _fp(pg_db) == before


def test_a_data_migration_with_an_empty_downgrade_is_refused_unless_allowed(
    project: MiniProject, pg_db: Db
) -> None:
    """redash 0f740a081d20 writes tags parsed from dashboard names into existing rows, and its
    downgrade() is empty: with a tagged name in the data, the upgrade is refused with nothing
    changed, and applies with --allow-irreversible."""
    chain = Chain("redash", kept_after_revert=())
    for path in chain.files:
        shutil.copy(path, project.versions / path.name)
    _migsafe(project, pg_db, "upgrade", chain.revisions[0])
    _sql(pg_db, chain.root / "seed.sql")
    pg_db.execute("UPDATE dashboards SET name = 'Finance: #weekly' WHERE id = 3")
    before = _fp(pg_db)

    refused = project.run(pg_db.url, "upgrade")
    assert refused.returncode == 2, project.explain(refused)
    assert "0f740a081d20 is irreversible" in refused.stderr
    assert "UPDATE changes data" in refused.stderr
    restored = _fp(pg_db)
    assert restored.row_counts == before.row_counts
    assert restored == before, [t for t in before.tables if before.tables[t] != restored.tables[t]]

    _migsafe(project, pg_db, "upgrade", "--allow-irreversible")
    tags = pg_db.scalar("SELECT tags FROM dashboards WHERE id = 3")
    assert tags == ["Finance", "weekly"]


def test_prefect_data_migration_with_a_non_transactional_downgrade_is_not_covered_by_it(
    project: MiniProject, pg_db: Db
) -> None:
    """prefect 2882cd2df465 (held out of the chain) copies state results into ``artifact``
    and its downgrade() deletes them, both in ``autocommit_block()``. Such a downgrade() cannot
    be tested in a savepoint (it would delete the rows for real) nor run inside a revert's
    transaction, so it covers nothing: the step is refused without --allow-irreversible, and
    with it the upgrade keeps its rows (plain Alembic keeps 5)."""
    chain = next(c for c in CHAINS if c.name == "prefect")
    for path in [*chain.files[:-1], *sorted((chain.root / "held_out").glob("*.py"))]:
        shutil.copy(path, project.versions / path.name)
    _migsafe(project, pg_db, "upgrade", chain.revisions[0])
    _sql(pg_db, chain.root / "seed.sql")
    _migsafe(project, pg_db, "upgrade", "2882cd2df464")
    artifacts = pg_db.scalar("SELECT count(*) FROM artifact")

    refused = project.run(pg_db.url, "upgrade", "2882cd2df465")
    # Judged only as it runs, outside a transaction: refused up front, nothing ran.
    assert refused.returncode == 2, project.explain(refused)
    assert "2882cd2df465 may be irreversible" in refused.stderr
    assert "refused before anything ran" in refused.stderr
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == "2882cd2df464"
    assert pg_db.scalar("SELECT count(*) FROM artifact") == artifacts

    _migsafe(project, pg_db, "upgrade", "2882cd2df465", "--allow-irreversible")
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == "2882cd2df465"
    assert pg_db.scalar("SELECT count(*) FROM artifact") == 5
