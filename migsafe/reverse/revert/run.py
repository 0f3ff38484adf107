"""Running a revert chosen from the stored rows: one guarded transaction for all of it.

For each revision, newest first: the fills of the rows written since it dropped a column go
into the archive (:mod:`migsafe.reverse.revert.fill`); then its stored reverse SQL runs, or its
own ``downgrade()`` followed by putting back what the upgrade kept
(:mod:`migsafe.reverse.restore_kept`). Then the version table is set to the heads before, the
schema must equal the one recorded before the upgrade (:mod:`migsafe.reverse.revert.check`),
the rows are marked reverted, the ``--verify`` checks run, and it commits. Anything failing
rolls all of it back; a lock timeout retries the whole transaction.

It runs on the guard's executor (``engine.runner.execute``), each revision a
:class:`~migsafe.engine.direct.DirectStep`: the same transaction, retry, history row and
result as an upgrade.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import sqlalchemy as sa

from migsafe.db.dberrors import SqliteRowConflict
from migsafe.engine import runner
from migsafe.engine.direct import DirectRun, DirectStep
from migsafe.engine.events import ProgressFn
from migsafe.engine.plan import Plan
from migsafe.engine.session import Session
from migsafe.errors import KeptDataLost
from migsafe.results import RunResult
from migsafe.reverse import store
from migsafe.reverse._sql import run_verbatim
from migsafe.reverse.restore_kept import describe, restore_after_downgrade
from migsafe.reverse.revert.check import check_schema
from migsafe.reverse.revert.fill import prefill
from migsafe.reverse.revert.stored import StoredRevert, Undo, own_downgrade
from migsafe.reverse.rows.restore import ON_CONFLICT_SETTING
from migsafe.reverse.sqlite.rows.restore import CONFLICTS, sqlite_rows_mode
from migsafe.reverse.store import ReverseSource


def run(
    session: Session,
    plan: Plan,
    chosen: StoredRevert,
    run_id: str,
    progress: ProgressFn | None,
    *,
    on_conflict: str = "refuse",
) -> RunResult:
    """Run the revert in one guarded transaction (the guard's executor, with each revision a
    direct step); raise if that fails."""

    def before_commit(conn: sa.Connection) -> None:
        check_schema(conn, session, chosen)
        rows = [r.id for r in chosen.rows if r.id is not None]
        store.mark_reverted(conn, session.history.schema, rows, run_id)

    direct = DirectRun(
        steps=tuple(
            DirectStep(
                undo.row.revision,
                functools.partial(_undo_one, session=session, undo=undo, on_conflict=on_conflict),
            )
            for undo in chosen.undo
        ),
        to_heads=tuple(chosen.to_heads),
        before_commit=before_commit,
        around_attempt=_sqlite_foreign_keys_off,
        failure_hint="`migsafe reverse show REV` prints the reverse SQL; --use-downgrade or "
        "--from-snapshot are the other ways back",
    )
    return runner.execute(
        session,
        plan,
        [],
        run_id,
        progress,
        reverts=chosen.reverts_run_id,
        generate_reverse=False,
        direct=direct,
    )


@contextlib.contextmanager
def _sqlite_foreign_keys_off(conn: sa.Connection) -> Iterator[None]:
    """SQLite reverses rename and rebuild tables: with ``foreign_keys`` on, a rename would
    rewrite other tables' references and a DROP would cascade. The setting only changes
    outside a transaction, so it is switched on the driver's connection, and back after."""
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    on = bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])
    if on:
        raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if on and not conn.in_transaction():
            raw.execute("PRAGMA foreign_keys = ON")


def _undo_one(conn: sa.Connection, *, session: Session, undo: Undo, on_conflict: str) -> None:
    for fill in undo.fills:
        prefill(conn, fill)
    if undo.way != ReverseSource.DOWNGRADE:
        rows = any(a.get("kind") == "rows" for a in undo.row.archives)
        if conn.dialect.name == "sqlite":
            if rows:
                sqlite_rows_mode(conn, on_conflict)
            for statement in undo.row.sql:
                found = run_verbatim(conn, statement)
                if found and on_conflict == "refuse" and statement.startswith(CONFLICTS):
                    raise SqliteRowConflict(str(found))
            return
        if rows:
            # Read by the row restores (reverse/rows/restore.py), for this transaction only.
            conn.execute(
                sa.text("SELECT pg_catalog.set_config(:k, :v, true)"),
                {"k": ON_CONFLICT_SETTING, "v": on_conflict},
            )
        for statement in undo.row.sql:
            run_verbatim(conn, statement)
        return
    _run_downgrade(conn, session, undo.row.revision)
    lost = []
    for archive in undo.restores:
        missing = restore_after_downgrade(conn, archive)
        if missing is not None:
            lost.append(f"{describe(archive)} ({missing})")
    if lost:
        raise KeptDataLost(
            f"{undo.row.revision}'s downgrade() does not bring back what migsafe kept when it "
            f"was applied: {'; '.join(lost)}; that data would be lost",
            hint="revert with its stored reverse (without --use-downgrade), fix downgrade(), "
            "or go back with --from-snapshot",
        )


def _run_downgrade(conn: sa.Connection, session: Session, revision: str) -> None:
    """Run *revision*'s downgrade() on *conn*, inside the revert's transaction, through an
    ``alembic.op`` bound to it (the version table is set by the revert, not here)."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    downgrade = own_downgrade(session, revision)
    assert callable(downgrade), "checked when the revert was chosen"
    context = MigrationContext.configure(connection=conn)
    with Operations.context(context):
        downgrade()
