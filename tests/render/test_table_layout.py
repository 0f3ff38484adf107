"""Every table migsafe prints stays readable at 80 and 160 columns: identifiers whole.

An identifier (run id, revision, snapshot id, archive table, flag name) is what the reader types
next, so each must appear whole on one line, and no line may be wider than the terminal. The
results are built as the commands return them, with ids as long as real ones get (archive
names fill PostgreSQL's 63 bytes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.runs import Run
from migsafe.flags_results import AuditRecord, FlagHistory, FlagList, FlagSummary
from migsafe.render import flags, reverse, snapshots, text
from migsafe.render.tables import Column, print_table
from migsafe.results import HistoryResult, Pending, StatusResult
from migsafe.reverse.archive_retention import ArchiveEntry, ArchiveList
from migsafe.snapshots.model import Snapshot
from migsafe.snapshots.results import SnapshotList
from tests.cli.conftest import cli_env

ROOT = Path(__file__).resolve().parents[2]

WIDTHS = (80, 100, 160)
WHEN = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
REV_A = "3f9a1c2b7d4e"
REV_B = "0007_split_customer_names_into_first_and_last"
ARCHIVE = "customers__legacy_full_name__9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d"[:63]
DB = "postgresql+psycopg://app:***@db.internal.example.com:5432/shop_production"


def render(draw: Callable[[Console], None], width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    draw(console)
    return out.getvalue()


def assert_readable(output: str, width: int, ids: list[str]) -> None:
    lines = output.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, f"lines wider than {width}:\n" + "\n".join(too_long)
    assert "…" not in output, output
    for ident in ids:
        assert any(ident in line for line in lines), f"{ident!r} not whole in:\n{output}"


def _run(run_id: str, status: str = "succeeded", error: str | None = None) -> Run:
    return Run(
        run_id=run_id,
        command="upgrade",
        status=status,
        started_at=WHEN,
        finished_at=WHEN,
        duration_s=1.25,
        os_user="deploy",
        db_user="app",
        host="build-agent-17.ci.example.com",
        pid=4242,
        from_revisions=(REV_A,),
        to_revisions=(REV_B,),
        at_revisions=(REV_B,),
        target="head",
        guard="transaction",
        failed_revision=None,
        error=error,
        reverts_run_id=None,
        reverted_by=None,
        attempts=1,
    )


RUN_IDS = ["a1b2c3d4e5f6", "0f1e2d3c4b5a"]


def history(console: Console) -> None:
    runs = (
        _run(RUN_IDS[0]),
        _run(RUN_IDS[1], "rolled_back", "canceling statement due to lock timeout on customers"),
    )
    text.history(console, HistoryResult(database=DB, runs=runs))


def run_detail(console: Console) -> None:
    run = _run(RUN_IDS[0])
    plan = {
        "steps": [
            {
                "revision": REV_B,
                "direction": "upgrade",
                "transactional": True,
                "message": "split the customers' full name into first and last",
            }
        ]
    }
    detail = Run(**{**run.__dict__, "plan": plan, "operations": {}})
    text.history(console, HistoryResult(database=DB, runs=(detail,), journal=()))


def status(console: Console) -> None:
    pending = (
        Pending(REV_B, (REV_A,), "split the customers' full name into first and last", True),
    )
    result = StatusResult(
        database=DB, current=(REV_A,), heads=(REV_B,), pending=pending, last_run=None
    )
    text.status(console, result)


def plan(console: Console) -> None:
    step = PlanStep(
        revision=REV_B,
        down_revisions=(REV_A,),
        direction="upgrade",
        message="split the customers' full name into first and last",
        path="migrations/versions/0007_split.py",
        transactional=False,
        non_transactional_reasons=("CREATE INDEX CONCURRENTLY cannot run in a transaction",),
    )
    text.plan(
        console,
        Plan(
            command="upgrade",
            database=DB,
            target="head",
            from_heads=(REV_A,),
            to_heads=(REV_B,),
            direction="upgrade",
            lock_timeout=5,
            statement_timeout=None,
            retries=3,
            steps=(step,),
        ),
    )


SNAPSHOT_IDS = ["20261207T120000Z-3f9a1c", "20261207T130000Z-9c0d1e"]


def snapshot_list(console: Console) -> None:
    snaps = tuple(
        Snapshot(
            id=sid,
            database=DB,
            backend="postgresql",
            mode="full",
            tables=(),
            revisions=(REV_B,),
            created_at="2026-12-07T12:00:00+00:00",
            file=f"{sid}.dump",
            size=123456789,
            sha256="0" * 64,
            status="verified",
        )
        for sid in SNAPSHOT_IDS
    )
    snapshots.snapshot_list(
        console, SnapshotList(store="/var/lib/migsafe/snapshots/shop_production", snapshots=snaps)
    )


def archive_list(console: Console) -> None:
    entry = ArchiveEntry(
        archive_schema="migsafe_archive",
        archive_table=ARCHIVE,
        kind="column",
        source="public.customers.legacy_full_name",
        revision=REV_B,
        run_id=RUN_IDS[0],
        made_by="upgrade",
        created_at=WHEN,
        exists=True,
        rows=1200000,
        bytes=73400320,
        needed=True,
    )
    reverse.archive_list(console, ArchiveList(database=DB, retention_s=7 * 86400, entries=(entry,)))


FLAG_NAMES = ["checkout.use-split-customer-names", "kill-switch.recommendations-service"]


def flag_list(console: Console) -> None:
    summaries = tuple(
        FlagSummary(
            name=name,
            enabled=True,
            type="release",
            description="Read first_name/last_name instead of the legacy full name column",
            rollout="100%",
            requires=REV_B,
            definition={"name": name},
            effective=False,
            reason=f"requires {REV_B}, database at {REV_A}",
        )
        for name in FLAG_NAMES
    )
    flags.flag_list(
        console, FlagList(database=DB, schema="migsafe_flags", version=7, flags=summaries)
    )


def flag_history(console: Console) -> None:
    record = AuditRecord(
        at="2026-12-07T12:00:00+00:00",
        actor="ops-oncall@example.com",
        reason="error rate above 5% after the deploy of release 2026.12.07-3",
        change="disabled",
        old=None,
        new=None,
    )
    flags.history(
        console,
        FlagHistory(database=DB, schema="migsafe_flags", name=FLAG_NAMES[0], entries=(record,)),
    )


TABLES: dict[str, tuple[Callable[[Console], None], list[str]]] = {
    "history": (history, [*RUN_IDS, REV_A, REV_B, "rolled_back"]),
    "history-run": (run_detail, [RUN_IDS[0], REV_B]),
    "status": (status, [REV_A, REV_B]),
    "plan": (plan, [REV_A, REV_B]),
    "snapshot-list": (snapshot_list, [*SNAPSHOT_IDS, REV_B]),
    "archive-list": (archive_list, [f"migsafe_archive.{ARCHIVE}", REV_B]),
    "flags-list": (flag_list, [*FLAG_NAMES, REV_B]),
    "flags-history": (flag_history, ["2026-12-07"]),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", TABLES)
def test_table_readable(name: str, width: int) -> None:
    draw, ids = TABLES[name]
    assert_readable(render(draw, width), width, ids)


def test_no_word_is_folded_while_another_column_has_room() -> None:
    """rich alone gives `rolled_bac` / `k` at 100 columns, the error column keeping its room."""
    run = _run(RUN_IDS[1], "rolled_back", "canceling statement due to lock timeout " * 3)
    runs = (dataclasses.replace(run, to_revisions=(REV_A,), at_revisions=(REV_A,)),)
    output = render(lambda c: text.history(c, HistoryResult(database=DB, runs=runs)), 100)
    assert "rolled_back" in output and "┃" in output  # a table, the word whole


def test_low_value_columns_go_first_then_a_vertical_layout() -> None:
    columns = (Column("id", key=True), Column("note"), Column("who", drop=1))
    rows: list[Any] = [("x" * 30, "short", "someone@somewhere")]
    wide = render(lambda c: print_table(c, columns, rows), 80)
    assert "who" in wide and "someone@somewhere" in wide
    assert len(wide.splitlines()) == 3  # header, rule, one row: a table
    narrow = render(lambda c: print_table(c, columns, rows), 45)
    assert "who" not in narrow and "x" * 30 in narrow
    vertical = render(lambda c: print_table(c, columns, rows), 30)
    assert [line.rstrip() for line in vertical.splitlines()] == [
        "  id:",
        "x" * 30,
        "note: short",
        " who: someone@somewhere",
    ]


@pytest.mark.parametrize("width", [80, 60])
def test_the_cli_honours_columns_when_piped(width: int, tmp_path: Path) -> None:
    """`COLUMNS=80 migsafe history | less`: the width asked for, not the wide log default."""
    shutil.copytree(ROOT / "sample_app", tmp_path / "sample_app")
    ini = tmp_path / "sample_app" / "alembic.ini"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "migsafe", "-c", str(ini), *args],
            cwd=tmp_path,
            env=cli_env({"COLUMNS": str(width)}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    upgraded = run("upgrade", "--format", "json")
    assert upgraded.returncode == 0, upgraded.stderr
    run_id = json.loads(upgraded.stdout)["run_id"]
    shown = run("history")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines and all(len(line) <= width for line in lines), shown.stdout
    assert any(run_id in line for line in lines), shown.stdout
    assert any("0008_loyalty_points" in line for line in lines), shown.stdout
