"""Rows written after an upgrade dropped a NOT NULL column get a value when a revert brings it
back, or the revert refuses before anything runs, naming them.

The upgrade kept the dropped column's values by primary key; rows inserted since have none.
With no default, the values come from a fill the revision declares (``migsafe_revert_fill``,
read from its file statically, also stored with the run) or from ``--fill``; without one, the
revert says which table and column, how many rows, their first keys, and the choices.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

R1 = """
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
    )
    op.execute("INSERT INTO orders (id, amount) VALUES (1, 12.34), (2, 5.67)")
"""
# Cents replace the amount: a backfill of the new column, then the old one is dropped.
R2 = """
    op.add_column("orders", sa.Column("cents", sa.Integer, nullable=True))
    op.execute("UPDATE orders SET cents = CAST(ROUND(amount * 100) AS INTEGER)")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("cents", existing_type=sa.Integer, nullable=False)
        batch_op.drop_column("amount")
"""
FILL = '\nmigsafe_revert_fill = {"orders.amount": "cents / 100.0"}\n'


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request: pytest.FixtureRequest) -> Db:
    return request.getfixturevalue("pg_db" if request.param == "postgresql" else "sqlite_db")


def _applied(project: MiniProject, db: Db, *, declared: bool = False) -> None:
    project.add("r1", R1)
    assert project.upgrade(db.url).returncode == 0
    project.add("r2", R2)
    if declared:
        path = project.path("r2")
        path.write_text(path.read_text() + FILL)
    proc = project.upgrade(db.url)
    assert proc.returncode == 0, project.explain(proc)
    db.execute("INSERT INTO orders (id, cents) VALUES (3, 1000), (4, 2550), (5, 1)")


def _amounts(db: Db) -> list[tuple[int, Decimal]]:
    return [
        (int(i), Decimal(str(a)).quantize(Decimal("0.01")))
        for i, a in db.rows("SELECT id, amount FROM orders ORDER BY id")
    ]


def test_without_a_fill_the_revert_is_refused_before_anything_runs(
    project: MiniProject, db: Db
) -> None:
    _applied(project, db)
    before = db.fingerprint()
    proc = project.run(db.url, "revert", "--yes")
    assert proc.returncode == 2, project.explain(proc)
    error = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert error == [
        "error: revert would bring back NOT NULL column(s) without a default, empty in rows "
        "written after the upgrade: orders.amount (r2): 3 row(s) written since it was dropped "
        "would have no value (key 3, 4, 5); nothing was run"
    ], project.explain(proc)
    assert "migsafe_revert_fill" in proc.stderr and "--fill orders.amount=" in proc.stderr
    db.assert_unchanged(before)
    assert db.heads() == ("r2",)
    assert [r.command for r in db.runs()] == ["upgrade", "upgrade"]


def test_the_dry_run_says_it_would_be_refused(project: MiniProject, db: Db) -> None:
    _applied(project, db)
    proc = project.run(db.url, "revert", "--dry-run", "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    warnings = json.loads(proc.stdout)["plan"]["warnings"]
    assert any(w.startswith("would be refused: ") and "orders.amount" in w for w in warnings)


def test_a_fill_on_the_command_line_fills_the_rows_written_since(
    project: MiniProject, db: Db
) -> None:
    _applied(project, db)
    proc = project.run(
        db.url, "revert", "--yes", "--fill", "orders.amount=cents / 100.0", "--format", "json"
    )
    assert proc.returncode == 0, project.explain(proc)
    notes = json.loads(proc.stdout)["plan"]["notes"]
    assert "orders.amount: rows written since r2 dropped it get cents / 100.0 (--fill)" in notes
    assert db.heads() == ("r1",)
    # Kept values exactly as they were; the rows written since, derived.
    assert _amounts(db) == [
        (1, Decimal("12.34")),
        (2, Decimal("5.67")),
        (3, Decimal("10.00")),
        (4, Decimal("25.50")),
        (5, Decimal("0.01")),
    ]


def test_a_fill_declared_in_the_revision_is_stored_and_works_without_the_file(
    project: MiniProject, db: Db
) -> None:
    _applied(project, db, declared=True)
    project.path("r2").unlink()  # an older checkout: the stored reverse carries the fill
    proc = project.run(db.url, "revert", "--yes")
    assert proc.returncode == 0, project.explain(proc)
    assert _amounts(db)[2:] == [(3, Decimal("10.00")), (4, Decimal("25.50")), (5, Decimal("0.01"))]
    assert _amounts(db)[:2] == [(1, Decimal("12.34")), (2, Decimal("5.67"))]


def test_a_fill_declared_after_the_upgrade_is_read_from_the_file(
    project: MiniProject, pg_db: Db
) -> None:
    _applied(project, pg_db)
    path = project.path("r2")
    path.write_text(path.read_text() + FILL)
    proc = project.run(pg_db.url, "revert", "--yes")
    assert proc.returncode == 0, project.explain(proc)
    assert _amounts(pg_db)[2] == (3, Decimal("10.00"))


def test_a_fill_that_names_no_dropped_column_is_refused(project: MiniProject, pg_db: Db) -> None:
    _applied(project, pg_db)
    before = pg_db.fingerprint()
    proc = project.run(pg_db.url, "revert", "--yes", "--fill", "orders.amout=cents / 100.0")
    assert proc.returncode == 2, project.explain(proc)
    assert "--fill orders.amout: this revert brings back no such dropped column" in proc.stderr
    assert "(it brings back orders.amount)" in proc.stderr
    pg_db.assert_unchanged(before)
