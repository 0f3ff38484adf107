"""Revert through the reverse scripts stored at apply time: the default way back.

Which revisions to undo is read from the stored rows, not from the migration files, so a
checkout that no longer has the newer revisions can still go back. The rows chain by heads:
walking back from the current heads, each row's ``heads_after`` must be where the database is
and its ``heads_before`` is where undoing it leads. The reverse SQL runs in one transaction
under the guard's timeouts and retries; the version table is set to the heads before; the
schema must then match the fingerprint recorded before the upgrade, or everything rolls back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from migsafe import __version__
from migsafe.engine import history as hist
from migsafe.engine import reverse_store as store
from migsafe.engine.dberrors import is_lock_timeout
from migsafe.engine.events import Progress, ProgressFn
from migsafe.engine.failures import describe_error
from migsafe.engine.guard import ConcurrentChange, backoff_delay, set_timeouts
from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.revert import last_revertible_run
from migsafe.engine.runner import fingerprint_scope, plan_limits
from migsafe.engine.session import Session
from migsafe.engine.verify import run_checks
from migsafe.engine.versions import VersionTable
from migsafe.errors import MigrationFailed, ReverseMismatch, UsageError
from migsafe.results import RunResult
from migsafe.reverse._sql import run_verbatim


@dataclass(frozen=True)
class StoredRevert:
    """What a revert through stored reverses will undo."""

    rows: tuple[store.StoredReverse, ...]  # in the order they run: newest first
    to_heads: tuple[str, ...]
    reverts_run_id: str | None  # set when the whole of one run is undone

    @property
    def expected_schema(self) -> str | None:
        return self.rows[-1].schema_before


def select(session: Session, to: str | None, steps: int | None) -> StoredRevert | str | None:
    """The stored reverses that take the database where asked, why they cannot, or None when
    none are stored for where the database is (reverse generation off, or migrations applied
    by another tool): then downgrade() is the way, as with Alembic."""
    with session.aux() as conn:
        rows = store.applied(conn, session.history.schema)
    chain = _chain(rows, session.heads)
    if not chain:
        return None
    if steps is not None:
        if len(chain) < steps:
            return f"only {len(chain)} revision(s) have stored reverse scripts, not {steps}"
        picked = chain[:steps]
    elif to is not None:
        picked_or_reason = _down_to(chain, to)
        if isinstance(picked_or_reason, str):
            return picked_or_reason
        picked = picked_or_reason
    else:
        last = last_revertible_run(session)
        if last is None:
            raise UsageError(
                "no run to revert: the history has no successful upgrade that is not reverted yet",
                hint="use --to REV or --steps N to go down explicitly",
            )
        if set(last.to_revisions) != set(session.heads):
            raise UsageError(
                f"the last run ({last.run_id}) left the database at "
                f"{', '.join(last.to_revisions) or 'base'}, but it is now at "
                f"{', '.join(session.heads) or 'base'}; something else changed it",
                hint="use --to REV to choose the target explicitly",
            )
        picked = []
        for row in chain:
            if row.run_id != last.run_id:
                break
            picked.append(row)
        if not picked:
            return f"the last run ({last.run_id}) has no stored reverse scripts"
        if set(picked[-1].heads_before) != set(last.from_revisions):
            return f"the stored reverses of run {last.run_id} do not lead back to where it started"
    problems = [_unusable(session, row) for row in picked]
    reasons = [p for p in problems if p]
    if reasons:
        return "; ".join(reasons)
    whole_run = to is None and steps is None
    return StoredRevert(
        rows=tuple(picked),
        to_heads=tuple(sorted(picked[-1].heads_before)),
        reverts_run_id=picked[0].run_id if whole_run else None,
    )


def read_heads_directly(session: Session) -> bool:
    """Read the heads from the version table the newest run recorded in its plan, without
    running env.py; False when there is no such run (then env.py must tell)."""
    table = session.history.table
    with session.aux() as aux:
        if not session.history.exists(aux):
            return False
        # Only the two plan fields, not the whole plan document.
        row = aux.execute(
            sa.select(
                table.c.plan["version_table"].as_string(),
                table.c.plan["version_table_schema"].as_string(),
            )
            .order_by(table.c.started_at.desc(), table.c.run_id)
            .limit(1)
        ).first()
    if row is None or not row[0]:
        return False
    session.versions = VersionTable(session.engine, str(row[0]), row[1])
    session.heads = session.versions.read(session.conn)
    if session.conn.in_transaction():
        session.conn.rollback()
    return True


def _chain(rows: Sequence[store.StoredReverse], heads: Sequence[str]) -> list[store.StoredReverse]:
    """Stored rows that lead back from *heads*, newest first, as far as they connect."""
    out: list[store.StoredReverse] = []
    at = set(heads)
    remaining = list(rows)
    while remaining:
        # The newest row that left the database where it is now.
        match = next((r for r in reversed(remaining) if set(r.heads_after) == at), None)
        if match is None:
            break
        out.append(match)
        remaining.remove(match)
        at = set(match.heads_before)
    return out


def _down_to(chain: list[store.StoredReverse], to: str) -> list[store.StoredReverse] | str:
    wanted: set[str] | None = set() if to == "base" else None
    picked: list[store.StoredReverse] = []
    for row in chain:
        picked.append(row)
        before = set(row.heads_before)
        if wanted is not None and before == wanted:
            return picked
        if wanted is None and len(before) == 1 and next(iter(before)).startswith(to):
            return picked
    return f"the stored reverse scripts do not lead down to {to}"


def _unusable(session: Session, row: store.StoredReverse) -> str | None:
    if row.source == store.DOWNGRADE:
        # Its own downgrade() stood in when it was applied (tested then in a savepoint): it
        # runs for this revision alone, in the same transaction as the stored reverses.
        if _downgrade_of(session, row.revision) is None:
            return (
                f"{row.revision} is undone by its own downgrade(), and this checkout does not "
                "have its file"
            )
        return None
    if row.source != store.GENERATED:
        why = "; ".join(row.irreversible) or row.source
        return f"{row.revision} has no generated reverse ({why})"
    if row.archives_pruned_at is not None:
        return (
            f"the data kept when {row.revision} was applied was pruned on "
            f"{row.archives_pruned_at:%Y-%m-%d}, so its reverse would not bring it back"
        )
    return None


def _downgrade_of(session: Session, revision: str) -> Callable[[], Any] | None:
    """The revision's own downgrade() from this checkout's files, if it has one."""
    try:
        script = session.project.script.get_revision(revision)
        # The file is imported here if it was read as source only: one that cannot be
        # imported has no downgrade() to offer either.
        fn = getattr(getattr(script, "module", None), "downgrade", None)
    except Exception:  # unknown, or an ambiguous/garbled revision map: not available here
        return None
    if not callable(fn) or script is None:
        return None
    from migsafe.engine.analysis import analyse_file

    # One that leaves the transaction (autocommit_block(), COMMIT) cannot run inside the
    # revert's: it would commit half of it.
    return fn if analyse_file(script.path, script.module).downgrade.transactional else None


def _run_downgrade(conn: sa.Connection, session: Session, revision: str) -> None:
    """Run *revision*'s downgrade() on *conn*, inside the revert's transaction, through an
    ``alembic.op`` bound to it (the version table is set by the revert, not here)."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    downgrade = _downgrade_of(session, revision)
    assert downgrade is not None, "checked when the revert was chosen"
    context = MigrationContext.configure(connection=conn)
    with Operations.context(context):
        downgrade()


