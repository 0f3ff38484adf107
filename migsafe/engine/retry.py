"""Retrying a transaction that met a lock timeout: the backoff, and the decision the guard
makes for every transactional segment (Alembic's steps or direct ones)."""

from __future__ import annotations

import random
from collections.abc import Callable

from migsafe.db.dberrors import is_lock_timeout
from migsafe.engine.events import Progress, ProgressFn


def backoff_delay(tries: int, base: float = 0.5, ceiling: float = 10.0) -> float:
    """Seconds to wait before try ``tries + 1`` after a lock timeout: doubling, capped, with
    jitter so that runners that collided do not collide again."""
    delay: float = base * (2 ** (tries - 1))
    return min(delay, ceiling) * (0.75 + random.random() * 0.5)


def retry_after_lock_timeout(
    exc: BaseException,
    tries: int,
    retries: int,
    *,
    progress: ProgressFn,
    sleep: Callable[[float], None],
    revision: str | None = None,
    base: float = 0.5,
    ceiling: float = 10.0,
) -> bool:
    """Whether the transaction that raised *exc* is run again: a lock timeout, and retries
    left. Reports the retry and waits the backoff before returning True."""
    if not is_lock_timeout(exc) or tries > retries:
        return False
    delay = backoff_delay(tries, base, ceiling)
    progress(
        Progress(
            "retry",
            revision=revision,
            attempt=tries + 1,
            elapsed=delay,
            message=f"lock timeout; retrying the transaction in {delay:.1f}s",
        )
    )
    sleep(delay)
    return True
