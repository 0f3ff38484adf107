"""Migrations on asyncpg, through a synchronous SQLAlchemy connection.

An ``env.py`` that builds an ``asyncpg`` engine expects its migrations to run on asyncpg: its
``$1`` parameters, its literal ``%`` in ``exec_driver_sql``. migsafe drives Alembic
synchronously, so it needs a sync ``Connection`` whose DBAPI is asyncpg. SQLAlchemy's own
adapter (``AsyncAdapt_asyncpg_connection``) is that, but every call it makes waits through
``await_()``, which hands the coroutine to the parent of the current greenlet: normally the
``greenlet_spawn()`` of an ``AsyncConnection.run_sync()``, awaiting it in the running event
loop.

That design cannot hold the guard. The stock ``alembic init -t async`` env.py calls
``asyncio.run()`` itself, which refuses to start inside a running loop, so migsafe cannot run
env.py inside its own ``run_sync()``; and inside env.py's loop, the greenlet asking is env.py's
own, so its loop would await a connection that belongs to another loop. And the guard's
transaction outlives every env.py run (it is begun before and committed after).

So the connection lives on an event loop of its own, in a thread of its own (:class:`Bridge`),
and every DBAPI call SQLAlchemy makes on it (execute, fetch, commit, rollback, close...) runs
in a fresh greenlet whose parent is a small synchronous driver: it sends each coroutine to that
loop and blocks until it is done. That works from any thread and inside any greenlet, env.py's
included, and needs no running loop in the caller. The adapter is SQLAlchemy's, selected with
``create_engine(module=...)`` (the documented way to give a dialect another DBAPI module);
nothing global is patched.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from greenlet import getcurrent, greenlet
from sqlalchemy.dialects.postgresql.asyncpg import (
    AsyncAdapt_asyncpg_connection,
    AsyncAdapt_asyncpg_cursor,
    AsyncAdapt_asyncpg_dbapi,
    AsyncAdapt_asyncpg_ss_cursor,
)
from sqlalchemy.util.concurrency import await_

T = TypeVar("T")

_CHAR_OID = 18  # pg_catalog."char"

# A cancelled statement is given this long to let asyncpg cancel it on the server, so that
# the rollback after it finds the connection free.
_CANCEL_WAIT = 10.0


class _BridgeGreenlet(greenlet):  # type: ignore[misc]
    # What SQLAlchemy's await_() checks: this greenlet's parent takes the awaitables.
    __sqlalchemy_greenlet_provider__ = True

    def __init__(self, fn: Callable[..., Any], driver: greenlet) -> None:
        super().__init__(fn, driver)
        if hasattr(driver, "gr_context"):
            self.gr_context = driver.gr_context


class Bridge:
    """An event loop in a daemon thread, and a synchronous way into it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="migsafe-asyncpg", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def wait(self, awaitable: Awaitable[T]) -> T:
        """Run *awaitable* on the loop; block the calling thread until it is done."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("the asyncpg bridge cannot wait from its own loop")
        future = asyncio.run_coroutine_threadsafe(_awaited(awaitable), self.loop)
        try:
            return future.result()
        except BaseException:
            if not future.done():  # interrupted (Ctrl-C, SIGTERM): stop the statement too
                future.cancel()
                concurrent.futures.wait([future], timeout=_CANCEL_WAIT)
            raise

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the synchronous *fn*; each ``await_()`` inside it is run on the loop."""
        child = _BridgeGreenlet(fn, getcurrent())
        result = child.switch(*args, **kwargs)
        while not child.dead:
            try:
                value = self.wait(result)
            except BaseException:
                result = child.throw(*sys.exc_info())
            else:
                result = child.switch(value)
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


