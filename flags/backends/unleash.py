"""Flags from an Unleash server: fetched by the official SDK, evaluated by our engine.

`UnleashClient` (6.x) does the talking to the server: registration, polling with
ETags and retries. Every features document it fetches
goes into its cache, under `FEATURES_URL`, before its own engine reads it back;
that cache is a documented seam (`cache=`, a `BaseCache`). `DocumentCache` is
such a cache, in memory, that also hands each new document to a callback; the
callback builds a `flags.evaluate.Engine` and swaps it in, so evaluation has
our semantics and speed and never crosses the SDK's FFI. The same cache tells
whether the server answered: after every fetch the SDK stores the new document
or the ETag of a 304, then reads the document back; a fetch that stored neither
failed. That is how the client knows it is answering from last known flags.

What the SDK cannot do for us here: it never sees our evaluations, so it reports
no usage metrics and emits no impression events (metrics are off by default).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from UnleashClient.cache import BaseCache
from UnleashClient.clients.unleash_client import UnleashClient
from UnleashClient.constants import ETAG, FEATURES_URL
from UnleashClient.utils import InstanceAllowType

logger = logging.getLogger("flags")

OnDocument = Callable[[int, dict[str, Any]], None]
"""Called with a revision (1, 2, ... per document received) and the parsed document."""

RESERVED_OPTIONS = frozenset({"url", "app_name", "cache"})
"""`UnleashClient` arguments that `UnleashSource` sets itself."""


class DocumentCache(BaseCache):
    """UnleashClient's cache, kept in memory, that passes each fetched document on.

    A document that is not a JSON object is logged and dropped: the flags in use
    stay as they were. The SDK calls `set` and `get` from its scheduler thread
    (or, for the first fetch, from the thread that starts it), one fetch at a
    time; `_lock` keeps revisions in order all the same.
    """

    def __init__(self, on_document: OnDocument, bootstrap: Mapping[str, Any] | None = None):
        self._values: dict[str, Any] = {}
        self._on_document = on_document
        self._lock = threading.Lock()
        self.revision = 0
        """How many documents have been handed on so far."""
        self.down = False
        """Whether the last fetch failed (watched only after `watch()`)."""
        self._watching = False
        self._answered = False
        if bootstrap is not None:
            # What the SDK's own engine loads at construction (e.g. to compare with ours).
            self._values[FEATURES_URL] = json.dumps(bootstrap)
            self.bootstrapped = True

    def after_fork(self) -> None:
        """In a forked child: a fresh lock, since a parent's thread may have held this one."""
        self._lock = threading.Lock()

    def watch(self) -> None:
        """From now on, judge each fetch; before, reads are the SDK loading a bootstrap."""
        self._watching = True

    def set(self, key: str, value: Any) -> None:
        self._values[key] = value
        if key in (FEATURES_URL, ETAG) and value:
            self._answered = True
        if key == FEATURES_URL:
            self._hand_on(value)

    def mset(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            self.set(key, value)

    def get(self, key: str, default: Any | None = None) -> Any:
        if key == FEATURES_URL and self._watching:
            self._fetch_done()
        return self._values.get(key, default)

    def exists(self, key: str) -> bool:
        return key in self._values

    def destroy(self) -> None:
        # The last document stays: a client that is closed keeps answering from it.
        pass

    def _fetch_done(self) -> None:
        answered, self._answered = self._answered, False
        if answered and self.down:
            self.down = False
            logger.info("flags: the Unleash server answers again")
        elif not answered and not self.down:
            self.down = True
            logger.warning(
                "flags: the Unleash server did not answer; keeping the last known flags "
                "and retrying (UnleashClient logs each failed fetch)"
            )

    def _hand_on(self, raw: object) -> None:
        try:
            document = json.loads(raw) if isinstance(raw, str | bytes) else raw
            if not isinstance(document, dict):
                raise ValueError(f"expected a JSON object, got {type(document).__name__}")
            with self._lock:
                self._on_document(self.revision + 1, document)
                self.revision += 1
        except Exception as exc:  # the SDK's thread must not die of a bad document
            logger.warning(
                "flags: ignored a features document from Unleash (%s: %s); "
                "keeping the last known flags",
                type(exc).__name__,
                exc,
            )


class UnleashSource:
    """Follows one Unleash server through `UnleashClient`; `stop()` ends it.

    `url` is the server's API URL (`https://unleash.example.com/api`), `token` a
    backend (client) API token; `options` go to `UnleashClient` unchanged
    (`refresh_interval`, `request_timeout`, `instance_id`, `custom_headers`...).
    """

    def __init__(
        self,
        url: str,
        token: str,
        app_name: str,
        on_document: OnDocument,
        **options: Any,
    ) -> None:
        clash = RESERVED_OPTIONS.intersection(options)
        if clash:
            raise TypeError(f"UnleashSource sets {', '.join(sorted(clash))} itself")
        headers = {**(options.pop("custom_headers", None) or {}), "Authorization": token}
        options.setdefault("disable_metrics", True)  # it would only ever send empty buckets
        self._settings: dict[str, Any] = {
            "url": url,
            "app_name": app_name,
            "custom_headers": headers,
            **options,
        }
        self.cache = DocumentCache(on_document)
        self._sdk = UnleashClient(cache=self.cache, **self._settings)
        self._stopped = False
        _after_fork.add(self)

    @property
    def down(self) -> bool:
        """Whether the server failed to answer the last fetch: flags are the last known."""
        return self.cache.down

    @property
    def reads(self) -> int:
        """How many features documents have been received so far."""
        return self.cache.revision

    def start(self) -> None:
        """Register and fetch once on this thread, then poll in the background.

        Never raises: a server that is down leaves the bootstrap (or no flags)
        in place until it answers; a client that cannot start at all (say, a
        malformed URL) logs why and keeps whatever flags it had.
        """
        self.cache.watch()
        if not _initialize(self._sdk, self._settings["url"]):
            self.cache.down = True

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop polling; waits for a fetch in flight. `timeout` is unused (the SDK has none)."""
        self._stopped = True
        if not self._sdk.is_initialized:  # never started, or could not start: nothing runs
            return
        try:
            self._sdk.destroy()
        except Exception:
            logger.warning("flags: error while stopping the Unleash client", exc_info=True)

    def restart_in_child(self) -> None:
        """After `fork()`: a new SDK client, started on a thread so that fork stays quick."""
        if self._stopped:
            return
        # The parent's scheduler thread did not survive the fork: drop its client
        # untouched (destroying it would wait for that thread) and start afresh.
        self.cache.after_fork()
        self._sdk = UnleashClient(
            cache=self.cache,
            **{**self._settings, "multiple_instance_mode": InstanceAllowType.SILENTLY_ALLOW},
        )
        threading.Thread(
            target=self._start_in_child, args=(self._sdk,), name="flags-unleash-start", daemon=True
        ).start()

    def _start_in_child(self, sdk: UnleashClient) -> None:
        _initialize(sdk, self._settings["url"])
        if self._stopped:  # closed while it was starting
            self.stop()


def _without_credentials(text: str, url: str) -> str:
    """*text* (the URL, or an error quoting it) with the URL's `user:password@` as `***@`."""
    userinfo = urlsplit(url).netloc.rpartition("@")[0]
    return text.replace(f"{userinfo}@", "***@") if userinfo else text


def _initialize(sdk: UnleashClient, url: str) -> bool:
    """Start `sdk`; False (logged) if it could not start at all."""
    try:
        sdk.initialize_client()
        return True
    except Exception as exc:
        logger.error(
            "flags: could not start the Unleash client for %s (%s: %s); "
            "flags keep their bootstrap or default values",
            _without_credentials(url, url),
            type(exc).__name__,
            _without_credentials(str(exc), url),
        )
        return False


class _Sources:
    """The Unleash sources of this process, restarted in a forked child."""

    def __init__(self) -> None:
        self._sources: weakref.WeakSet[UnleashSource] = weakref.WeakSet()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._restart)

    def add(self, source: UnleashSource) -> None:
        self._sources.add(source)

    def _restart(self) -> None:
        for source in list(self._sources):
            try:
                source.restart_in_child()
            except Exception:
                logger.warning(
                    "flags: could not restart an Unleash client after fork", exc_info=True
                )


_after_fork = _Sources()
