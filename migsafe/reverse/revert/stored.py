"""Revert through what was stored at apply time: the default way back, chosen per revision.

Which revisions to undo is read from the stored rows, not from the migration files, so a
checkout that no longer has the newer revisions can still go back. The rows chain by heads:
walking back from the current heads, each row's ``heads_after`` must be where the database is
and its ``heads_before`` is where undoing it leads.

Each revision is then undone the best way it can be: its generated reverse when that is
usable; else its own ``downgrade()`` when this checkout has one that runs in a transaction
(checked, like the rest, against the schema recorded before the upgrade, with the data the
upgrade kept put back after it); else the revert is refused, naming it. ``--use-downgrade``
chooses ``downgrade()`` for every revision. All of them run in one transaction
(:mod:`migsafe.reverse.revert.run`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from migsafe.engine.analysis import analyse_file
from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.runner import plan_limits
from migsafe.engine.runs import Direction
from migsafe.engine.session import Session
from migsafe.engine.versions import VersionTable
from migsafe.errors import NotReversibleError, UsageError
from migsafe.reverse import store
from migsafe.reverse.restore_kept import describe, kept_by_upgrade
from migsafe.reverse.revert import fill as revert_fill
from migsafe.reverse.revert.fill import Fill
from migsafe.reverse.revert.targets import run_to_revert
from migsafe.reverse.store import ReverseSource


@dataclass(frozen=True)
class Undo:
    """One stored row and the way it is undone."""

    row: store.StoredReverse
    way: ReverseSource
    why: str = ""  # why downgrade() rather than the stored reverse
    fills: tuple[Fill, ...] = ()

    @property
    def restores(self) -> tuple[Mapping[str, Any], ...]:
        """What the upgrade kept that a downgrade() must be followed by putting back."""
        if self.way != ReverseSource.DOWNGRADE or self.row.archives_pruned_at is not None:
            return ()
        return tuple(kept_by_upgrade(self.row.archives))


@dataclass(frozen=True)
class StoredRevert:
    """What a revert through stored rows will undo, and how."""

    undo: tuple[Undo, ...]  # in the order they run: newest first
    to_heads: tuple[str, ...]
    reverts_run_id: str | None  # set when the whole of one run is undone
    warnings: tuple[str, ...] = field(default=())

    @property
    def rows(self) -> tuple[store.StoredReverse, ...]:
        return tuple(u.row for u in self.undo)

    @property
    def expected_schema(self) -> str | None:
        return self.rows[-1].schema_before


def select(
    session: Session,
    to: str | None,
    steps: int | None,
    *,
    run_id: str | None = None,
    use_downgrade: bool = False,
) -> StoredRevert | str | None:
    """The stored rows that take the database where asked, each with its way back; why the
    stored rows cannot (then downgrade() runs as with Alembic, if no kept data is lost); or
    None when none are stored for where the database is (reverse generation off, or
    migrations applied by another tool). Raises when a revision has no way back at all."""
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
        picked_or_reason = _whole_run(session, chain, run_id)
        if isinstance(picked_or_reason, str):
            return picked_or_reason
        picked = picked_or_reason
    undo: list[Undo] = []
    warnings: list[str] = []
    for row in picked:
        way = _way(session, row, use_downgrade)
        if isinstance(way, str):
            return way
        undo.append(way)
        if way.way == ReverseSource.DOWNGRADE and row.archives_pruned_at is not None:
            warnings.append(
                f"{row.revision}: the data kept when it was applied was pruned on "
                f"{row.archives_pruned_at:%Y-%m-%d}; its downgrade() brings "
                f"{', '.join(describe(a) for a in kept_by_upgrade(row.archives))} back without it"
            )
    whole_run = to is None and steps is None
    return StoredRevert(
        undo=tuple(undo),
        to_heads=tuple(sorted(picked[-1].heads_before)),
        reverts_run_id=picked[0].run_id if whole_run else None,
        warnings=tuple(warnings),
    )


def _whole_run(
    session: Session, chain: list[store.StoredReverse], run_id: str | None
) -> list[store.StoredReverse] | str:
    """The rows of one run (named, else the last revertible one), newest first."""
    last = run_to_revert(session, run_id)
    picked = []
    for row in chain:
        if row.run_id != last.run_id:
            break
        picked.append(row)
    if not picked:
        return f"run {last.run_id} has no stored reverse scripts"
    if set(picked[-1].heads_before) != set(last.from_revisions):
        return f"the stored reverses of run {last.run_id} do not lead back to where it started"
    return picked


def _way(session: Session, row: store.StoredReverse, use_downgrade: bool) -> Undo | str:
    """How *row* is undone; a str: the stored rows cannot do it (downgrade() for all, as
    with Alembic); raises when nothing can."""
    own = own_downgrade(session, row.revision)
    if use_downgrade:
        if isinstance(own, str):
            return f"--use-downgrade: {row.revision}: {own}"
        return Undo(row, ReverseSource.DOWNGRADE, "--use-downgrade")
    usable = row.source == ReverseSource.GENERATED and row.archives_pruned_at is None
    if usable:
        return Undo(row, ReverseSource.GENERATED)
    if row.source == ReverseSource.DOWNGRADE:
        if isinstance(own, str):
            raise NotReversibleError(
                f"no way back for {row.revision}: it is undone by its own downgrade() "
                f"(it was irreversible), and {own}",
                hint="revert from the checkout that applied it, or from a snapshot: "
                "`migsafe snapshot list`, then `migsafe revert --from-snapshot ID`",
            )
        return Undo(
            row, ReverseSource.DOWNGRADE, "irreversible steps; tested in a savepoint when applied"
        )
    if row.archives_pruned_at is not None:
        lost = ", ".join(describe(a) for a in kept_by_upgrade(row.archives))
        raise NotReversibleError(
            f"the data kept when {row.revision} was applied ({lost}) was pruned on "
            f"{row.archives_pruned_at:%Y-%m-%d}, so no way back brings it back; nothing was run",
            hint="--use-downgrade runs its downgrade() without that data; --from-snapshot "
            "restores a snapshot (losing the writes made since)",
        )
    why = "; ".join(row.irreversible) or row.source
    if isinstance(own, str):
        raise NotReversibleError(
            f"no way back for {row.revision}: it has no generated reverse ({why}), and {own}; "
            "nothing was run",
            hint="revert from a snapshot: `migsafe snapshot list`, then "
            "`migsafe revert --from-snapshot ID`",
        )
    return Undo(row, ReverseSource.DOWNGRADE, f"no generated reverse ({why})")


def own_downgrade(session: Session, revision: str) -> Callable[[], Any] | str:
    """The revision's own downgrade() from this checkout, if it can run inside the revert's
    transaction; else why not."""
    try:
        script = session.project.script.get_revision(revision)
    except Exception:  # unknown, or an ambiguous/garbled revision map: not available here
        script = None
    module = getattr(script, "module", None)
    if script is None or module is None:
        return "this checkout does not have its file"
    try:
        # The file is imported here if it was read as source only.
        fn = getattr(module, "downgrade", None)
    except Exception as exc:  # a file that does not import offers no downgrade()
        return f"its file does not import ({type(exc).__name__}: {exc})"
    if not callable(fn):
        return "its file has no downgrade()"

    facts = analyse_file(script.path, module).downgrade
    if facts.empty:
        return "its downgrade() is empty"
    # One that leaves the transaction (autocommit_block(), COMMIT) would commit half of it.
    if not facts.transactional:
        return "its downgrade() leaves the transaction (" + "; ".join(facts.non_transactional) + ")"
    return fn  # type: ignore[no-any-return]


def revision_path(session: Session, revision: str) -> str | None:
    """Where this checkout has the revision's file, if it has it."""
    try:
        script = session.project.script.get_revision(revision)
    except Exception:  # as in own_downgrade
        return None
    return None if script is None else str(script.path)


