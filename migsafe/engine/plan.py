"""Plans: what a command will do, as data, before it does anything.

A plan lists the revisions to apply in order, with for each whether it can run inside the
guard's transaction. ``--dry-run`` prints it and the run stores it in the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from alembic.runtime.migration import RevisionStep

from migsafe.engine.analysis import analyse_file
from migsafe.engine.project import Project, load_module
from migsafe.engine.reversibility import ReverseFacts, reverse_facts
from migsafe.engine.revision_source import is_loaded
from migsafe.engine.runs import Direction
from migsafe.results import to_dict


@dataclass(frozen=True)
class PlanStep:
    """One revision applied in one direction."""

    revision: str
    direction: Direction
    down_revisions: tuple[str, ...]
    message: str
    path: str
    transactional: bool
    non_transactional_reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    concurrent_indexes: tuple[str, ...] = ()
    # Outside the transaction on a connection in autocommit: a statement PostgreSQL refuses in
    # a transaction, not wrapped in autocommit_block() (see analysis.FunctionFacts).
    autocommit: bool = False
    has_body: bool = True
    reversible: bool = True  # has a downgrade() with a body
    # ... that runs inside a transaction (no autocommit_block(), no COMMIT, no CONCURRENTLY):
    # only such a downgrade() can be tested in a savepoint and stand in for a reverse.
    downgrade_in_transaction: bool = True
    sql: str | None = None
    # Upgrade steps: why the source makes it irreversible whatever the schema (data-changing
    # SQL), and whether it does things only judged as it runs (see engine/reversibility.py).
    irreversible: tuple[str, ...] = ()
    raw_sql: bool = False
    # Where its literal SQL writes rows whose before-images will be kept ("line N").
    writes_rows: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        arrow = "->" if self.direction == Direction.UPGRADE else "<-"
        downs = ", ".join(self.down_revisions) or "base"
        return f"{downs} {arrow} {self.revision}"


@dataclass(frozen=True)
class Plan:
    """Everything a run will do; stored with the run."""

    command: str
    direction: Direction
    database: str
    target: str
    from_heads: tuple[str, ...]
    to_heads: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    lock_timeout: float
    statement_timeout: float | None
    retries: int
    verify: tuple[str, ...] = ()
    version_table: str = "alembic_version"
    version_table_schema: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # Reverts: what a downgrade() step deletes (columns/tables it drops that hold data now):
    # also among the warnings; the confirmation asks for it, and the result lists it again.
    data_loss: tuple[str, ...] = ()
    # `migsafe lint` findings for these steps, one line each (upgrades of PostgreSQL only).
    lint: tuple[str, ...] = ()

    @property
    def guard(self) -> str:
        if not self.steps:
            return "none"
        if all(step.transactional for step in self.steps):
            return "transaction"
        return "transaction, with non-transactional steps"

    @property
    def non_transactional(self) -> tuple[PlanStep, ...]:
        return tuple(step for step in self.steps if not step.transactional)

    def segments(self) -> list[tuple[bool, tuple[PlanStep, ...]]]:
        """Runs of consecutive steps that share one transaction, in order.

        Transactional steps group together; each non-transactional step stands alone: the
        guard commits before it and begins a new transaction after it (all in one env.py run).
        """
        out: list[tuple[bool, tuple[PlanStep, ...]]] = []
        current: list[PlanStep] = []
        for step in self.steps:
            if step.transactional:
                current.append(step)
                continue
            if current:
                out.append((True, tuple(current)))
                current = []
            out.append((False, (step,)))
        if current:
            out.append((True, tuple(current)))
        return out

    def with_sql(self, sql_by_revision: dict[str, str], notes: Sequence[str]) -> Plan:
        steps = tuple(replace(s, sql=sql_by_revision.get(s.revision)) for s in self.steps)
        return replace(self, steps=steps, notes=(*self.notes, *notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the history stores and --format json prints."""
        return {**to_dict(self), "guard": self.guard}


def build_plan(
    project: Project,
    *,
    command: str,
    direction: Direction,
    database: str,
    target: str,
    from_heads: tuple[str, ...],
    steps: Sequence[RevisionStep],
    lock_timeout: float,
    statement_timeout: float | None,
    retries: int,
    verify: tuple[str, ...],
    version_table: str,
    version_table_schema: str | None = None,
    reverse: bool = True,
    captures_rows: bool = False,
    sqlite: bool = False,
) -> Plan:
    """The plan of *steps*; with *reverse* (reverse scripts on), upgrade steps also carry what
    their source says about their reverse (engine/reversibility.py)."""
    plan_steps = tuple(
        _plan_step(step, direction, reverse=reverse, captures_rows=captures_rows, sqlite=sqlite)
        for step in steps
    )
    warnings = [f"{s.revision}: {w}" for s in plan_steps for w in s.warnings]
    warnings.extend(
        f"{s.revision} cannot be rolled back if it fails half-way; --backup makes it restorable"
        for s in plan_steps
        if not s.transactional
    )
    return Plan(
        command=command,
        direction=direction,
        database=database,
        target=target,
        from_heads=tuple(sorted(from_heads)),
        to_heads=expected_heads(project, from_heads, steps),
        steps=plan_steps,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        retries=retries,
        verify=verify,
        version_table=version_table,
        version_table_schema=version_table_schema,
        warnings=tuple(warnings),
    )


def _plan_step(
    step: RevisionStep,
    direction: Direction,
    *,
    reverse: bool = True,
    load: bool = True,
    captures_rows: bool = False,
    sqlite: bool = False,
) -> PlanStep:
    """One step of a plan. ``load``: import the revision file now (the plan imports what it
    will run, so an error in it stops the command before anything runs); ``status`` lists
    pending revisions from their source only."""
    script = step.revision
    if load:
        load_module(script)
    module = script.module if is_loaded(script.module) else None
    facts = analyse_file(script.path, module)
    run = facts.for_direction(direction)
    down = script.down_revision
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    message = (script.doc or "").strip().splitlines()[0] if script.doc else ""
    rf = (
        reverse_facts(script.path, captures_rows=captures_rows, sqlite=sqlite)
        if reverse and direction == Direction.UPGRADE
        else ReverseFacts()
    )
    return PlanStep(
        revision=script.revision,
        direction=direction,
        down_revisions=tuple(downs),
        message=message,
        path=script.path,
        transactional=run.transactional,
        non_transactional_reasons=run.non_transactional,
        warnings=run.warnings,
        concurrent_indexes=run.concurrent_indexes,
        autocommit=run.autocommit,
        has_body=run.present and not run.empty,
        reversible=facts.downgrade.present and not facts.downgrade.empty,
        downgrade_in_transaction=facts.downgrade.transactional,
        irreversible=rf.irreversible,
        raw_sql=rf.raw_sql,
        writes_rows=rf.writes_rows,
    )


def expected_heads(
    project: Project, from_heads: Sequence[str], steps: Sequence[RevisionStep]
) -> tuple[str, ...]:
    """The heads the version table will hold after ``steps``, as Alembic would leave them."""
    heads = set(from_heads)
    for step in steps:
        heads.difference_update(step.from_revisions)
        heads.update(r for r in step.to_revisions if r)
    revmap = project.script.revision_map
    pruned = set(heads)
    for head in heads:
        for other in heads:
            if other != head and head in _ancestors(revmap, other):
                pruned.discard(head)
    return tuple(sorted(pruned))


def _ancestors(revmap: Any, revision: str) -> set[str]:
    return {
        rev.revision
        for rev in revmap.iterate_revisions(revision, "base", inclusive=False)
        if rev is not None
    } - {revision}
