"""The engine's side of snapshots: the ``--backup`` a run starts with, and restores.

:mod:`migsafe.snapshots` is a library that knows nothing of the engine; this module hands it
the session (a :class:`~migsafe.snapshots.database.Database`), the plan's offline SQL and
migsafe's own tables, and does what the engine owes a restore: the reverse scripts stored
after the snapshot undo changes the restore just undid, so they are marked superseded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from alembic.runtime.migration import RevisionStep

from migsafe.engine.history import OWN_TABLES
from migsafe.engine.offline import render_sql
from migsafe.engine.plan import Plan
from migsafe.engine.session import Session
from migsafe.reverse import store as reverse_store
from migsafe.snapshots import service
from migsafe.snapshots.model import Snapshot, SnapshotMode
from migsafe.snapshots.results import RestoreOutcome
from migsafe.snapshots.tables import TablesDecision, tables_for_sql

__all__ = ["Backup", "OnFailure", "backup_for", "describe_backup", "restore", "tables_for_plan"]


class OnFailure(StrEnum):
    """What a ``--backup`` run does after a failure that committed part of the chain."""

    RESTORE = "restore"  # restore the snapshot taken before the run
    STOP = "stop"  # leave the database as it is and say how to restore it


@dataclass(frozen=True)
class Backup:
    """The pre-backup guard of a run: its snapshot and what to do after a partial failure."""

    snapshot: Snapshot
    on_failure: OnFailure = OnFailure.RESTORE
    created: tuple[str, ...] = ()  # tables the migrations create: dropped by a tables restore


def tables_for_plan(session: Session, plan: Plan, steps: Sequence[RevisionStep]) -> TablesDecision:
    """Which tables ``--backup=tables`` dumps for ``plan``: its offline SQL, the live catalog."""
    sql: dict[str, str] = {}
    notes: list[str] = []
    if not session.is_sqlite:  # SQLite: a whole-file copy, whatever the SQL
        sql, notes = render_sql(session.project, session.url, plan.from_heads, steps)
    return tables_for_sql(
        session,
        {step.revision: sql.get(step.revision) for step in plan.steps},
        notes=notes,
        version_table=plan.version_table,
        version_table_schema=plan.version_table_schema,
    )


def describe_backup(
    session: Session, plan: Plan, steps: Sequence[RevisionStep], *, mode: SnapshotMode
) -> Plan:
    """What ``--backup`` would snapshot, as plan notes (for --dry-run; nothing is taken)."""
    if not plan.steps:
        return plan
    if mode == SnapshotMode.TABLES:
        decision = tables_for_plan(session, plan, steps)
        if decision.mode == SnapshotMode.TABLES:
            notes = [f"would snapshot {len(decision.tables)} tables: {', '.join(decision.tables)}"]
            if decision.created:
                notes.append(
                    f"a restore would drop what the run creates: {', '.join(decision.created)}"
                )
            notes.extend(decision.reasons)
        else:
            notes = ["would snapshot the whole database: " + "; ".join(decision.reasons)]
    else:
        size = service.estimate_bytes(session, SnapshotMode.FULL, ())
        notes = [
            "would snapshot the whole database"
            + (f" (about {_mb(size)} before compression)" if size else "")
        ]
    return replace(plan, notes=(*plan.notes, *notes))


def backup_for(
    session: Session,
    plan: Plan,
    steps: Sequence[RevisionStep],
    *,
    mode: SnapshotMode,
    run_id: str,
    progress: service.ProgressBytes | None,
) -> tuple[Plan, Backup | None, SnapshotMode]:
    """Take the snapshot a ``--backup`` upgrade starts with; the plan notes what it holds."""
    if not plan.steps:
        return plan, None, mode
    tables: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    notes: list[str] = []
    if mode == SnapshotMode.TABLES:
        decision = tables_for_plan(session, plan, steps)
        if decision.mode == SnapshotMode.TABLES:
            tables, created = decision.tables, decision.created
            notes.append(f"snapshot of {len(tables)} tables: {', '.join(tables)}")
            notes.extend(decision.reasons)
        else:
            mode = SnapshotMode.FULL
            notes.append(
                "snapshot falls back to the whole database: " + "; ".join(decision.reasons)
            )
    snap = service.take(
        session, mode=mode, tables=tables, created=created, run_id=run_id, progress=progress
    )
    notes.append(f"snapshot {snap.id} ({snap.mode}, {snap.size} bytes) taken and verified")
    return (
        replace(plan, notes=(*plan.notes, *notes)),
        Backup(snapshot=snap, created=tuple(created)),
        mode,
    )


def restore(
    session: Session,
    snap: Snapshot,
    *,
    into: str | None = None,
    force: bool = False,
    drop_also: Sequence[str] = (),
    wait_for_others: bool = False,
) -> RestoreOutcome:
    """Put *snap* back (see :func:`migsafe.snapshots.service.restore`) keeping migsafe's own
    tables; in place, the reverse scripts stored since are marked superseded."""
    done = service.restore(
        session,
        snap,
        own_tables=OWN_TABLES,
        into=into,
        force=force,
        drop_also=drop_also,
        wait_for_others=wait_for_others,
    )
    if into is None:
        _supersede_reverses(session, snap)
    return done


def _supersede_reverses(session: Session, snap: Snapshot) -> None:
    """Reverse scripts stored after the snapshot undo changes the restore just undid."""
    since = dt.datetime.fromisoformat(snap.created_at)
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    with session.aux() as conn:
        if conn.dialect.name == "sqlite":
            since = since.replace(tzinfo=None)  # stored naive, in UTC
        reverse_store.mark_superseded(conn, session.history.schema, since, f"restore:{snap.id}")


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(n // 1024, 1)} kB"