def make_plan(session: Session, chosen: StoredRevert, target: str) -> Plan:
    steps = tuple(
        PlanStep(
            revision=row.revision,
            direction="downgrade",
            down_revisions=tuple(row.heads_before),
            message=(
                f"generated reverse, stored by run {row.run_id}"
                if row.source == store.GENERATED
                else "its own downgrade() (tested in a savepoint when it was applied)"
            ),
            path="",
            transactional=True,
            warnings=tuple(row.caveats),
            sql="\n".join(row.sql) if row.source == store.GENERATED else None,
        )
        for row in chosen.rows
    )
    own = [row.revision for row in chosen.rows if row.source == store.DOWNGRADE]
    notes = ["reverse scripts generated when the migrations were applied"]
    if own:
        notes.append(
            f"{', '.join(own)}: irreversible steps, undone by their own downgrade() in the same "
            "transaction"
        )
    if chosen.expected_schema is None:
        notes.append("no schema fingerprint was recorded before the oldest step: not compared")
    else:
        notes.append("the schema must match the fingerprint recorded before the upgrade")
    back = [a for row in chosen.rows for a in row.archives if a.get("when") != "revert"]
    kept = [a for row in chosen.rows for a in row.archives if a.get("when") == "revert"]
    if back:
        notes.append(f"{len(back)} column(s)/table(s) kept by the upgrade are put back")
    if kept:
        notes.append(
            f"{len(kept)} column(s)/table(s) the upgrade added are moved to the archive schema, "
            "not destroyed (`migsafe archive list`)"
        )
    return Plan(
        command="revert",
        direction="downgrade",
        database=session.database,
        target=target,
        from_heads=tuple(sorted(session.heads)),
        to_heads=chosen.to_heads,
        steps=steps,
        **plan_limits(session),
        warnings=tuple(f"{s.revision}: {w}" for s in steps for w in s.warnings),
        notes=tuple(notes),
    )


