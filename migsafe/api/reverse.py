"""The stored reverse scripts and the data they keep: reverse show, archive list/prune."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from migsafe.api._common import not_blank, privileges_named
from migsafe.errors import UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from migsafe.engine.lock import LockWaitFn
    from migsafe.results import ReverseShow
    from migsafe.reverse.archive_retention import ArchiveList, ArchivePruneResult


@privileges_named
def reverse_show(settings: Settings, revision: str) -> ReverseShow:
    """Print the reverse SQL migsafe stored for REV when it applied it, for review."""
    not_blank(revision, "REV")
    from migsafe.engine.session import open_session
    from migsafe.results import ReverseShow
    from migsafe.reverse import store as reverse_store

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        with session.aux() as conn:
            rows = reverse_store.of_revision(conn, session.history.schema, revision)
            stored = reverse_store.revisions(conn, session.history.schema) if not rows else set()
        if not rows:
            close = difflib.get_close_matches(revision, sorted(stored), n=3, cutoff=0.6)
            raise UsageError(
                f"no reverse script is stored for revision {revision!r}",
                hint=(f"did you mean {' or '.join(close)}? " if close else "")
                + "reverse scripts are generated when migsafe applies a migration "
                "(`migsafe history` lists the runs)",
            )
        if len({r.revision for r in rows}) > 1:
            found = ", ".join(sorted({r.revision for r in rows}))
            raise UsageError(f"{revision!r} matches several revisions: {found}")
        return ReverseShow(database=session.database, rows=tuple(rows))
    finally:
        session.close()


@privileges_named
def archive_list(settings: Settings) -> ArchiveList:
    """List the data kept by reverse scripts (dropped columns and tables), oldest first."""
    from migsafe.engine.session import open_session
    from migsafe.reverse.archive_retention import list_archives

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        return list_archives(session)
    finally:
        session.close()


@privileges_named
def archive_prune(
    settings: Settings,
    *,
    older_than: float | None = None,
    dry_run: bool = False,
    on_lock_wait: LockWaitFn | None = None,
) -> ArchivePruneResult:
    """Drop archived data older than the retention window (default 7 days)."""
    from migsafe.engine import runner
    from migsafe.reverse.archive_retention import prune

    if older_than is not None and older_than < 0:
        raise UsageError("--older-than must not be negative")
    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            return prune(session, older_than=older_than, dry_run=True)
        with runner.lock(session, run_id, on_lock_wait):
            return prune(session, older_than=older_than, dry_run=False)
    finally:
        session.close()
