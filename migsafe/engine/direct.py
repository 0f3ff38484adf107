"""Steps migsafe applies itself, on the migration's connection, without env.py.

The guard runs two kinds of step. An Alembic revision is handed to Alembic inside an env.py
run (``Guard._run_env``). A :class:`DirectStep` is applied by migsafe: a stored revert is a
plan of these, each undoing one revision with the SQL stored when it was applied (or its own
``downgrade()``), in one guarded transaction. Both kinds share everything else the guard
does: the transaction and its timeouts, the check that the heads did not move, the retry on a
lock timeout, ``--verify``, the COMMIT under a held signal, the history row and the result.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class DirectStep:
    """One revision's step, applied on the connection inside the guard's transaction."""

    revision: str
    apply: Callable[[sa.Connection], None]


def _nothing(_conn: sa.Connection) -> None:
    return None


def _no_context(_conn: sa.Connection) -> AbstractContextManager[None]:
    return nullcontext()


@dataclass(frozen=True)
class DirectRun:
    """A plan's steps of the direct kind, in order, and where they leave the database.

    ``before_commit`` runs after the version table is set, before ``--verify`` and the
    COMMIT (a revert checks the schema there); ``around_attempt`` wraps each try, outside
    its transaction (SQLite's foreign-key switch, which only changes outside one).
    """

    steps: tuple[DirectStep, ...]
    to_heads: tuple[str, ...]
    before_commit: Callable[[sa.Connection], None] = _nothing
    around_attempt: Callable[[sa.Connection], AbstractContextManager[None]] = _no_context
    failure_hint: str | None = None  # what to try when a step fails (and no better cause)