def run(
    session: Session,
    plan: Plan,
    chosen: StoredRevert,
    run_id: str,
    progress: ProgressFn | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """Run the stored reverses in one guarded transaction; raise if that fails."""
    report = progress or (lambda _event: None)
    history = session.history
    history.ensure()
    history.close_abandoned(plan.from_heads)
    started = history.start(
        run_id=run_id,
        command="revert",
        from_revisions=plan.from_heads,
        target=plan.target,
        guard=plan.guard,
        plan=plan.to_dict(),
        db_user=session.url.username,
        version=__version__,
        reverts_run_id=chosen.reverts_run_id,
    )
    t0 = time.monotonic()
    attempts = 0
    current: list[str] = []
    seconds: dict[str, float] = {}
    error: BaseException | None = None
    while True:
        attempts += 1
        try:
            with _sqlite_foreign_keys_off(session.conn):
                _in_transaction(
                    session.conn, session, plan, chosen, run_id, report, current, seconds
                )
            break
        except BaseException as exc:
            if is_lock_timeout(exc) and attempts <= plan.retries:
                delay = backoff_delay(attempts)
                report(Progress("retry", attempt=attempts + 1, elapsed=delay))
                sleep(delay)
                continue
            error = exc
            break
    # After a commit the heads are the plan's; after a failure, read them beside the (possibly
    # broken) migration connection.
    at = chosen.to_heads if error is None else session.versions.read_fresh()
    status = hist.SUCCEEDED if error is None else hist.ROLLED_BACK
    text = describe_error(error, session) if error is not None else None
    if isinstance(error, KeyboardInterrupt):
        status = hist.INTERRUPTED
    history.finish(
        run_id,
        status=status,
        started_at=started,
        to_revisions=at if error is None else None,
        at_revisions=at,
        failed_revision=current[-1] if error is not None and current else None,
        error=text,
        attempts=attempts,
    )
    result = RunResult(
        run_id=run_id,
        command="revert",
        status=status,
        plan=plan,
        at_heads=at,
        duration_s=time.monotonic() - t0,
        attempts=attempts,
        failed_revision=current[-1] if error is not None and current else None,
        error=text,
        step_seconds=seconds,
        reverted_run_id=chosen.reverts_run_id,
    )
    if error is None:
        if chosen.reverts_run_id is not None:
            history.mark_reverted(chosen.reverts_run_id, run_id)
        return result
    if isinstance(error, KeyboardInterrupt):
        raise error
    where = f" at revision {result.failed_revision}" if result.failed_revision else ""
    at_text = ", ".join(at) or "base"
    if isinstance(error, ReverseMismatch):
        error.message = f"{error.message}; rolled back, the database is at {at_text} (run {run_id})"
        raise error
    failed = MigrationFailed(
        f"revert failed{where}: {text}; rolled back, the database is at {at_text} as before "
        f"(run {run_id})",
        hint="`migsafe reverse show REV` prints the reverse SQL; --use-downgrade or "
        "--from-snapshot are the other ways back",
        run_id=run_id,
        revision=result.failed_revision,
        at_revisions=at,
    )
    failed.result = result
    raise failed from error


@contextlib.contextmanager
def _sqlite_foreign_keys_off(conn: sa.Connection) -> Iterator[None]:
    """SQLite reverses rename and rebuild tables: with ``foreign_keys`` on, a rename would
    rewrite other tables' references and a DROP would cascade. The setting only changes
    outside a transaction, so it is switched on the driver's connection, and back after."""
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    on = bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])
    if on:
        raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if on and not conn.in_transaction():
            raw.execute("PRAGMA foreign_keys = ON")


def _in_transaction(
    conn: sa.Connection,
    session: Session,
    plan: Plan,
    chosen: StoredRevert,
    run_id: str,
    report: ProgressFn,
    current: list[str],
    seconds: dict[str, float],
) -> None:
    trans = conn.begin()
    try:
        set_timeouts(conn, plan.lock_timeout, plan.statement_timeout, local=True)
        heads = session.versions.read(conn)
        if set(heads) != set(plan.from_heads):
            raise ConcurrentChange(
                f"the database is at {', '.join(heads) or 'base'}, not at "
                f"{', '.join(plan.from_heads) or 'base'} as planned; something else migrated it"
            )
        for row in chosen.rows:
            current.append(row.revision)
            report(Progress("step_start", revision=row.revision))
            t = time.monotonic()
            if row.source == store.DOWNGRADE:
                _run_downgrade(conn, session, row.revision)
            for statement in row.sql:
                run_verbatim(conn, statement)
            seconds[row.revision] = time.monotonic() - t
            report(Progress("step_done", revision=row.revision, elapsed=seconds[row.revision]))
        session.versions.write(conn, chosen.to_heads)
        expected = chosen.expected_schema
        if expected is not None:
            got = fingerprint_scope(session).schema(conn)
            if got != expected:
                raise ReverseMismatch(
                    "revert ran, but the schema it left is not the one recorded before the "
                    f"upgrade (fingerprint {got[:12]} instead of {expected[:12]})",
                    hint="something changed the schema outside the migrations since; "
                    "--use-downgrade or --from-snapshot are the other ways back",
                )
        if plan.verify:
            run_checks(conn, plan.verify, report)
        store.mark_reverted(
            conn, session.history.schema, [r.id for r in chosen.rows if r.id is not None], run_id
        )
        trans.commit()
        report(Progress("commit"))
    except BaseException:
        with contextlib.suppress(Exception):
            trans.rollback()
        if current:
            report(Progress("rollback", revision=current[-1]))
        raise
