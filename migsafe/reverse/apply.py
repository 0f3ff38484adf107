"""Running operations the way the runner will: reverse first, archive, then the operation.

This is the reference for wiring the generator into the apply path, and what the tests use.
It follows the :class:`~migsafe.reverse.model.Reverse` contract to the letter, including the
recursion through ``replace_with`` and, on SQLite, ``finish`` right after the operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

from migsafe.errors import NotReversibleError
from migsafe.reverse import archive as pg_archive
from migsafe.reverse.generate import DEFAULT_ARCHIVE_SCHEMA, reverse_of
from migsafe.reverse.model import AnyArchive, Reverse
from migsafe.reverse.sqlite import archive as sqlite_archive
from migsafe.reverse.sqlite.model import SqliteColumnArchive, SqliteTableArchive


def apply_reversibly(
    op: MigrateOperation,
    operations: Operations,
    *,
    archive_schema: str = DEFAULT_ARCHIVE_SCHEMA,
    run: Callable[[MigrateOperation], Any] | None = None,
) -> list[Reverse]:
    """Run *op* and return the reverses of everything that ran, in the order it ran.

    *run* executes one operation (default ``operations.invoke``); a runner that hooks
    ``invoke`` itself passes the un-hooked call here, so replacements are not hooked twice.
    """
    execute = run or operations.invoke
    conn = operations.get_bind()
    rev = reverse_of(op, conn, archive_schema=archive_schema)
    for action in rev.archive:
        keep(action, conn)
    if rev.replace_with is None:
        execute(op)
        if rev.finish is not None:
            rev = rev.finish(conn)
        return [rev]
    done = [rev]
    for sub in rev.replace_with:
        done += apply_reversibly(sub, operations, archive_schema=archive_schema, run=run)
    return done


def keep(action: AnyArchive, conn: sa.Connection) -> None:
    """Run one archive action, of either dialect, on *conn*."""
    if isinstance(action, SqliteColumnArchive | SqliteTableArchive):
        sqlite_archive.archive(action, conn)
    else:
        pg_archive.archive(action, conn)


def keep_sql(action: AnyArchive) -> list[str]:
    """The statements :func:`keep` runs, for the plan."""
    if isinstance(action, SqliteColumnArchive | SqliteTableArchive):
        return sqlite_archive.archive_sql(action)
    return pg_archive.archive_sql(action)


def undo(reverses: Sequence[Reverse], operations: Operations) -> None:
    """Run the reverse scripts of *reverses* (as returned by :func:`apply_reversibly`), last
    first. Refuses before running anything if one of them is irreversible."""
    refused = [r.irreversible for r in reverses if r.irreversible]
    if refused:
        raise NotReversibleError(
            "no generated reverse: " + "; ".join(refused),
            hint="revert from the snapshot taken before the upgrade",
        )
    for op in reverse_script(reverses):
        operations.invoke(op)


def reverse_script(reverses: Iterable[Reverse]) -> list[MigrateOperation]:
    """All reverse operations, in the order that undoes the forward run."""
    return [op for rev in reversed(list(reverses)) for op in rev.ops]
