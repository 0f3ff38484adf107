"""`FlagClient`: what application code holds to ask whether a feature is on.

A client wraps an immutable `Engine` and, when backed by a database, a
`Listener` thread that builds a new engine on each change and swaps it in with
one attribute assignment; so `is_enabled` never locks, never does I/O and never
raises. When the database is unreachable the client keeps the last engine it
had (empty, so every flag gives the caller's default, if it never had one).
After `fork()` the child starts its own listener: the parent's thread does not
survive the fork and its connection must not be shared.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flags.backends.listener import Listener
from flags.backends.postgres import DEFAULT_SCHEMA, PostgresStore, empty_document
from flags.evaluate import Context, Engine
from flags.model import ClientFeatures
from flags.variant import DISABLED, Variant

if TYPE_CHECKING:
    from flags.backends.unleash import UnleashSource

logger = logging.getLogger("flags")


class FlagClient:
    """Answers `is_enabled` and `get_variant` from the latest known flag definitions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._store: PostgresStore | None = None
        self._poll_interval = 5.0
        self._version: int | None = None
        self._listener: Listener | UnleashSource | None = None
        self._closed = False

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_features(cls, state: Mapping[str, object] | ClientFeatures) -> FlagClient:
        """A client over a fixed client-features document (bootstrap, offline use, tests)."""
        return cls(Engine(state))

    @classmethod
    def from_database(
        cls, url: str, *, schema: str = DEFAULT_SCHEMA, poll_interval: float = 5.0
    ) -> FlagClient:
        """A client following the flags in PostgreSQL at `url` (a libpq or SQLAlchemy URL).

        Loads once here, the only I/O on the caller's thread; if that fails the
        client starts with no flags, logs once, and keeps trying in the background.
        """
        client = cls(Engine(empty_document()))
        client._store = PostgresStore(url, schema)
        client._poll_interval = poll_interval
        try:
            version, document = client._store.load()
        except Exception as exc:  # start-up must not break the host app either
            logger.warning(
                "flags: could not load flags at start-up (%s); every flag gives its default "
                "until the database answers",
                type(exc).__name__,
            )
        else:
            client._install(version, document)
        client._start_listener()
        _after_fork.add(client)
        return client

    @classmethod
    def from_unleash(
        cls,
        url: str,
        token: str,
        app_name: str,
        *,
        bootstrap: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> FlagClient:
        """A client following the flags of an Unleash server; `url` is its API URL (`.../api`).

        `UnleashClient` (the `unleash` extra) registers and fetches once here, the
        only I/O on the caller's thread, then polls in the background
        (`refresh_interval=`, 15 s by default); every document it fetches becomes
        a new engine. Until the first fetch succeeds the client answers from
        `bootstrap` (a client-features document), or with defaults. Other
        `options` go to `UnleashClient`. See docs/flags-unleash.md.
        """
        from flags.backends.unleash import UnleashSource  # UnleashClient is optional

        client = cls(Engine(empty_document() if bootstrap is None else bootstrap))
        source = UnleashSource(
            url, token, app_name, client._install, bootstrap=bootstrap, **options
        )
        client._listener = source
        source.start()
        return client

    # ------------------------------------------------------------------ evaluation

    def is_enabled(self, name: str, context: Context | None = None, default: bool = False) -> bool:
        """Whether feature `name` is on for `context`; `default` if unknown. Never raises."""
        try:
            return self._engine.is_enabled(name, context, default)
        except Exception:
            return default

    def get_variant(self, name: str, context: Context | None = None) -> Variant:
        """The variant of `name` for `context`; the disabled variant if none. Never raises."""
        try:
            return self._engine.get_variant(name, context)
        except Exception:
            return DISABLED

    @property
    def engine(self) -> Engine:
        """The engine answering right now."""
        return self._engine

    @property
    def version(self) -> int | None:
        """The state version of the flags in use; None if never loaded from a database."""
        return self._version

    @property
    def reads(self) -> int:
        """How many times the background listener has read the database so far."""
        return 0 if self._listener is None else self._listener.reads

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Stop following the database; the client keeps answering from its last state."""
        self._closed = True
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    async def aclose(self) -> None:
        """`close()` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    def __enter__(self) -> FlagClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _install(self, version: int, document: dict[str, Any]) -> None:
        engine = Engine(document)
        # One assignment: readers see the old engine or the new one, never a mix.
        self._engine = engine
        self._version = version

    def _start_listener(self) -> None:
        if self._store is None or self._closed:
            return
        self._listener = Listener(
            self._store.conninfo,
            self._store.schema,
            self._install,
            poll_interval=self._poll_interval,
            version=self._version,
        )
        self._listener.start()

    def _restart_in_child(self) -> None:
        # The parent's thread is gone here and its socket belongs to the parent:
        # drop both without touching them, and follow the database afresh.
        self._listener = None
        self._start_listener()


class _Clients:
    """The database clients of this process, restarted in a forked child."""

    def __init__(self) -> None:
        self._clients: weakref.WeakSet[FlagClient] = weakref.WeakSet()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._restart)

    def add(self, client: FlagClient) -> None:
        self._clients.add(client)

    def _restart(self) -> None:
        for client in list(self._clients):
            try:
                client._restart_in_child()
            except Exception:
                logger.warning("flags: could not restart a flag listener after fork", exc_info=True)


_after_fork = _Clients()
