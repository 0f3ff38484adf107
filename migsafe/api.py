"""One function per command. The CLI parses options, calls one of these, renders the result."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

from migsafe.engine import interrupts
from migsafe.errors import ConfirmationRequired, IrreversibleStep, MigsafeError, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from alembic.runtime.migration import RevisionStep

    from migsafe.engine.archives import ArchiveList, ArchivePruneResult
    from migsafe.engine.events import ProgressFn
    from migsafe.engine.lock import LockWaitFn
    from migsafe.engine.plan import Plan
    from migsafe.engine.session import Session
    from migsafe.results import HistoryResult, ReverseShow, RunResult, StatusResult
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.results import (
        PruneOutcome,
        RestoreOutcome,
        SnapshotList,
        VerifyOutcome,
    )

ConfirmFn = Callable[["Plan"], bool]

# Engine modules are imported inside the functions: `migsafe status` must answer in well under
# a second, and importing Alembic and SQLAlchemy alone costs ~0.3 s.

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _privileges_named(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """A privilege the URL's role lacks (SQLSTATE 42501), wherever a command meets it before
    it changed anything (the version table, migsafe's schema, CREATE DATABASE), becomes one
    line naming the privilege and the object (exit 3) rather than a driver's traceback. A
    failed migration is the guard's to report (exit 4) and is passed on as it is."""

    @functools.wraps(fn)
    def named(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except MigsafeError:
            raise
        except Exception as exc:
            from migsafe.engine.dberrors import privilege_error  # imports psycopg

            settings = args[0] if args and isinstance(args[0], Settings) else None
            denied = privilege_error(exc, _role(settings))
            if denied is None:
                raise
            raise denied from exc

    return named


def _not_blank(value: str | None, option: str, *, hint: str | None = None) -> None:
    """An empty revision or run id is a usage error: Alembic reads ``''`` as a prefix of every
    revision, or as "one step down", which is never what was meant."""
    if value is not None and not value.strip():
        raise UsageError(
            f"{option} is empty",
            hint=hint
            or "give a revision id (or a unique prefix of one), head or base; `migsafe status` "
            "lists them",
        )


def _role(settings: Settings | None) -> str | None:
    """The user name of the settings' URL, when it names one."""
    if settings is None or not settings.database_url:
        return None
    try:
        user = urlsplit(settings.database_url).username
    except ValueError:
        return None
    return unquote(user) if user else None


@_privileges_named
def upgrade(
    settings: Settings,
    target: str = "head",
    *,
    dry_run: bool = False,
    backup: str | None = None,
    on_failure: str = "restore",
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
    snapshot_progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Apply pending migrations up to TARGET inside the transactional guard."""
    _not_blank(target, "TARGET")
    if backup not in (None, "full", "tables"):
        raise UsageError(f"--backup must be 'full' or 'tables', not {backup!r}")
    if on_failure not in ("restore", "stop"):
        raise UsageError(f"--on-failure must be 'restore' or 'stop', not {on_failure!r}")
    from migsafe.engine import runner
    from migsafe.engine.project import upgrade_steps

    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            steps = upgrade_steps(session.project, target, session.heads)
            plan = runner.make_plan(session, "upgrade", "upgrade", target, steps)
            try:
                plan = runner.refuse_irreversible(plan, session, backup=backup is not None)
            except IrreversibleStep as exc:
                from dataclasses import replace

                plan = replace(plan, warnings=(*plan.warnings, f"would be refused: {exc.message}"))
            if backup is not None:
                from migsafe.snapshots.operations import describe_backup

                plan = describe_backup(session, plan, steps, mode=backup)
            return runner.dry_run(session, plan, steps)

        def planner(s: Session) -> tuple[Plan, list[RevisionStep]]:
            planned = upgrade_steps(s.project, target, s.heads)
            plan = runner.make_plan(s, "upgrade", "upgrade", target, planned)
            return runner.refuse_irreversible(plan, s, backup=backup is not None), planned

        with runner.lock(session, run_id, on_lock_wait):
            if backup is not None:
                # The snapshot comes first, before the migration asks for any lock, and it
                # needs the plan to know which tables to hold.
                from dataclasses import replace

                from migsafe.snapshots.operations import backup_for

                session.reprobe()
                plan, steps = planner(session)
                with interrupts.during("taking the --backup snapshot (pg_dump)"):
                    plan, guard, _ = backup_for(
                        session, plan, steps, mode=backup, run_id=run_id, progress=snapshot_progress
                    )
                guard = replace(guard, on_failure=on_failure) if guard is not None else None
                return runner.execute(session, plan, steps, run_id, progress, backup=guard)
            if session.is_sqlite:
                # SQLite: plan before the write transaction, so that the history row can be
                # written (a second connection cannot write while the migration's is open).
                session.reprobe()
                plan, steps = planner(session)
                return runner.execute(session, plan, steps, run_id, progress)
            return runner.execute(session, None, [], run_id, progress, planner=planner)
    finally:
        session.close()


@_privileges_named
def revert(
    settings: Settings,
    *,
    to: str | None = None,
    steps: int | None = None,
    run: str | None = None,
    from_heads: tuple[str, ...] | None = None,
    fill: tuple[str, ...] = (),
    dry_run: bool = False,
    yes: bool = False,
    use_downgrade: bool = False,
    confirm: ConfirmFn | None = None,
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RunResult:
    """Undo the last run (or --run RUN_ID), or go down to --to REV / by --steps N, with the
    reverse scripts generated at apply time (--use-downgrade: the migrations' own downgrade())."""

    if to is not None and steps is not None:
        raise UsageError("--to and --steps cannot be used together")
    if run is not None and (to is not None or steps is not None):
        raise UsageError("--run undoes one whole run: it cannot be used with --to or --steps")
    if steps is not None and steps < 1:
        raise UsageError("--steps must be 1 or more")
    _not_blank(to, "--to")
    _not_blank(run, "--run", hint="give a run id (or a unique prefix) from `migsafe history`")
    if from_heads is not None and not all(from_heads):
        raise UsageError("--from-heads takes revision ids, comma-separated (or 'base')")
    from migsafe.engine import revert_fill, revert_flow, runner
    from migsafe.engine.revert_stored import read_heads_directly

    request = revert_flow.RevertRequest(
        to=to,
        steps=steps,
        run=run,
        from_heads=tuple(h for h in from_heads if h != "base") if from_heads else from_heads,
        fills=revert_fill.parse_option(fill),
        use_downgrade=use_downgrade,
    )
    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            chosen = revert_flow.choose(session, request, probed=True, dry_run=True)
            if chosen.nothing is not None:
                return revert_flow.nothing_result(chosen)
            if chosen.stored is not None:
                return runner.dry_run_stored(session, chosen.plan)
            return runner.dry_run(session, chosen.plan, chosen.steps)
        with runner.lock(session, run_id, on_lock_wait):
            # The stored path needs no env.py: heads from the version table the last run
            # recorded. Otherwise (or for downgrade() steps) env.py tells, as before.
            probed = not read_heads_directly(session)
            if probed:
                session.reprobe()
            chosen = revert_flow.choose(session, request, probed=probed)
            if chosen.nothing is not None:
                return revert_flow.nothing_result(chosen)
            _confirm(chosen.plan, yes, confirm)
            return revert_flow.execute(session, chosen, run_id, progress)
    finally:
        session.close()


def _confirm(plan: Plan, yes: bool, confirm: ConfirmFn | None) -> None:
    if not plan.steps or yes:
        return
    if confirm is None:
        raise ConfirmationRequired(
            "revert needs confirmation", hint="review the plan with --dry-run, then pass --yes"
        )
    if not confirm(plan):
        raise ConfirmationRequired("revert cancelled; nothing changed")


@_privileges_named
def status(settings: Settings) -> StatusResult:
    """Show the current revision(s), pending migrations and the last run."""
    from migsafe.engine.quickstatus import quick_status

    fast = quick_status(settings)
    if fast is not None:
        return fast
    from migsafe.engine.status import read_status

    return read_status(settings)


@_privileges_named
def history(settings: Settings, *, limit: int = 20, run_id: str | None = None) -> HistoryResult:
    """List past runs, newest first; with RUN_ID, that run's plan and journal."""
    if limit < 1:
        raise UsageError(
            f"-n/--limit must be 1 or more, got {limit}",
            hint="`migsafe history -n 50` lists the 50 newest runs",
        )
    from migsafe.engine.session import open_session
    from migsafe.results import HistoryResult

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        if run_id is None:
            runs = session.history.runs(limit=limit)
            return HistoryResult(database=session.database, runs=tuple(runs))
        run = session.history.find(run_id)
        if run is None:
            raise UsageError(
                f"no run {run_id!r} in the history", hint="`migsafe history` lists them"
            )
        journal = session.history.journal_of(run.run_id)
        return HistoryResult(database=session.database, runs=(run,), journal=tuple(journal))
    finally:
        session.close()


@_privileges_named
def revert_from_snapshot(
    settings: Settings,
    snapshot_id: str,
    *,
    yes: bool = False,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RestoreOutcome:
    """Go back to a snapshot: restore it, which also restores its Alembic revision."""
    from migsafe.snapshots.operations import restore_snapshot

    return restore_snapshot(
        settings,
        snapshot_id,
        into=None,
        yes=yes,
        force=force,
        confirm=confirm,
        command="revert",
        on_lock_wait=on_lock_wait,
    )


@_privileges_named
def snapshot_list(settings: Settings) -> SnapshotList:
    """List the snapshots in the store, newest first."""
    from migsafe.snapshots.operations import list_snapshots

    return list_snapshots(settings)


@_privileges_named
def snapshot_show(settings: Settings, snapshot_id: str) -> Snapshot:
    """Show one snapshot's catalog entry."""
    from migsafe.snapshots.operations import store_of

    return store_of(settings).get(snapshot_id)


@_privileges_named
def snapshot_create(
    settings: Settings,
    *,
    mode: str = "full",
    tables: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> Snapshot:
    """Take a snapshot now (pg_dump, or SQLite's backup API), verify it and register it."""
    from migsafe.snapshots.operations import create

    return create(settings, mode=mode, tables=tables, progress=progress, on_lock_wait=on_lock_wait)


@_privileges_named
def snapshot_verify(
    settings: Settings, snapshot_id: str, *, restore: bool = False
) -> VerifyOutcome:
    """Check a snapshot's checksum and contents; with restore, also restore and compare."""
    from migsafe.snapshots.operations import verify_snapshot

    return verify_snapshot(settings, snapshot_id, restore=restore)


@_privileges_named
def snapshot_restore(
    settings: Settings,
    snapshot_id: str,
    *,
    into: str | None = None,
    yes: bool = False,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    on_lock_wait: LockWaitFn | None = None,
    allow_other_database: bool = False,
) -> RestoreOutcome:
    """Restore a snapshot in place (writes made after it are lost) or --into a new database."""
    _not_blank(into, "--into", hint="name the new database to restore into")
    from migsafe.snapshots.operations import restore_snapshot

    return restore_snapshot(
        settings,
        snapshot_id,
        into=into,
        yes=yes,
        force=force,
        confirm=confirm,
        on_lock_wait=on_lock_wait,
        allow_other_database=allow_other_database,
    )


@_privileges_named
def snapshot_prune(
    settings: Settings,
    *,
    keep: int | None = None,
    max_age_s: float | None = None,
    dry_run: bool = False,
) -> PruneOutcome:
    """Delete old snapshots; never the newest verified one of each database."""
    from migsafe.snapshots.operations import prune_snapshots

    return prune_snapshots(settings, keep=keep, max_age_s=max_age_s, dry_run=dry_run)


@_privileges_named
def reverse_show(settings: Settings, revision: str) -> ReverseShow:
    """Print the reverse SQL migsafe stored for REV when it applied it, for review."""
    _not_blank(revision, "REV")
    from migsafe.engine import reverse_store
    from migsafe.engine.session import open_session
    from migsafe.results import ReverseShow

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


@_privileges_named
def archive_list(settings: Settings) -> ArchiveList:
    """List the data kept by reverse scripts (dropped columns and tables), oldest first."""
    from migsafe.engine.archives import list_archives
    from migsafe.engine.session import open_session

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        return list_archives(session)
    finally:
        session.close()


@_privileges_named
def archive_prune(
    settings: Settings,
    *,
    older_than: float | None = None,
    dry_run: bool = False,
    on_lock_wait: LockWaitFn | None = None,
) -> ArchivePruneResult:
    """Drop archived data older than the retention window (default 7 days)."""
    from migsafe.engine import runner
    from migsafe.engine.archives import prune

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
