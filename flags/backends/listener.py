"""The background thread that keeps a client's flags in step with PostgreSQL.

It LISTENs on the flags channel and reloads on every notification; it also
checks every `poll_interval`, in case a notification was missed. Each read
takes the flags and the Alembic heads (for revision-bound flags); a new
snapshot is handed on when either changed. Heads are read only here, never on
an application thread. When the
connection fails it logs once, keeps the last known state, and reconnects with
a growing pause (capped at `poll_interval`, so a lost listener still polls).
Evaluation never waits for it: each new state is handed to `on_state` whole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from flags.backends.alembic_version import VersionTable
from flags.backends.base import Snapshot
from flags.backends.postgres import CHANNEL, CONNECT_TIMEOUT, load_snapshot

logger = logging.getLogger("flags")

APPLICATION_NAME = "migsafe-flags-listener"
"""`application_name` of listener connections, to find them in `pg_stat_activity`."""

_FIRST_PAUSE = 0.1
_WAKE = 0.25
"""At most this long between checks of the stop event, so that `stop()` is prompt."""

OnSnapshot = Callable[[Snapshot], None]


class Listener:
    """Follows one store's state on a daemon thread; `stop()` ends it."""

    def __init__(
        self,
        conninfo: str,
        schema: str,
        on_snapshot: OnSnapshot,
        *,
        poll_interval: float,
        last: Snapshot | None,
        version_table: VersionTable | None = None,
    ) -> None:
        self._conninfo = conninfo
        self._schema = schema
        self._on_snapshot = on_snapshot
        self._poll_interval = max(poll_interval, 0.01)
        self._version_table = version_table or VersionTable()
        self._last = None if last is None else (last.version, last.heads)
        self._stop = threading.Event()
        self._down = False
        self._pause = _FIRST_PAUSE
        self.reads = 0
        """How many times the state has been read; lets tests know a read happened."""
        self._thread = threading.Thread(target=self._run, name=APPLICATION_NAME, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Ask the thread to end and wait up to `timeout` seconds for it."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread.is_alive()

    @property
    def down(self) -> bool:
        """Whether the last attempt to reach the database failed."""
        return self._down

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception as exc:  # the thread must survive anything the database does
                self._went_down(exc)
            self._stop.wait(self._pause)
            self._pause = min(self._pause * 2, self._poll_interval)

    def _follow(self) -> None:
        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            application_name=APPLICATION_NAME,
            connect_timeout=CONNECT_TIMEOUT,
        ) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
            # Changes made while we were not listening have no notification left: read now.
            self._refresh(conn)
            self._came_back()
            self._pause = _FIRST_PAUSE
            next_poll = time.monotonic() + self._poll_interval
            while not self._stop.is_set():
                wait = min(_WAKE, max(next_poll - time.monotonic(), 0.0))
                notified = any(True for _ in conn.notifies(timeout=wait, stop_after=1))
                if notified or time.monotonic() >= next_poll:
                    self._refresh(conn)
                    next_poll = time.monotonic() + self._poll_interval

    def _refresh(self, conn: psycopg.Connection[Any]) -> None:
        snapshot = load_snapshot(conn, self._schema, self._version_table)
        key = (snapshot.version, snapshot.heads)
        if key != self._last:
            self._on_snapshot(snapshot)
            self._last = key
        self.reads += 1

    def _went_down(self, exc: BaseException) -> None:
        if not self._down:
            self._down = True
            logger.warning(
                "flags: lost the flags database (%s); keeping the last known flags and retrying",
                type(exc).__name__,
            )

    def _came_back(self) -> None:
        if self._down:
            self._down = False
            logger.info("flags: reconnected to the flags database")
