"""The runner lock: two migsafe runs never change the same database at once.

PostgreSQL: a session-level advisory lock on a connection of its own, taken by polling
``pg_try_advisory_lock``. A blocking ``pg_advisory_lock`` would wait inside the server, where it
can deadlock with ``CREATE INDEX CONCURRENTLY`` (which waits for every open transaction,
including one stuck waiting for a lock). A session lock dies with its session, so a killed
runner never leaves the database locked. The holder is named through ``application_name``.

SQLite: an exclusive ``flock`` on a file beside the database, released by the kernel when the
process dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa

from migsafe.db.connection import connect, create_engine, is_sqlite
from migsafe.engine import interrupts
from migsafe.errors import LockNotAcquiredError

# Advisory lock key: "migsafe" packed into one bigint; advisory locks are per database.
LOCK_KEY = int.from_bytes(b"migsafe\x01", "big") - (1 << 63)
_APP_PREFIX = "migsafe-runner"


@dataclass(frozen=True)
class Holder:
    """Who holds the runner lock, as far as the server can tell."""

    run_id: str | None
    host: str | None
    pid: int | None
    since: str | None

    def describe(self) -> str:
        parts = [
            f"run {self.run_id}" if self.run_id else "another session",
            f"on {self.host}" if self.host else None,
            f"pid {self.pid}" if self.pid else None,
            f"since {self.since}" if self.since else None,
        ]
        return ", ".join(p for p in parts if p)


LockWaitFn = Callable[[Holder], None]


def lock_engine(url: sa.URL, run_id: str) -> sa.Engine:
    """An engine whose sessions name their run, so a waiting runner can name the holder."""
    app = f"{_APP_PREFIX} run={run_id} pid={os.getpid()} host={socket.gethostname()}"
    return create_engine(url, application_name=app)


class RunnerLock:
    """Context manager that holds the runner lock for one run."""

    def __init__(
        self,
        url: sa.URL,
        *,
        run_id: str,
        wait: float,
        on_wait: Callable[[Holder], None] | None = None,
        describe_holder: Callable[[Holder], Holder] | None = None,
        connection: sa.Connection | None = None,
    ) -> None:
        self.url = url
        self._given = connection
        self.run_id = run_id
        self.wait = wait
        self.on_wait = on_wait
        self.describe_holder = describe_holder
        self._conn: sa.Connection | None = None
        self._engine: sa.Engine | None = None
        self._fd: int | None = None

    @property
    def connection(self) -> sa.Connection | None:
        """The lock's own connection (PostgreSQL), in autocommit; None for SQLite."""
        return self._conn

    def __enter__(self) -> RunnerLock:
        with interrupts.during("waiting for the runner lock"):
            return self._enter()

    def _enter(self) -> RunnerLock:
        if is_sqlite(self.url):
            self._acquire_file()
        else:
            self._acquire_advisory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    # -- PostgreSQL -------------------------------------------------------------------------
    def _acquire_advisory(self) -> None:
        if self._given is not None:
            conn = self._given
        else:
            self._engine = lock_engine(self.url, self.run_id)
            conn = connect(self._engine)
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        self._conn = conn
        deadline = time.monotonic() + self.wait
        announced = False
        while True:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            if got:
                return
            holder = self._holder(conn)
            if time.monotonic() >= deadline:
                self.release()
                raise LockNotAcquiredError(
                    f"another migsafe run holds the lock on this database: {holder.describe()}",
                    hint="wait for it to finish, or raise --lock-wait; a dead runner's lock is "
                    "freed with its session",
                )
            if not announced and self.on_wait is not None:
                self.on_wait(holder)
                announced = True
            time.sleep(min(0.25 + random.random() * 0.25, max(deadline - time.monotonic(), 0.01)))

    def _holder(self, conn: sa.Connection) -> Holder:
        row = conn.execute(
            sa.text(
                "SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1 "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"hi": (LOCK_KEY >> 32) & 0xFFFFFFFF, "lo": LOCK_KEY & 0xFFFFFFFF},
        ).first()
        if row is None:
            return Holder(None, None, None, None)
        fields = _parse_app(row.application_name or "")
        holder = Holder(
            run_id=fields.get("run"),
            host=fields.get("host"),
            pid=int(fields["pid"]) if fields.get("pid", "").isdigit() else None,
            since=row.backend_start.isoformat(timespec="seconds") if row.backend_start else None,
        )
        if self.describe_holder is not None:
            try:
                return self.describe_holder(holder)
            except Exception:  # the history may not exist yet; the server's view is enough
                return holder
        return holder

    # -- SQLite -----------------------------------------------------------------------------
    def _lock_path(self) -> Path | None:
        database = self.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return Path(database).with_name(Path(database).name + ".migsafe-lock")

    def _acquire_file(self) -> None:
        import fcntl

        path = self._lock_path()
        if path is None:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_file_holder(fd)
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockNotAcquiredError(
                        f"another migsafe run holds the lock on this database: {holder.describe()}",
                        hint="wait for it to finish, or raise --lock-wait",
                    ) from None
                if not announced and self.on_wait is not None:
                    self.on_wait(holder)
                    announced = True
                time.sleep(0.1 + random.random() * 0.1)
        info = {
            "run_id": self.run_id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._conn is not None:
            # Closing the session releases the lock anyway.
            with contextlib.suppress(Exception):
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            engine = self._conn.engine
            self._conn.close()
            self._conn = None
            if self._given is not None:
                engine.dispose()
                self._given = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._fd is not None:
            import fcntl

            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _parse_app(name: str) -> dict[str, str]:
    if not name.startswith(_APP_PREFIX):
        return {}
    out: dict[str, str] = {}
    for part in name[len(_APP_PREFIX) :].split():
        key, _, value = part.partition("=")
        out[key] = value
    return out


def _read_file_holder(fd: int) -> Holder:
    try:
        data: dict[str, Any] = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        data = {}
    return Holder(data.get("run_id"), data.get("host"), data.get("pid"), data.get("since"))
