"""The run history: one row per run, written on its own connection.

The row is inserted before the migration starts and updated when it ends, each in its own
short autocommit transaction, so it survives the migration's rollback. It never holds a
password: the plan carries a redacted URL and error texts are scrubbed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from migsafe.db.connection import is_sqlite
from migsafe.engine import own_schema
from migsafe.engine.runs import Direction, Run, RunStatus, run_from_row
from migsafe.reverse.store import reverse_table

__all__ = ["History", "Run", "RunStatus", "StepEvent"]


class StepEvent(StrEnum):
    """What the journal records of one revision in a run: the ``status`` of a journal row."""

    STARTED = "started"
    FINISHED = "finished"
    CLEANUP = "cleanup"  # an INVALID index a failed CREATE INDEX CONCURRENTLY left, dropped
    RESTORED = "restored"  # undone by restoring the run's snapshot


Connector = Callable[[], AbstractContextManager[sa.Connection]]

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


#: migsafe's own tables (in its schema on PostgreSQL; beside the user's tables on SQLite).
OWN_TABLES = ("migsafe_history", "migsafe_journal", "migsafe_reverse", own_schema.VERSION_TABLE)


@lru_cache(maxsize=8)
def history_table(schema: str | None) -> sa.Table:
    metadata = sa.MetaData(schema=schema)
    return sa.Table(
        "migsafe_history",
        metadata,
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("duration_s", sa.Float),
        sa.Column("os_user", sa.String(128)),
        sa.Column("db_user", sa.String(128)),
        sa.Column("host", sa.String(255)),
        sa.Column("pid", sa.Integer),
        sa.Column("from_revisions", _JSON),
        sa.Column("to_revisions", _JSON),
        sa.Column("at_revisions", _JSON),
        sa.Column("target", sa.String(255)),
        sa.Column("guard", sa.String(64)),
        sa.Column("plan", _JSON),
        sa.Column("failed_revision", sa.String(255)),
        sa.Column("error", sa.Text),
        sa.Column("reverts_run_id", sa.String(32)),
        sa.Column("reverted_by", sa.String(32)),
        sa.Column("attempts", sa.Integer),
        sa.Column("migsafe_version", sa.String(32)),
        sa.Column("snapshot_id", sa.String(64)),
        sa.Column("operations", _JSON),  # what each revision did: the ops Alembic ran
        sa.Index("ix_migsafe_history_started_at", "started_at"),
    )


@lru_cache(maxsize=8)
def journal_table(schema: str | None) -> sa.Table:
    """Non-transactional steps: started/finished, so a re-run after a crash knows."""
    metadata = sa.MetaData(schema=schema)
    return sa.Table(
        "migsafe_journal",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("revision", sa.String(255), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text),
    )


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return str(os.getuid())


class History:
    """Reads and writes the history table through its own engine (autocommit)."""

    def __init__(self, engine: sa.Engine, schema: str, connect: Connector | None = None) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._connect = connect
        self.sqlite = is_sqlite(engine.url)
        self.schema = None if self.sqlite else schema
        self.table = history_table(self.schema)
        self.journal = journal_table(self.schema)
        self.reverse = reverse_table(self.schema)

    @contextmanager
    def _conn(self) -> Iterator[sa.Connection]:
        """The run's auxiliary connection when there is one, else a short-lived one."""
        if self._connect is not None:
            with self._connect() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            yield conn

    # -- setup ------------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create migsafe's tables or bring them to this migsafe's shape (under the runner lock)."""
        if self._ensured:  # once per run: the shape cannot change under the lock
            return
        tables = {t.name: t for t in (self.table, self.journal, self.reverse)}
        with self._conn() as conn:
            own_schema.ensure(conn, tables, self.schema)
        self._ensured = True

    _ensured = False

    def exists(self, conn: sa.Connection | None = None) -> bool:
        def check(c: sa.Connection) -> bool:
            return sa.inspect(c).has_table("migsafe_history", schema=self.schema)

        if conn is not None:
            return check(conn)
        with self._conn() as c:
            return check(c)

    def recorded_version_table(self, conn: sa.Connection) -> tuple[str, str | None] | None:
        """The version table (name, schema) the newest run's plan names; None if none does.

        What env.py configured when that run ran, known without running env.py again.
        """
        if not self.exists(conn):
            return None
        # Only the two plan fields, not the whole plan document.
        row = conn.execute(
            sa.select(
                self.table.c.plan["version_table"].as_string(),
                self.table.c.plan["version_table_schema"].as_string(),
            )
            .order_by(self.table.c.started_at.desc(), self.table.c.run_id)
            .limit(1)
        ).first()
        if row is None or not row[0]:
            return None
        return str(row[0]), None if row[1] is None else str(row[1])

    def recorded_revisions(self, conn: sa.Connection) -> set[str]:
        """Every revision a recorded run started from, ended at or stepped through."""
        if not self.exists(conn):
            return set()
        t = self.table
        found: set[str] = set()
        query = sa.select(t.c.from_revisions, t.c.to_revisions, t.c.at_revisions, t.c.plan["steps"])
        for *lists, steps in conn.execute(query):
            for revisions in lists:
                found.update(str(r) for r in revisions or () if r)
            for step in steps or ():
                if isinstance(step, dict) and step.get("revision"):
                    found.add(str(step["revision"]))
        return found

    # -- writing ----------------------------------------------------------------------------
    def start(
        self,
        *,
        run_id: str,
        command: str,
        from_revisions: Sequence[str],
        target: str | None,
        guard: str,
        plan: dict[str, Any],
        db_user: str | None,
        version: str,
        reverts_run_id: str | None = None,
        snapshot_id: str | None = None,
    ) -> dt.datetime:
        started = now()
        with self._conn() as conn:
            conn.execute(
                self.table.insert().values(
                    run_id=run_id,
                    command=command,
                    status=RunStatus.RUNNING,
                    started_at=started,
                    os_user=whoami(),
                    db_user=db_user,
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    from_revisions=list(from_revisions),
                    target=target,
                    guard=guard,
                    plan=plan,
                    reverts_run_id=reverts_run_id,
                    migsafe_version=version,
                    snapshot_id=snapshot_id,
                )
            )
        return started

    def finish(
        self,
        run_id: str,
        *,
        status: RunStatus,
        started_at: dt.datetime,
        to_revisions: Sequence[str] | None = None,
        at_revisions: Sequence[str] | None = None,
        failed_revision: str | None = None,
        error: str | None = None,
        attempts: int | None = None,
        snapshot_id: str | None = None,
        operations: dict[str, Any] | None = None,
    ) -> None:
        finished = now()
        extra: dict[str, Any] = {"snapshot_id": snapshot_id} if snapshot_id is not None else {}
        if operations:
            extra["operations"] = operations
        with self._conn() as conn:
            conn.execute(
                self.table.update()
                .where(self.table.c.run_id == run_id)
                .values(
                    status=status,
                    finished_at=finished,
                    duration_s=(finished - started_at).total_seconds(),
                    to_revisions=list(to_revisions) if to_revisions is not None else None,
                    at_revisions=list(at_revisions) if at_revisions is not None else None,
                    failed_revision=failed_revision,
                    error=error,
                    attempts=attempts,
                    **extra,
                )
            )

    def mark_reverted(self, run_id: str, by_run_id: str) -> None:
        with self._conn() as conn:
            conn.execute(
                self.table.update()
                .where(self.table.c.run_id == run_id)
                .values(reverted_by=by_run_id)
            )

    def close_abandoned(self, at_revisions: Sequence[str]) -> list[str]:
        """Mark runs left 'running' by a dead process (we hold the lock, so none is live)."""
        with self._conn() as conn:
            rows = (
                conn.execute(
                    sa.select(self.table.c.run_id).where(self.table.c.status == RunStatus.RUNNING)
                )
                .scalars()
                .all()
            )
            for run_id in rows:
                conn.execute(
                    self.table.update()
                    .where(self.table.c.run_id == run_id)
                    .values(
                        status=RunStatus.INTERRUPTED,
                        at_revisions=list(at_revisions),
                        error="the process ended without finishing (killed or crashed); "
                        f"the next run found the database at {', '.join(at_revisions) or 'base'}",
                    )
                )
        return list(rows)

    def journal_write(
        self,
        run_id: str,
        revision: str,
        direction: Direction,
        status: StepEvent,
        detail: str | None = None,
    ) -> None:
        with self._conn() as conn:
            conn.execute(
                self.journal.insert().values(
                    run_id=run_id,
                    revision=revision,
                    direction=direction,
                    status=status,
                    at=now(),
                    detail=detail,
                )
            )

    def unfinished_journal(
        self, revision: str, direction: Direction
    ) -> list[tuple[str, str | None]]:
        """Journal entries of runs that started ``revision`` and never finished it."""
        j = self.journal
        with self._conn() as conn:
            if not sa.inspect(conn).has_table("migsafe_journal", schema=self.schema):
                return []
            rows = conn.execute(
                sa.select(j.c.run_id, j.c.status, j.c.detail)
                .where(j.c.revision == revision, j.c.direction == direction)
                .order_by(j.c.id)
            ).all()
        state: dict[str, tuple[str, str | None]] = {}
        for run_id, status, detail in rows:
            if status in (StepEvent.FINISHED, StepEvent.RESTORED):
                state.clear()  # completed later, or undone by a snapshot: settled
            state[run_id] = (status, detail)
        return [
            (rid, detail) for rid, (status, detail) in state.items() if status != StepEvent.FINISHED
        ]

    # -- reading ----------------------------------------------------------------------------
    def runs(self, *, limit: int | None = 50, with_plan: bool = False) -> list[Run]:
        with self._conn() as conn:
            if not self.exists(conn):
                return []
            query = sa.select(self.table).order_by(
                self.table.c.started_at.desc(), self.table.c.run_id
            )
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).mappings()
            return [run_from_row(dict(row), with_plan=with_plan) for row in rows]

    def find(self, prefix: str) -> Run | None:
        """The run whose id is or starts with ``prefix`` (with its plan), if exactly one."""
        with self._conn() as conn:
            if not self.exists(conn):
                return None
            rows = (
                conn.execute(
                    sa.select(self.table).where(self.table.c.run_id.startswith(prefix)).limit(2)
                )
                .mappings()
                .all()
            )
        return run_from_row(dict(rows[0]), with_plan=True) if len(rows) == 1 else None

    def journal_of(self, run_id: str) -> list[dict[str, Any]]:
        j = self.journal
        with self._conn() as conn:
            if not sa.inspect(conn).has_table("migsafe_journal", schema=self.schema):
                return []
            rows = (
                conn.execute(
                    sa.select(j.c.revision, j.c.direction, j.c.status, j.c.at, j.c.detail)
                    .where(j.c.run_id == run_id)
                    .order_by(j.c.id)
                )
                .mappings()
                .all()
            )
        return [{**row, "at": str(row["at"])} for row in rows]

    def get(self, run_id: str) -> Run | None:
        with self._conn() as conn:
            if not self.exists(conn):
                return None
            row = (
                conn.execute(sa.select(self.table).where(self.table.c.run_id == run_id))
                .mappings()
                .first()
            )
            return run_from_row(dict(row), with_plan=True) if row else None