def read_heads_directly(session: Session) -> bool:
    """Read the heads from the version table the newest run recorded in its plan, without
    running env.py; False when there is no such run (then env.py must tell)."""
    with session.aux() as aux:
        recorded = session.history.recorded_version_table(aux)
    if recorded is None:
        return False
    session.read_heads(VersionTable(session.engine, *recorded))
    return True


def chain_from_heads(session: Session) -> list[store.StoredReverse]:
    """The stored rows not reverted yet that lead back from where the database is."""
    with session.aux() as conn:
        rows = store.applied(conn, session.history.schema)
    return _chain(rows, session.heads)


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


def make_plan(
    session: Session,
    chosen: StoredRevert,
    target: str,
    *,
    data_loss: Sequence[str] = (),
) -> Plan:
    steps = tuple(
        PlanStep(
            revision=u.row.revision,
            direction=Direction.DOWNGRADE,
            down_revisions=tuple(u.row.heads_before),
            message=(
                f"generated reverse, stored by run {u.row.run_id}"
                if u.way == ReverseSource.GENERATED
                else f"its own downgrade() ({u.why})"
                + (", then the data the upgrade kept is put back" if u.restores else "")
            ),
            path="",
            transactional=True,
            warnings=tuple(u.row.caveats),
            sql="\n".join(u.row.sql) if u.way == ReverseSource.GENERATED else None,
        )
        for u in chosen.undo
    )
    own = [u.row.revision for u in chosen.undo if u.way == ReverseSource.DOWNGRADE]
    notes = ["reverse scripts generated when the migrations were applied"]
    if own:
        notes.append(
            f"{', '.join(own)}: undone by their own downgrade() in the same transaction as the rest"
        )
    if chosen.expected_schema is None:
        notes.append("no schema fingerprint was recorded before the oldest step: not compared")
    else:
        notes.append("the schema must match the fingerprint recorded before the upgrade")
    back = [a for u in chosen.undo for a in kept_by_upgrade(u.row.archives)]
    kept = [
        a
        for u in chosen.undo
        if u.way == ReverseSource.GENERATED
        for a in u.row.archives
        if a.get("when") == "revert"
    ]
    if back:
        notes.append(f"{len(back)} column(s)/table(s) kept by the upgrade are put back")
    if kept:
        notes.append(
            f"{len(kept)} column(s)/table(s) the upgrade added are moved to the archive schema, "
            "not destroyed (`migsafe archive list`)"
        )
    for u in chosen.undo:
        for f in u.fills:
            notes.append(
                f"{f.name}: rows written since {u.row.revision} dropped it get "
                f"{f.expression} ({f.source})"
            )
    return Plan(
        command="revert",
        direction=Direction.DOWNGRADE,
        database=session.database,
        target=target,
        from_heads=tuple(sorted(session.heads)),
        to_heads=chosen.to_heads,
        steps=steps,
        **plan_limits(session),
        warnings=(
            *(f"{s.revision}: {w}" for s in steps for w in s.warnings),
            *chosen.warnings,
            *data_loss,
        ),
        notes=tuple(notes),
        data_loss=tuple(data_loss),
    )


