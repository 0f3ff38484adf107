"""migsafe's own tables are versioned: every earlier shape upgrades to the current one.

The shapes below are what earlier releases of migsafe created, before its tables had a version
(from the project's history: the first release, then ``snapshot_id``, ``operations``, the
stored reverses, and ``schema_before_doc``). Each is built, given a row, and brought up by
``History.ensure``: the tables must then be exactly those a new database gets, the row kept, and
every step recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from migsafe.engine import own_schema
from migsafe.engine.history import History, history_table, journal_table
from migsafe.engine.runs import RunStatus
from migsafe.errors import ExitCode, OwnSchemaTooNew
from migsafe.reverse.store import reverse_table

FIRST_HISTORY = [
    "run_id",
    "command",
    "status",
    "started_at",
    "finished_at",
    "duration_s",
    "os_user",
    "db_user",
    "host",
    "pid",
    "from_revisions",
    "to_revisions",
    "at_revisions",
    "target",
    "guard",
    "plan",
    "failed_revision",
    "error",
    "reverts_run_id",
    "reverted_by",
    "attempts",
    "migsafe_version",
]
FIRST_REVERSE = [
    "id",
    "run_id",
    "seq",
    "revision",
    "applied_at",
    "heads_before",
    "heads_after",
    "source",
    "sql",
    "operations",
    "archives",
    "irreversible",
    "caveats",
    "schema_before",
    "schema_after",
    "reverted_by",
    "archives_pruned_at",
]

# Released shapes, oldest first: (history columns, whether the reverse table exists, its columns).
SHAPES = {
    "first-release": (FIRST_HISTORY, None),
    "with-snapshot-id": ([*FIRST_HISTORY, "snapshot_id"], None),
    "with-operations": ([*FIRST_HISTORY, "snapshot_id", "operations"], None),
    "with-reverses": ([*FIRST_HISTORY, "snapshot_id", "operations"], FIRST_REVERSE),
}


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    backend = request.param
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_engine(engine: sa.Engine, request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """A second, empty database of the same kind: the shape a new database gets."""
    if engine.dialect.name == "postgresql":
        with request.getfixturevalue("pg_server").fresh_database() as url:
            other = sa.create_engine(url)
            yield other
            other.dispose()
        return
    other = sa.create_engine(f"sqlite:///{request.getfixturevalue('tmp_path') / 'fresh.db'}")
    yield other
    other.dispose()


def _schema(engine: sa.Engine) -> str | None:
    return "migsafe" if engine.dialect.name == "postgresql" else None


def _shape_of(table: sa.Table, columns: list[str], schema: str | None) -> sa.Table:
    """``table`` with only ``columns``, and its indexes (every release had them)."""
    shape = sa.Table(table.name, sa.MetaData(schema=schema), *(table.c[c]._copy() for c in columns))
    for index in table.indexes:
        sa.Index(index.name, *(shape.c[c.name] for c in index.columns))
    return shape


def _build(
    engine: sa.Engine, history_columns: list[str], reverse_columns: list[str] | None
) -> None:
    schema = _schema(engine)
    with engine.begin() as conn:
        if schema:
            conn.execute(sa.schema.CreateSchema(schema))
        old = _shape_of(history_table(schema), history_columns, schema)
        old.create(conn)
        journal_table(schema).create(conn)
        if reverse_columns is not None:
            _shape_of(reverse_table(schema), reverse_columns, schema).create(conn)
        conn.execute(
            old.insert().values(
                run_id="oldrun000001",
                command="upgrade",
                status="succeeded",
                started_at=sa.func.current_timestamp(),
            )
        )


def _tables(engine: sa.Engine) -> dict[str, object]:
    """Each of migsafe's tables: its columns (name, type, nullable), key and indexes."""
    schema = _schema(engine)
    found: dict[str, object] = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in ("migsafe_history", "migsafe_journal", "migsafe_reverse"):
            columns = sorted(
                (c["name"], str(c["type"]), c["nullable"])
                for c in inspector.get_columns(name, schema)
            )
            key = inspector.get_pk_constraint(name, schema)["constrained_columns"]
            indexes = sorted(
                (i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(name, schema)
            )
            found[name] = (columns, key, indexes)
    return found


def _versions(engine: sa.Engine) -> list[int]:
    table = own_schema.version_table(_schema(engine))
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(sa.select(table.c.version).order_by(table.c.version))]


def test_a_new_database_gets_the_current_tables_and_every_step_recorded(
    engine: sa.Engine,
) -> None:
    History(engine, "migsafe").ensure()
    assert _versions(engine) == [step.version for step in own_schema.STEPS]
    History(engine, "migsafe").ensure()  # a second time changes nothing
    assert _versions(engine) == [step.version for step in own_schema.STEPS]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_earlier_shape_upgrades_to_the_current_one_keeping_its_rows(
    engine: sa.Engine, fresh_engine: sa.Engine, shape: str
) -> None:
    history_columns, reverse_columns = SHAPES[shape]
    _build(engine, history_columns, reverse_columns)

    History(engine, "migsafe").ensure()

    assert _versions(engine) == [step.version for step in own_schema.STEPS]
    history = History(engine, "migsafe")
    run = history.get("oldrun000001")
    assert run is not None and run.status == "succeeded"
    History(fresh_engine, "migsafe").ensure()
    assert _tables(engine) == _tables(fresh_engine)


def test_tables_of_a_newer_migsafe_are_refused_and_left_alone(engine: sa.Engine) -> None:
    History(engine, "migsafe").ensure()
    table = own_schema.version_table(_schema(engine))
    with engine.begin() as conn:
        conn.execute(
            table.insert().values(
                version=own_schema.LATEST + 1,
                description="from the future",
                applied_at=sa.func.current_timestamp(),
                migsafe_version="9.9.9",
            )
        )
    with pytest.raises(OwnSchemaTooNew) as caught:
        History(engine, "migsafe").ensure()
    assert caught.value.exit_code == ExitCode.USAGE
    assert f"version {own_schema.LATEST + 1}" in caught.value.message
    assert _versions(engine)[-1] == own_schema.LATEST + 1


def test_a_status_this_release_does_not_know_is_read_not_refused(engine: sa.Engine) -> None:
    """A row written by a newer migsafe (or by hand) with a status outside RunStatus still
    reads: `history` shows every row instead of failing on one."""
    history = History(engine, "migsafe")
    history.ensure()
    history.start(
        run_id="newer0000001",
        command="upgrade",
        from_revisions=[],
        target="head",
        guard="transactional",
        plan={},
        db_user=None,
        version="9.9.9",
    )
    with engine.begin() as conn:
        conn.execute(
            sa.update(history.table)
            .where(history.table.c.run_id == "newer0000001")
            .values(status="paused")
        )
    (run,) = history.runs(limit=5)
    assert run.status == "paused" and str(run.status) == "paused"
    assert run.status != RunStatus.SUCCEEDED
