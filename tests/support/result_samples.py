"""One sample of every result migsafe prints as JSON, for the shape tests in test_result_dicts.

Each is built with every optional part set (and, where a result has two shapes, both), from
fixed values, so that its ``to_dict()`` is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.runs import Direction, Run, RunStatus
from migsafe.flags_results import (
    AuditRecord,
    FlagChange,
    FlagDetail,
    FlagHistory,
    FlagList,
    FlagSummary,
    ImportResult,
    InitResult,
)
from migsafe.results import HistoryResult, Pending, ReverseShow, RunResult, StatusResult
from migsafe.reverse.archive_retention import ArchiveEntry, ArchiveList, ArchivePruneResult
from migsafe.reverse.store import ReverseSource, StoredReverse
from migsafe.snapshots.model import KeptTrigger, Snapshot, SnapshotMode, SnapshotStatus
from migsafe.snapshots.prune import PrunePlan
from migsafe.snapshots.results import PruneOutcome, RestoreOutcome, SnapshotList, VerifyOutcome
from migsafe.snapshots.store import Leftover
from migsafe.snapshots.verify import Check

T0 = dt.datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=dt.UTC)
URL = "postgresql+psycopg://app:***@db.example/app"


def snapshot(n: int = 1, mode: SnapshotMode = SnapshotMode.TABLES) -> Snapshot:
    return Snapshot(
        id=f"20260301T123005Z-{n:04d}",
        database=URL,
        backend="postgresql",
        mode=mode,
        tables=("public.orders", "public.items"),
        revisions=("b2",),
        created_at="2026-03-01T12:30:05+00:00",
        file=f"20260301T123005Z-{n:04d}.dump",
        size=4096 * n,
        sha256="ab" * 32,
        server_version="16.2",
        tool_version="pg_dump (PostgreSQL) 16.2",
        compression=6,
        run_id="r1",
        status=SnapshotStatus.RESTORE_VERIFIED,
        status_detail="file: 4096 bytes",
        verified_at="2026-03-01T12:31:00+00:00",
        schema_fingerprint="f" * 16,
        table_checksums={"public.orders": "c1", "public.items": "c2"},
        row_counts={"public.orders": 3, "public.items": 7},
        created=("public.new_table",),
        kept_schemas=("migsafe", "migsafe_flags"),
        kept_triggers=(KeptTrigger("public", "alembic_version", "flags_notify"),),
        source_system="7301234567890123456",
        source_database="app",
        source_database_oid=16384,
    )


def plan_step(revision: str, direction: Direction = Direction.UPGRADE) -> PlanStep:
    return PlanStep(
        revision=revision,
        direction=direction,
        down_revisions=("a1",),
        message="add orders",
        path=f"versions/{revision}.py",
        transactional=False,
        non_transactional_reasons=("CREATE INDEX CONCURRENTLY",),
        warnings=("slow",),
        concurrent_indexes=("public.ix_orders",),
        autocommit=True,
        sql="CREATE INDEX CONCURRENTLY ix_orders ON orders (id);",
        irreversible=("UPDATE without a reverse",),
        raw_sql=True,
    )


def plan() -> Plan:
    return Plan(
        command="upgrade",
        direction=Direction.UPGRADE,
        database=URL,
        target="head",
        from_heads=("a1",),
        to_heads=("b2",),
        steps=(plan_step("b2"),),
        lock_timeout=3.0,
        statement_timeout=None,
        retries=2,
        verify=("select 1",),
        version_table="alembic_version",
        version_table_schema="public",
        warnings=("b2: slow",),
        notes=("snapshot taken",),
        data_loss=("orders.note",),
    )


def run(with_plan: bool = False) -> Run:
    return Run(
        run_id="r1",
        command="upgrade",
        status=RunStatus.RESTORED,
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=2.5),
        duration_s=2.5,
        os_user="deploy",
        db_user="app",
        host="web-1",
        pid=4242,
        from_revisions=("a1",),
        to_revisions=("b2",),
        at_revisions=("a1",),
        target="head",
        guard="transaction",
        failed_revision="b2",
        error="boom",
        reverts_run_id=None,
        reverted_by="r9",
        attempts=1,
        snapshot_id="20260301T123005Z-0001",
        plan={"command": "upgrade"} if with_plan else None,
        operations={"b2": [{"op": "add_column"}]} if with_plan else None,
    )


def unfinished_run() -> Run:
    return Run(
        run_id="r2",
        command="revert",
        status=RunStatus.RUNNING,
        started_at=T0,
        finished_at=None,
        duration_s=None,
        os_user=None,
        db_user=None,
        host=None,
        pid=None,
        from_revisions=(),
        to_revisions=(),
        at_revisions=(),
        target=None,
        guard=None,
        failed_revision=None,
        error=None,
        reverts_run_id="r1",
        reverted_by=None,
        attempts=None,
    )


def stored_reverse(pruned: bool) -> StoredReverse:
    return StoredReverse(
        run_id="r1",
        seq=0,
        revision="b2",
        applied_at=T0,
        heads_before=("a1",),
        heads_after=("b2",),
        source=ReverseSource.DOWNGRADE if pruned else ReverseSource.GENERATED,
        sql=("DROP TABLE orders",),
        operations=({"op": "create_table", "table": "orders"},),
        archives=({"archive_table": "orders_b2", "kind": "table"},),
        irreversible=("UPDATE",) if pruned else (),
        caveats=("sequence values",),
        schema_before="s1",
        schema_after="s2",
        reverted_by="r3" if pruned else None,
        archives_pruned_at=T0 + dt.timedelta(days=8) if pruned else None,
        id=7,
        schema_before_doc=b"\x78\x9c",
    )


def archive_entry(kind: str) -> ArchiveEntry:
    return ArchiveEntry(
        archive_schema="migsafe_archive" if kind == "table" else None,
        archive_table=f"orders_{kind}_b2",
        kind=kind,
        source="public.orders" if kind == "table" else "orders.note",
        revision="b2",
        run_id="r1",
        made_by="upgrade",
        created_at=T0,
        exists=True,
        rows=3,
        bytes=8192,
        needed=kind == "table",
        reverse_id=7,
    )


def flag(name: str = "new-checkout", effective: bool | None = True) -> FlagSummary:
    return FlagSummary(
        name=name,
        enabled=True,
        type="release",
        description="the new checkout",
        rollout="25%",
        requires="b2",
        definition={"name": name, "enabled": True, "strategies": []},
        effective=effective,
        reason=None if effective else "requires b2",
    )


def audit() -> AuditRecord:
    return AuditRecord(
        at="2026-03-01T12:30:05+00:00",
        actor="deploy",
        reason="launch",
        change="off -> on",
        old={"name": "new-checkout", "enabled": False},
        new={"name": "new-checkout", "enabled": True},
    )


def restore_outcome(into: str | None) -> RestoreOutcome:
    return RestoreOutcome(
        snapshot=snapshot(),
        into=into,
        at_revisions=("a1",),
        duration_s=1.25,
        run_id=None if into else "r4",
        kept=("migsafe", "migsafe_flags"),
        recreated_triggers=("public.alembic_version.flags_notify",),
        dropped_triggers=("public.items.audit",),
        source="cluster 7301234567890123456, database app",
        other_database=None if into else "cluster 7301234567890123456, database app2",
    )


SAMPLES: dict[str, Callable[[], Any]] = {
    "snapshot": snapshot,
    "snapshot-list": lambda: SnapshotList(
        store="/var/lib/migsafe/snapshots",
        snapshots=(snapshot(1), snapshot(2, SnapshotMode.FULL)),
        leftovers=(Leftover(name="x.dump.tmp", size=12, what="interrupted dump"),),
    ),
    "verify": lambda: VerifyOutcome(
        snapshot=snapshot(),
        ok=False,
        checks=(Check("file", True, "4096 bytes"), Check("sha256", False, "differs")),
    ),
    "restore-in-place": lambda: restore_outcome(None),
    "restore-into": lambda: restore_outcome("app_copy"),
    "snapshot-prune": lambda: PruneOutcome(
        plan=PrunePlan(
            delete=(snapshot(2),),
            keep=(snapshot(1),),
            reasons={"a": "newest verified", "b": "beyond the 1 newest"},
        ),
        dry_run=True,
        freed_bytes=8192,
        leftovers=(Leftover(name="y.json.tmp", size=3, what="catalog entry"),),
    ),
    "stored-reverse": lambda: stored_reverse(False),
    "stored-reverse-pruned": lambda: stored_reverse(True),
    "reverse-show": lambda: ReverseShow(
        database=URL, rows=(stored_reverse(False), stored_reverse(True))
    ),
    "archive-list": lambda: ArchiveList(
        database=URL,
        retention_s=7 * 86400.0,
        entries=(archive_entry("table"), archive_entry("column")),
    ),
    "archive-prune": lambda: ArchivePruneResult(
        database=URL,
        retention_s=3600.0,
        dropped=(archive_entry("table"),),
        kept=(archive_entry("column"),),
        dry_run=False,
    ),
    "run": run,
    "plan": plan,
    "run-result": lambda: RunResult(
        run_id="r1",
        command="upgrade",
        status=RunStatus.NOT_RESTORED,
        plan=plan(),
        at_heads=("a1",),
        dry_run=False,
        duration_s=3.5,
        attempts=2,
        failed_revision="b2",
        error="lock timeout",
        step_seconds={"b2": 1.5},
        cleaned_up=("public.ix_orders",),
        reverted_run_id="r0",
        snapshot_id="20260301T123005Z-0001",
        message="already reverted",
    ),
    "status": lambda: StatusResult(
        database=URL,
        current=("a1",),
        heads=("b2",),
        pending=(Pending("b2", ("a1",), "add orders", False),),
        last_run=run(),
        unknown_current=("zz",),
    ),
    "status-no-run": lambda: StatusResult(
        database=URL, current=("b2",), heads=("b2",), pending=(), last_run=None
    ),
    "history": lambda: HistoryResult(database=URL, runs=(run(), unfinished_run())),
    "history-one-run": lambda: HistoryResult(
        database=URL,
        runs=(run(with_plan=True),),
        journal=({"revision": "b2", "status": "started"},),
    ),
    "flag": flag,
    "flag-list": lambda: FlagList(
        database=URL, schema="migsafe_flags", version=5, flags=(flag(), flag("old", None))
    ),
    "flag-audit": audit,
    "flag-detail": lambda: FlagDetail(
        database=URL, schema="migsafe_flags", flag=flag(), last_change=audit()
    ),
    "flag-detail-unchanged": lambda: FlagDetail(
        database=URL, schema="migsafe_flags", flag=flag(), last_change=None
    ),
    "flag-history": lambda: FlagHistory(
        database=URL, schema="migsafe_flags", name="new-checkout", entries=(audit(), audit())
    ),
    "flag-change": lambda: FlagChange(
        database=URL,
        schema="migsafe_flags",
        command="rollout",
        flag=flag(),
        old={"name": "new-checkout", "enabled": False, "strategies": []},
        changed=True,
        version=6,
        actor="deploy",
        reason=None,
        warnings=("b2 could not be checked",),
    ),
    "flag-import": lambda: ImportResult(
        database=URL,
        schema="migsafe_flags",
        source="flags.json",
        created=("a",),
        updated=("b",),
        unchanged=("c",),
        version=7,
        actor="deploy",
        segments_created=(1,),
        segments_updated=(2,),
        segments_unchanged=(3,),
    ),
    "flag-init": lambda: InitResult(
        database=URL,
        schema="migsafe_flags",
        flags=2,
        trigger="installed",
        version_table="public.alembic_version",
        version_table_from="env.py",
    ),
}


def as_dict(name: str) -> dict[str, Any]:
    """The sample's ``to_dict()`` (archive entries take the retention window)."""
    sample = SAMPLES[name]()
    result: dict[str, Any] = sample.to_dict()
    return result
