"""migsafe's own history table upgrades itself when a newer migsafe adds a column."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from migsafe.engine.history import History


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_ensure_adds_columns_a_newer_migsafe_needs(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    engine = sa.create_engine(url)
    history = History(engine, "migsafe")
    history.ensure()
    qualified = "migsafe.migsafe_history" if backend == "postgresql" else "migsafe_history"
    with engine.begin() as conn:  # what an older migsafe created: no snapshot_id yet
        conn.exec_driver_sql(f"ALTER TABLE {qualified} DROP COLUMN snapshot_id")
    History(engine, "migsafe").ensure()
    schema = "migsafe" if backend == "postgresql" else None
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("migsafe_history", schema)}
    engine.dispose()
    assert "snapshot_id" in columns


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_ensure_adds_the_schema_description_column_to_an_older_reverse_table(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Rows an older migsafe stored have no description: a revert then says so (hashes)."""
    from migsafe.engine.reverse_store import schema_before_description

    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    engine = sa.create_engine(url)
    History(engine, "migsafe").ensure()
    schema = "migsafe" if backend == "postgresql" else None
    qualified = "migsafe.migsafe_reverse" if backend == "postgresql" else "migsafe_reverse"
    with engine.begin() as conn:  # what an older migsafe created
        conn.exec_driver_sql(f"ALTER TABLE {qualified} DROP COLUMN schema_before_doc")
        assert schema_before_description(conn, schema, 1) is None
    History(engine, "migsafe").ensure()
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("migsafe_reverse", schema)}
    engine.dispose()
    assert "schema_before_doc" in columns