def resolve_fills(
    session: Session, chosen: StoredRevert, option: Mapping[str, str]
) -> StoredRevert:
    """Each revision's fills (--fill, else its file now, else what was stored with it);
    a --fill that names no column this revert brings back is refused as a typo."""

    archives = [a for u in chosen.undo for a in u.row.archives]
    unknown = revert_fill.unknown_options(option, archives)
    if unknown:
        known = sorted(
            {f"{a['table']}.{a['column']}" for a in revert_fill.dropped_columns(archives)}
        )
        raise UsageError(
            f"--fill {', '.join(unknown)}: this revert brings back no such dropped column"
            + (f" (it brings back {', '.join(known)})" if known else ""),
            hint="--fill names TABLE.COLUMN of a column the reverted revisions dropped",
        )
    undo = []
    for u in chosen.undo:
        path = revision_path(session, u.row.revision)
        in_file = revert_fill.declared(path) if path is not None else {}
        fills = revert_fill.fills_for(u.row.archives, option, in_file, u.row.revision)
        undo.append(replace(u, fills=tuple(fills)))
    return replace(chosen, undo=tuple(undo))


def unfilled(session: Session, chosen: StoredRevert) -> list[Any]:
    """Dropped NOT NULL columns (no default, no fill) with rows written since that would
    come back empty: read before anything runs, so the revert can refuse naming them."""

    found = []
    with session.aux() as conn:
        for u in chosen.undo:
            filled = {id(f.archive) for f in u.fills}
            for a in revert_fill.dropped_columns(u.row.archives):
                if id(a) in filled or not revert_fill.needs_value(a):
                    continue
                if u.way == ReverseSource.DOWNGRADE:
                    continue  # its downgrade() decides what those rows get
                if u.row.archives_pruned_at is not None:
                    continue
                try:
                    missing = revert_fill.unfilled(conn, u.row.revision, a)
                except sa.exc.DBAPIError:
                    missing = None  # a best-effort look: the revert itself will tell
                if missing is not None:
                    found.append(missing)
    return found
