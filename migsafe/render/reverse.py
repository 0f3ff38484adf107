"""Human-readable output for reverse scripts and the archive of kept data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from migsafe.render.snapshots import size
from migsafe.render.tables import Column, print_table

if TYPE_CHECKING:
    from migsafe.results import ReverseShow
    from migsafe.reverse.archive_retention import ArchiveList, ArchivePruneResult


def reverse_show(console: Console, result: ReverseShow) -> None:
    from migsafe.reverse.store import ReverseSource  # SQLAlchemy: not at CLI start-up

    for index, row in enumerate(result.rows):
        state = f"reverted by run {row.reverted_by}" if row.reverted_by else "applied"
        if index:
            console.print()
        console.print(
            f"-- {row.revision}: applied by run {row.run_id} at "
            f"{row.applied_at:%Y-%m-%d %H:%M:%S} ({state}); "
            f"back to {', '.join(row.heads_before) or 'base'}"
        )
        if row.source != ReverseSource.GENERATED:
            how = (
                "its own downgrade()"
                if row.source == ReverseSource.DOWNGRADE
                else "a snapshot only"
            )
            console.print(f"-- no generated reverse: {escape('; '.join(row.irreversible))}")
            console.print(f"-- reverted by {how}")
            continue
        for caveat in row.caveats:
            console.print(f"-- note: {escape(caveat)}")
        for archive in row.archives:
            console.print(f"-- {escape(_archive_line(archive))}")
        if row.archives_pruned_at is not None:
            console.print(f"-- archives pruned on {row.archives_pruned_at:%Y-%m-%d}")
        for statement in row.sql or ("-- (nothing to undo)",):
            console.print(escape(statement), soft_wrap=True)


def _qualified(*parts: object) -> str:
    """Dotted name of the parts given; no schema on SQLite (stored as None)."""
    return ".".join(str(part) for part in parts if part is not None)


def _archive_line(archive: dict[str, object]) -> str:
    where = _qualified(archive.get("archive_schema"), archive.get("archive_table"))
    what = _qualified(archive.get("schema"), archive.get("table"))
    if archive.get("kind") == "column":
        what += f".{archive.get('column')}"
    if archive.get("when") == "revert":
        return f"the revert moves {what} to {where} (kept, not destroyed)"
    return f"kept by the upgrade: {what} in {where}"


def archive_list(console: Console, result: ArchiveList) -> None:
    if not result.entries:
        console.print("No archived data.")
        return
    days = result.retention_s / 86400
    columns = (
        Column("archive", key=True),
        Column("kind", drop=4),
        Column("from", drop=1),
        Column("revision", key=True),
        Column("made by", drop=2),
        Column("created", drop=5),
        Column("rows", drop=3, justify="right"),
        Column("size", drop=6, justify="right"),
    )
    rows = []
    for e in result.entries:
        name = f"{e.archive_schema}.{e.archive_table}" if e.archive_schema else e.archive_table
        rows.append(
            (
                escape(name),
                e.kind,
                escape(e.source),
                e.revision,
                e.made_by + (" (needed by revert)" if e.needed else ""),
                f"{e.created_at:%Y-%m-%d %H:%M}",
                "gone" if not e.exists else str(e.rows),
                size(e.bytes) if e.bytes is not None else "",
            )
        )
    title = f"Archived data in {result.database} (kept {days:g} days, then `migsafe archive prune`)"
    print_table(console, columns, rows, title=title)


def archive_prune(console: Console, result: ArchivePruneResult) -> None:
    verb = "would drop" if result.dry_run else "dropped"
    days = result.retention_s / 86400
    if not result.dropped:
        console.print(f"Nothing older than {days:g} days to prune.")
        return
    for e in result.dropped:
        name = f"{e.archive_schema}.{e.archive_table}" if e.archive_schema else e.archive_table
        note = "; its revision's revert can no longer put it back" if e.needed else ""
        console.print(f"{verb} {escape(name)} ({e.kind} {escape(e.source)}, {e.rows} rows){note}")
    done = "would be dropped" if result.dry_run else "dropped"
    console.print(f"{len(result.dropped)} archive(s) {done}; {len(result.kept)} kept.")
