"""`FlagClient`: what application code holds to ask whether a feature is on.

A client holds one immutable `FlagState` (an `Engine` plus where its
definitions came from) and, when backed by a database, a `Listener` thread
that builds a new state on each change (of the flags, or of the Alembic heads
that revision-bound flags depend on) and swaps it in with one attribute
assignment; so `is_enabled` never locks, never does I/O and never raises.
Which layer decides an answer (kill switch, revision gate, live, last known,
bootstrap, default) is laid out in `flags.layers`. When the database is
unreachable the client keeps the last state it had (the bootstrap document, or
nothing, so every flag gives the caller's default, if it never had one).
After `fork()` the child starts its own listener: the parent's thread does not
survive the fork and its connection must not be shared.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flags.backends.alembic_version import VersionTable
from flags.backends.base import Snapshot
from flags.backends.listener import Listener
from flags.backends.postgres import DEFAULT_SCHEMA, PostgresStore, empty_document
from flags.bootstrap import Bootstrap, load_bootstrap
from flags.evaluate import Context, Engine
from flags.layers import Decision, FlagState, Origin, decide
from flags.model import ClientFeatures
from flags.revisions import ExactHeads, RevisionRule, revision_gate, rule_for
from flags.variant import DISABLED, Variant

if TYPE_CHECKING:
    from alembic.config import Config

    from flags.backends.unleash import UnleashSource

logger = logging.getLogger("flags")

PathLike = str | os.PathLike[str]


class FlagClient:
    """Answers `is_enabled` and `get_variant` from the latest known flag definitions."""

    def __init__(self, engine: Engine, origin: Origin = Origin.SOURCE) -> None:
        self._state = FlagState(engine, origin)
        self._rule: RevisionRule = ExactHeads()
        self._store: PostgresStore | None = None
        self._poll_interval = 5.0
        self._last: Snapshot | None = None
        self._listener: Listener | UnleashSource | None = None
        self._closed = False

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_features(
        cls,
        state: Mapping[str, object] | ClientFeatures,
        *,
        heads: Iterable[str] | None = None,
        alembic_config: PathLike | Config | None = None,
        script_location: PathLike | None = None,
    ) -> FlagClient:
        """A client over a fixed client-features document (bootstrap, offline use, tests).

        Revision-bound flags are judged against `heads` (the revisions the
        database is at; None: unknown, so they are off), with the app's script
        directory if one is given (see `from_database`).
        """
        rule = rule_for(alembic_config, script_location)
        known = None if heads is None else frozenset(heads)
        client = cls(Engine(state, gate=revision_gate(known, rule)))
        client._rule = rule
        client._state = FlagState(client._state.engine, Origin.SOURCE, heads=known)
        return client

    @classmethod
    def from_database(
        cls,
        url: str,
        *,
        schema: str = DEFAULT_SCHEMA,
        poll_interval: float = 5.0,
        alembic_config: PathLike | Config | None = None,
        script_location: PathLike | None = None,
        version_table: str = "alembic_version",
        version_table_schema: str | None = None,
        bootstrap: Bootstrap | None = None,
    ) -> FlagClient:
        """A client following the flags in PostgreSQL at `url` (a libpq or SQLAlchemy URL).

        Revision-bound flags are on only where their revision is applied: one of
        the heads in `version_table` (in `version_table_schema`, default: the
        connection's search path), or an ancestor of one according to the app's
        Alembic scripts, named by `alembic_config` (an alembic.ini path or a
        `Config`) or `script_location`. With neither, a requirement is met only
        by an exact head. Until the database first answers, the client answers
        from `bootstrap` (a client-features document or a JSON file's path).

        Reads the bootstrap file, the scripts and the database once here, the only
        I/O on the caller's thread; if the database fails the client logs once
        and keeps trying in the background. Raises `FlagConfigError` or
        `FlagDefinitionError` only for a bad bootstrap or Alembic setting.
        """
        rule = rule_for(alembic_config, script_location)
        if bootstrap is None:
            client = cls(Engine(empty_document()), Origin.NOTHING)
        else:
            client = cls(
                Engine(load_bootstrap(bootstrap), gate=revision_gate(None, rule)),
                Origin.BOOTSTRAP,
            )
        client._rule = rule
        client._store = PostgresStore(
            url, schema, version_table=VersionTable(version_table, version_table_schema)
        )
        client._poll_interval = poll_interval
        try:
            snapshot = client._store.snapshot()
        except Exception as exc:  # start-up must not break the host app either
            logger.warning(
                "flags: could not load flags at start-up (%s); every flag gives its %s "
                "until the database answers",
                type(exc).__name__,
                "default" if bootstrap is None else "bootstrap value",
            )
        else:
            client._install_snapshot(snapshot)
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
        bootstrap: Bootstrap | None = None,
        **options: Any,
    ) -> FlagClient:
        """A client following the flags of an Unleash server; `url` is its API URL (`.../api`).

        `UnleashClient` (the `unleash` extra) registers and fetches once here, the
        only I/O on the caller's thread, then polls in the background
        (`refresh_interval=`, 15 s by default); every document it fetches becomes
        a new engine. Until the first fetch succeeds the client answers from
        `bootstrap` (a client-features document or a JSON file's path), or with
        defaults. Other `options` go to `UnleashClient`. See docs/flags-unleash.md.
        """
        from flags.backends.unleash import UnleashSource  # UnleashClient is optional

        if bootstrap is None:
            client = cls(Engine(empty_document()), Origin.NOTHING)
        else:
            # An Unleash server has no Alembic heads to give: a revision-bound flag in the
            # bootstrap is held off (fail closed), as every document fetched later is.
            client = cls(
                Engine(load_bootstrap(bootstrap), gate=revision_gate(None, ExactHeads())),
                Origin.BOOTSTRAP,
            )
        source = UnleashSource(url, token, app_name, client._install, **options)
        client._listener = source
        source.start()
        return client

    # ------------------------------------------------------------------ evaluation

    def is_enabled(self, name: str, context: Context | None = None, default: bool = False) -> bool:
        """Whether feature `name` is on for `context`; `default` if unknown. Never raises."""
        try:
            return self._state.engine.is_enabled(name, context, default)
        except Exception:
            return default

    def get_variant(self, name: str, context: Context | None = None) -> Variant:
        """The variant of `name` for `context`; the disabled variant if none. Never raises."""
        try:
            return self._state.engine.get_variant(name, context)
        except Exception:
            return DISABLED

    def explain(self, name: str, context: Context | None = None, default: bool = False) -> Decision:
        """`is_enabled`'s answer, its variant and the layer that decided it. Never raises."""
        return decide(self._state, name, context, default, stale=self.stale)

    @property
    def engine(self) -> Engine:
        """The engine answering right now."""
        return self._state.engine

    @property
    def state(self) -> FlagState:
        """Everything the client is answering from right now."""
        return self._state

    @property
    def version(self) -> int | None:
        """The state version of the flags in use; None if never loaded from a database."""
        return self._state.version

    @property
    def heads(self) -> frozenset[str] | None:
        """The Alembic heads revision-bound flags are judged by; None if unknown."""
        return self._state.heads

    @property
    def stale(self) -> bool:
        """Whether the backend was unreachable at the last attempt (answers are last known)."""
        return bool(getattr(self._listener, "down", False))

    @property
    def closed(self) -> bool:
        """Whether `close()` was called (the client still answers, from its last state)."""
        return self._closed

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

    async def __aenter__(self) -> FlagClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _install(self, version: int, document: dict[str, Any]) -> None:
        # A document source without Alembic heads (e.g. an Unleash server): keep the heads known.
        heads = self._state.heads
        engine = Engine(document, gate=revision_gate(heads, self._rule))
        # One assignment: readers see the old state or the new one, never a mix.
        self._state = FlagState(engine, Origin.SOURCE, version, heads)

    def _install_snapshot(self, snapshot: Snapshot) -> None:
        engine = Engine(snapshot.document, gate=revision_gate(snapshot.heads, self._rule))
        self._state = FlagState(engine, Origin.SOURCE, snapshot.version, snapshot.heads)
        self._last = snapshot

    def _start_listener(self) -> None:
        if self._store is None or self._closed:
            return
        self._listener = Listener(
            self._store.conninfo,
            self._store.schema,
            self._install_snapshot,
            poll_interval=self._poll_interval,
            last=self._last,
            version_table=self._store.version_table,
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
