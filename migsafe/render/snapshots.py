"""Human-readable output for snapshots: the catalog, one entry, verification, restore, prune."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

from migsafe.render.tables import Column, print_table
from migsafe.snapshots.model import SnapshotMode

if TYPE_CHECKING:
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.results import (
        PruneOutcome,
        RestoreOutcome,
        SnapshotList,
        VerifyOutcome,
    )


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def snapshot_list(console: Console, result: SnapshotList) -> None:
    if not result.snapshots:
        console.print(f"No snapshots in {result.store}.")
    else:
        _table(console, result)
    _leftovers(console, result)


def _table(console: Console, result: SnapshotList) -> None:
    columns = (
        Column("id", key=True),
        Column("created", drop=2),
        Column("mode"),
        Column("revisions", key=True),
        Column("size", drop=3),
        Column("status"),
        Column("database", drop=4),
    )
    rows = [
        (
            snap.id,
            snap.created_at.replace("T", " ")[:19],
            snap.mode + (f" ({len(snap.tables)})" if snap.mode == SnapshotMode.TABLES else ""),
            ", ".join(snap.revisions) or "base",
            size(snap.size),
            snap.status,
            snap.database,
        )
        for snap in result.snapshots
    ]
    print_table(console, columns, rows, title=f"Snapshots in {result.store}")


def _leftovers(console: Console, result: SnapshotList) -> None:
    for found in result.leftovers:
        console.print(
            f"leftover {found.name} ({size(found.size)}): {found.what} of an interrupted run",
            highlight=False,
        )
    if result.leftovers:
        console.print("`migsafe snapshot prune` (with any rule) removes them.")


def snapshot_show(console: Console, snap: Snapshot) -> None:
    rows = [
        ("id", snap.id),
        ("database", snap.database),
        ("created", snap.created_at),
        ("revisions", ", ".join(snap.revisions) or "base"),
        ("mode", snap.mode),
        ("tables", ", ".join(snap.tables) or "-"),
        ("size", f"{size(snap.size)} ({snap.size} bytes)"),
        ("sha256", snap.sha256),
        ("server", snap.server_version or "-"),
        ("tool", snap.tool_version or "-"),
        ("compression", str(snap.compression) if snap.compression is not None else "-"),
        ("run", snap.run_id or "-"),
        ("left out", ", ".join(snap.kept_schemas) or "-"),
        ("taken of", _source(snap)),
        ("status", snap.status + (f": {snap.status_detail}" if snap.status_detail else "")),
        ("verified at", snap.verified_at or "-"),
        ("file", snap.file),
    ]
    for key, value in rows:
        console.print(f"[bold]{key:>12}[/]  {value}", highlight=False)


def _source(snap: Snapshot) -> str:
    """The database the snapshot was taken of, as recorded (older entries: its URL only)."""
    if snap.source_database is None:
        return "-"
    if snap.source_system is None:
        return snap.source_database
    return f"{snap.source_database} (oid {snap.source_database_oid}, system {snap.source_system})"


def verify(console: Console, result: VerifyOutcome) -> None:
    for check in result.checks:
        mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
        console.print(f"{mark} {check.name}: {check.detail}", highlight=False)
    verdict = "[green]verified[/]" if result.ok else "[red]verification failed[/]"
    console.print(f"{verdict}: snapshot {result.snapshot.id} is now {result.snapshot.status}")


def restore(console: Console, result: RestoreOutcome) -> None:
    where = f"into the new database {result.into}" if result.into else "in place"
    console.print(
        f"[green]ok[/]: restored snapshot {result.snapshot.id} ({result.snapshot.mode}) {where} "
        f"in {result.duration_s:.1f}s; the database is at "
        f"[cyan]{', '.join(result.at_revisions) or 'base'}[/]"
        + (f" (run {result.run_id})" if result.run_id else "")
    )
    if result.other_database:
        console.print(
            f"It was taken of {result.source} and restored into {result.other_database} "
            "(--allow-other-database)."
        )
    if result.into:
        if result.kept:
            console.print(
                "The copy holds no flags, flag audit or migsafe history: snapshots leave out "
                f"{', '.join(result.kept)}."
            )
        if result.dropped_triggers:
            console.print(
                "Left out of the copy (their function is not in it): "
                + ", ".join(result.dropped_triggers)
            )
        return
    console.print(
        f"Writes made after {result.snapshot.created_at} to the restored "
        f"{'tables' if result.snapshot.mode == SnapshotMode.TABLES else 'database'} are gone."
    )
    console.print(f"Not touched: {result.untouched}" + _kept(result.kept) + ".")
    if result.recreated_triggers:
        console.print("Kept as they were (flags notify): " + ", ".join(result.recreated_triggers))
    if result.dropped_triggers:
        console.print(
            "[yellow]Dropped[/] (their function is not in the snapshot): "
            + ", ".join(result.dropped_triggers)
        )


def _kept(kept: tuple[str, ...]) -> str:
    archives = [k for k in kept if k.startswith("migsafe_archive__")]
    named = [k for k in kept if k not in archives]
    parts = [*named, *([f"{len(archives)} archive tables"] if archives else [])]
    return f" ({', '.join(parts)})" if parts else ""


def prune(console: Console, result: PruneOutcome) -> None:
    verb = "would delete" if result.dry_run else "deleted"
    if not result.plan.delete:
        console.print("Nothing to prune.")
    for snap in result.plan.delete:
        console.print(
            f"{verb} {snap.id} ({size(snap.size)}): {result.plan.reasons.get(snap.id, '')}"
        )
    for snap in result.plan.keep:
        reason = result.plan.reasons.get(snap.id)
        if reason:
            console.print(f"kept {snap.id}: {reason}")
    if result.plan.delete:
        console.print(f"{verb} {len(result.plan.delete)}, freeing {size(result.freed_bytes)}")
    removed = "would remove" if result.dry_run else "removed"
    for found in result.leftovers:
        console.print(
            f"{removed} leftover {found.name} ({size(found.size)}): {found.what}", highlight=False
        )
