"""Turning a failed run into the one-line error, hint and exit code a user sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migsafe.db.dberrors import (
    is_connection_lost,
    is_lock_timeout,
    is_statement_timeout,
    row_conflict,
)
from migsafe.engine import interrupts
from migsafe.engine.guard import ConcurrentChange, Outcome, VerifyFailed
from migsafe.engine.plan import Plan
from migsafe.engine.runs import RunStatus
from migsafe.engine.session import Session
from migsafe.errors import MigrationFailed, MigrationNotRestored, ReverseMismatch
from migsafe.results import RunResult

if TYPE_CHECKING:
    from migsafe.engine.backup import Backup


def describe_error(exc: BaseException, session: Session) -> str:
    # A signal is the cause, whatever it broke on the way (a cancelled statement).
    signal_name = interrupts.received()
    if isinstance(exc, KeyboardInterrupt) or (signal_name and is_statement_timeout(exc)):
        return f"interrupted by {signal_name or 'SIGINT'}"
    if is_connection_lost(exc):
        return session.scrub(
            "the connection to the database was lost (server restarted or session "
            f"terminated): {_first_line(exc)}"
        )
    if isinstance(exc, VerifyFailed | ConcurrentChange):
        return session.scrub(str(exc))
    conflict = row_conflict(exc)  # a row restore found rows changed since the upgrade
    if conflict is not None:
        return session.scrub(f"revert conflict: {conflict}")
    text = session.scrub(_first_line(exc))
    if isinstance(exc, ReverseMismatch) and exc.fingerprints:
        # The history keeps the two hashes the message leaves out (for comparing with
        # `reverse show`'s schema_before, or with a snapshot's).
        recorded, found = exc.fingerprints
        suffix = f"; schema fingerprint {found[:12]}, recorded {recorded[:12]}"
        text = text[: 500 - len(suffix)] + suffix
    return text


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if orig is not None:
        lines = str(orig).strip().splitlines() or [""]
        text = f"{type(orig).__name__}: {lines[0]}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


def _rolled_back_hint(error: BaseException | None, plan: Plan, default: str | None = None) -> str:
    """What to do next, for the cause of a rolled-back run."""
    if error is None:
        return "`migsafe history` has the details"
    if isinstance(error, KeyboardInterrupt) or interrupts.received():
        return "the run was interrupted before it committed; run it again when ready"
    if is_connection_lost(error):
        return (
            "PostgreSQL rolled back the run's open transaction when its session ended; "
            "run again once the server is back (`migsafe status` shows where it is)"
        )
    if is_lock_timeout(error):
        return (
            f"another session held a conflicting lock longer than {plan.lock_timeout:g}s on "
            f"each of {plan.retries + 1} tries (see pg_stat_activity / pg_locks); run again "
            "when it is gone, or raise --lock-timeout / --retries"
        )
    if is_statement_timeout(error):
        return "a statement ran longer than --statement-timeout; raise it or make the step cheaper"
    if isinstance(error, VerifyFailed):
        return "a --verify check did not hold after the migrations; fix the migration or the check"
    if isinstance(error, ConcurrentChange):
        return "another tool changed the version table meanwhile; check `migsafe status`, run again"
    if row_conflict(error) is not None:
        return (
            "nothing was changed; revert with --on-conflict keep-current (leave the rows "
            "changed since as they are) or --on-conflict restore (put the before-images back)"
        )
    return default or "fix the migration and run again; `migsafe history` has the details"


def failure_error(
    result: RunResult,
    outcome: Outcome,
    *,
    backup: Backup | None = None,
    restore_note: str | None = None,
    default_hint: str | None = None,
) -> MigrationFailed:
    at = ", ".join(result.at_heads) or "base"
    where = f" at revision {result.failed_revision}" if result.failed_revision else ""
    verb = result.command
    if outcome.status == RunStatus.RESTORED:
        exc: MigrationFailed = MigrationFailed(
            f"{verb} failed{where}: {result.error}; {restore_note}: the database is back at "
            f"{at} as before (run {result.run_id})",
            hint="writes to those tables during the run are gone; fix the migration, run again",
            run_id=result.run_id,
            revision=result.failed_revision,
            at_revisions=result.at_heads,
        )
        exc.result = result
        return exc
    if outcome.status == RunStatus.ROLLED_BACK:
        exc = MigrationFailed(
            f"{verb} failed{where}: {result.error}; rolled back, the database is at {at} as "
            f"before (run {result.run_id})" + (f"; {restore_note}" if restore_note else ""),
            hint=_rolled_back_hint(outcome.error, result.plan, default_hint),
            run_id=result.run_id,
            revision=result.failed_revision,
            at_revisions=result.at_heads,
        )
    else:
        started = ", ".join(result.plan.from_heads) or "base"
        if set(result.at_heads) != set(result.plan.from_heads):
            state = (
                f"earlier steps were committed, the database is at {at}, not at {started} "
                "where it started"
            )
        else:
            state = (
                f"the database is at {at}, but {result.failed_revision or 'a step'} ran outside "
                "a transaction and may have left changes before it failed"
            )
        exc = MigrationNotRestored(
            f"{verb} failed{where}: {result.error}; {state} (run {result.run_id})"
            + (f"; {restore_note}" if restore_note else ""),
            hint=(
                f"`migsafe snapshot restore {backup.snapshot.id}` puts it back as it was"
                if backup is not None
                else "run `migsafe upgrade` again to continue from there (leftovers of the "
                "failed step are cleaned up), or `migsafe revert --to` to go back; "
                "--backup makes such a failure restorable"
            ),
            run_id=result.run_id,
            revision=result.failed_revision,
            at_revisions=result.at_heads,
        )
    exc.result = result
    return exc