class _Cursor(AsyncAdapt_asyncpg_cursor):
    def _bridge(self) -> Bridge:
        return self._adapt_connection._migsafe_bridge  # type: ignore[attr-defined,no-any-return]

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._bridge().call(super().execute, operation, parameters)
        self._char_as_text()

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._bridge().call(super().executemany, operation, seq_of_parameters)

    def _char_as_text(self) -> None:
        """PostgreSQL's one-byte ``"char"`` (relkind, contype, typtype...) as ``str``.

        asyncpg returns it as ``bytes`` (and its codec cannot be overridden), psycopg as
        ``str``; migsafe's own catalog queries in the migration's transaction (reverse
        scripts, fingerprints) read these columns.
        """
        description = self._description
        if not description:
            return
        chars = [i for i, column in enumerate(description) if column[1] == _CHAR_OID]
        if not chars:
            return
        self._rows = collections.deque(_decoded(row, chars) for row in self._rows)


def _decoded(row: Any, positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        if isinstance(values[i], bytes):
            # An empty "char" (attgenerated, attidentity of a plain column) is one NUL byte:
            # psycopg reads it as '', and so must this, or it reads as set.
            values[i] = values[i].decode("ascii", "replace").rstrip("\x00")
    return tuple(values)


class _ServerSideCursor(AsyncAdapt_asyncpg_ss_cursor):
    def _bridge(self) -> Bridge:
        return self._adapt_connection._migsafe_bridge  # type: ignore[attr-defined,no-any-return]

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._bridge().call(super().execute, operation, parameters)

    def fetchone(self) -> Any:
        return self._bridge().call(super().fetchone)

    def fetchmany(self, size: int | None = None) -> Any:
        return self._bridge().call(super().fetchmany, size)

    def fetchall(self) -> Any:
        return self._bridge().call(super().fetchall)


class _Connection(AsyncAdapt_asyncpg_connection):
    _cursor_cls = _Cursor
    _ss_cursor_cls = _ServerSideCursor
    _migsafe_bridge: Bridge

    def ping(self) -> None:
        self._migsafe_bridge.call(super().ping)

    def set_isolation_level(self, level: Any) -> None:
        self._migsafe_bridge.call(super().set_isolation_level, level)

    def rollback(self) -> None:
        self._migsafe_bridge.call(super().rollback)

    def commit(self) -> None:
        self._migsafe_bridge.call(super().commit)

    def close(self) -> None:
        self._migsafe_bridge.call(super().close)

    def terminate(self) -> None:
        # The adapter's terminate() shields a coroutine on the caller's loop; there is none.
        try:
            self._migsafe_bridge.wait(asyncio.wait_for(self._terminate_graceful_close(), 2))
        except Exception:
            self._migsafe_bridge.loop.call_soon_threadsafe(self._terminate_force_close)


class _DBAPI(AsyncAdapt_asyncpg_dbapi):
    """SQLAlchemy's asyncpg DBAPI adapter, whose connections wait through a :class:`Bridge`."""

    def __init__(self, asyncpg: Any, bridge: Bridge) -> None:
        super().__init__(asyncpg)  # type: ignore[no-untyped-call]
        self.bridge = bridge

    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        creator_fn = kw.pop("async_creator_fn", self.asyncpg.connect)
        cache_size = kw.pop("prepared_statement_cache_size", 100)
        name_func = kw.pop("prepared_statement_name_func", None)

        def open_() -> _Connection:
            return await_(
                _Connection.create(
                    self,
                    creator_fn(*arg, **kw),
                    prepared_statement_cache_size=cache_size,
                    prepared_statement_name_func=name_func,
                )
            )

        conn = self.bridge.call(open_)
        conn._migsafe_bridge = self.bridge
        return conn


def create_asyncpg_engine(url: sa.URL, **kwargs: Any) -> sa.Engine:
    """A synchronous engine whose connections are asyncpg ones, each call bridged."""
    import asyncpg

    bridge = Bridge()
    engine = sa.create_engine(url, module=_DBAPI(asyncpg, bridge), **kwargs)
    engine._migsafe_bridge = bridge  # type: ignore[attr-defined]
    return engine


def bridge_of(engine: sa.Engine) -> Bridge | None:
    """The bridge of an engine :func:`create_asyncpg_engine` made; None for any other."""
    return getattr(engine, "_migsafe_bridge", None)
