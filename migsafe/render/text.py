"""Human-readable output with rich: plans, run results, status and history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from migsafe.engine.runs import Direction, RunStatus
from migsafe.render.tables import Column, print_table

if TYPE_CHECKING:
    from migsafe.engine.plan import Plan
    from migsafe.engine.runs import Run
    from migsafe.results import HistoryResult, RunResult, StatusResult


def _heads(heads: tuple[str, ...]) -> str:
    return ", ".join(heads) or "base"


def plan(console: Console, p: Plan, *, show_sql: bool = False) -> None:
    verb = "apply" if p.direction == Direction.UPGRADE else "undo"
    console.print(
        f"[bold]Plan[/]: {p.command} {p.database} from [cyan]{_heads(p.from_heads)}[/] to "
        f"[cyan]{_heads(p.to_heads)}[/] (target {p.target})"
    )
    if not p.steps:
        console.print("Nothing to do: the database is already there.")
        return
    console.print(
        f"Guard: {p.guard}; lock_timeout {p.lock_timeout:g}s"
        + (f", statement_timeout {p.statement_timeout:g}s" if p.statement_timeout else "")
        + f", retries {p.retries}"
    )
    columns = (
        Column("#", justify="right"),
        Column(f"revision to {verb}", key=True),
        Column("from", key=True),
        Column("description", drop=1),
        Column("rollback"),
    )
    rows = []
    for index, step in enumerate(p.steps, 1):
        tx = (
            "[green]transactional[/]"
            if step.transactional
            else "[red]cannot be rolled back[/]: " + "; ".join(step.non_transactional_reasons)
        )
        rows.append(
            (str(index), step.revision, ", ".join(step.down_revisions) or "base", step.message, tx)
        )
    print_table(console, columns, rows)
    for query in p.verify:
        console.print(f"verify before commit: {query}")
    for warning in p.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    for finding in p.lint:
        console.print(f"[yellow]lint[/]: {escape(finding)}", soft_wrap=True)
    if show_sql:
        for step in p.steps:
            console.print(f"\n[bold]-- {step.revision}[/] ({step.direction})")
            if step.sql and console.is_terminal and console.color_system:
                from rich.syntax import Syntax  # pygments is slow to import; only here

                console.print(Syntax(step.sql, "sql", theme="ansi_dark", word_wrap=True))
            elif step.sql:
                # Into a pipe or a log: the SQL as written, unwrapped and copyable. Colouring it
                # there cost more than the whole command (150 revisions: ~1.5 s of pygments).
                console.print(step.sql, markup=False, highlight=False, soft_wrap=True)
            else:
                console.print("-- (no offline SQL for this revision)")
    for note in p.notes:
        console.print(f"[yellow]note[/]: {note}")


def run_result(console: Console, r: RunResult) -> None:
    if r.dry_run:
        plan(console, r.plan, show_sql=True)
        console.print("\n[bold]Dry run[/]: nothing was changed.")
        return
    if r.status == RunStatus.NOOP and r.message:
        console.print(f"[green]ok[/]: {r.message}")
        return
    if r.status == RunStatus.NOOP:
        console.print(f"Nothing to do: the database is at {_heads(r.at_heads)}. (run {r.run_id})")
        return
    count = len(r.plan.steps)
    noun = "migration" if count == 1 else "migrations"
    past = "applied" if r.plan.direction == Direction.UPGRADE else "reverted"
    console.print(
        f"[green]ok[/]: {past} {count} {noun} in {r.duration_s or 0:.2f}s; the database is at "
        f"[cyan]{_heads(r.at_heads)}[/] (run {r.run_id}"
        + (f", {r.attempts} attempts" if r.attempts > len(r.plan.segments()) else "")
        + ")"
    )
    if r.snapshot_id:
        console.print(f"snapshot {r.snapshot_id} was taken first (`migsafe snapshot show` it)")
    for loss in r.plan.data_loss:
        console.print(f"[yellow]deleted[/]: {loss}")
    for name in r.cleaned_up:
        console.print(f"cleaned up a leftover of an earlier failed run: {name}")


def status(console: Console, s: StatusResult) -> None:
    console.print(f"[bold]Database[/]: {s.database}")
    console.print(f"Current: [cyan]{_heads(s.current)}[/]")
    console.print(f"Heads:   [cyan]{_heads(s.heads)}[/]")
    if s.unknown_current:
        console.print(
            f"[yellow]The database is at {', '.join(s.unknown_current)}, which this checkout's "
            "migrations do not contain[/] (a newer release applied it?)"
        )
    if s.pending:
        columns = (
            Column("revision", key=True),
            Column("from", key=True),
            Column("description", drop=1),
            Column("transactional"),
        )
        rows = [
            (
                p.revision,
                ", ".join(p.down_revisions) or "base",
                p.message,
                "yes" if p.transactional else "[red]no[/]",
            )
            for p in s.pending
        ]
        print_table(console, columns, rows, title=f"{len(s.pending)} pending")
    elif not s.unknown_current:
        console.print("[green]Up to date[/]: nothing pending.")
    if s.last_run is not None:
        console.print(f"Last run: {_run_line(s.last_run)}")


def history(console: Console, h: HistoryResult) -> None:
    if h.journal is not None:
        _run_detail(console, h)
        return
    if not h.runs:
        console.print(f"No runs recorded yet for {h.database}.")
        return
    columns = (
        Column("run", key=True),
        Column("command"),
        Column("status"),
        Column("started", drop=3),
        Column("took", drop=4),
        Column("from", key=True),
        Column("to / at", key=True),
        Column("by", drop=5),
        Column("error", drop=2),
    )
    rows = [
        (
            run.run_id,
            run.command,
            _status_text(run),
            _when(run.started_at),
            f"{run.duration_s:.2f}s" if run.duration_s is not None else "",
            _heads(run.from_revisions),
            _heads(run.to_revisions or run.at_revisions),
            f"{run.os_user}@{run.host}",
            (run.error or "")[:200],
        )
        for run in h.runs
    ]
    print_table(console, columns, rows, title=f"History of {h.database}")


def _status_text(run: Run) -> Text:
    colour = {
        RunStatus.SUCCEEDED: "green",
        RunStatus.ROLLED_BACK: "yellow",
        RunStatus.NOT_RESTORED: "red",
        RunStatus.RESTORED: "yellow",
        RunStatus.INTERRUPTED: "red",
        RunStatus.RUNNING: "cyan",
    }.get(run.status, "white")
    label = run.status + (f" (reverted by {run.reverted_by})" if run.reverted_by else "")
    return Text(label, style=colour)


def _when(value: dt.datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _run_line(run: Run, error_limit: int | None = 120) -> str:
    text = (
        f"{run.command} {run.status} at {_when(run.started_at)} by {run.os_user}@{run.host} "
        f"({_heads(run.from_revisions)} -> {_heads(run.to_revisions or run.at_revisions)}, "
        f"run {run.run_id})"
    )
    if run.error:
        # Printed as markup: a bracketed word in an error must not be read as a style.
        text += f": {escape(run.error[:error_limit])}"
    return text


def _run_detail(console: Console, h: HistoryResult) -> None:
    (run,) = h.runs
    # One run in detail: its whole error (a schema mismatch's fingerprints come last).
    console.print(f"[bold]Run {run.run_id}[/]: {_run_line(run, None)}")
    if run.snapshot_id:
        console.print(f"snapshot: {run.snapshot_id}")
    steps = (run.plan or {}).get("steps", [])
    if steps:
        columns = (
            Column("revision", key=True),
            Column("direction"),
            Column("transactional"),
            Column("description", drop=1),
        )
        rows = [
            (
                step.get("revision", ""),
                step.get("direction", ""),
                "yes" if step.get("transactional") else "[red]no[/]",
                step.get("message", ""),
            )
            for step in steps
        ]
        print_table(console, columns, rows, title="Plan")
    recorded = run.operations or {}
    order = [s.get("revision") for s in steps if s.get("revision") in recorded]
    for revision in order + sorted(set(recorded) - set(order)):
        operations = recorded[revision]
        console.print(f"[bold]{revision}[/] ran {len(operations)} operation(s):")
        for operation in operations:
            details = ", ".join(f"{k}={v}" for k, v in operation.items() if k != "op")
            console.print(f"  {operation['op']}({details})", highlight=False, markup=False)
    for note in (run.plan or {}).get("notes", []):
        console.print(f"note: {note}")
    for entry in h.journal or ():
        detail = f": {entry['detail']}" if entry.get("detail") else ""
        console.print(f"journal {entry['at']} {entry['revision']} {entry['status']}{detail}")
