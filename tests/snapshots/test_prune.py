"""Prune policy: old snapshots go, the newest verified one of each database never does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from migsafe.errors import UsageError
from migsafe.snapshots.model import Snapshot, SnapshotStatus
from migsafe.snapshots.prune import plan_prune, prune
from migsafe.snapshots.store import LocalStore

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
APP = "postgresql+psycopg://app:***@db/app"
OTHER = "postgresql+psycopg://app:***@db/other"


def snap(
    days_ago: float, status: str = SnapshotStatus.UNVERIFIED, database: str = APP, n: int = 0
) -> Snapshot:
    created = NOW - dt.timedelta(days=days_ago)
    return Snapshot(
        id=f"{created:%Y%m%dT%H%M%SZ}-{n:06x}",
        database=database,
        backend="postgresql",
        mode="full",
        tables=(),
        revisions=(),
        created_at=created.isoformat(timespec="seconds"),
        file="",
        size=100,
        sha256="0" * 64,
        status=status,
    )


def ids(snapshots: tuple[Snapshot, ...]) -> list[str]:
    return [s.id for s in snapshots]


def test_no_rule_deletes_nothing() -> None:
    snaps = [snap(1), snap(100)]
    plan = plan_prune(snaps, now=NOW)
    assert plan.delete == () and len(plan.keep) == 2


def test_keep_n_newest() -> None:
    a, b, c = snap(1, SnapshotStatus.VERIFIED), snap(2), snap(3)
    plan = plan_prune([c, a, b], keep=2, now=NOW)
    assert ids(plan.keep) == ids((a, b))
    assert ids(plan.delete) == [c.id]
    assert plan.reasons[c.id] == "beyond the 2 newest"


def test_max_age() -> None:
    young, old = snap(1, SnapshotStatus.VERIFIED), snap(40)
    plan = plan_prune([young, old], max_age=dt.timedelta(days=30), now=NOW)
    assert ids(plan.delete) == [old.id]
    assert plan.reasons[old.id] == "older than 30 days"


def test_either_rule_is_enough_to_delete() -> None:
    a, b, c = snap(1, SnapshotStatus.VERIFIED), snap(40), snap(2)
    plan = plan_prune([a, b, c], keep=5, max_age=dt.timedelta(days=30), now=NOW)
    assert ids(plan.delete) == [b.id]


def test_newest_verified_survives_every_rule() -> None:
    unverified_new, verified_old, verified_older = (
        snap(1),
        snap(50, SnapshotStatus.VERIFIED),
        snap(60, SnapshotStatus.VERIFIED),
    )
    plan = plan_prune(
        [unverified_new, verified_old, verified_older],
        keep=0,
        max_age=dt.timedelta(days=1),
        now=NOW,
    )
    assert ids(plan.keep) == [verified_old.id]
    assert ids(plan.delete) == [unverified_new.id, verified_older.id]
    assert plan.reasons[verified_old.id].startswith(f"newest verified snapshot of {APP}")


def test_restore_verified_counts_as_verified_and_failed_does_not() -> None:
    failed, restore_verified = (
        snap(1, SnapshotStatus.FAILED),
        snap(5, SnapshotStatus.RESTORE_VERIFIED),
    )
    plan = plan_prune([failed, restore_verified], keep=0, now=NOW)
    assert ids(plan.keep) == [restore_verified.id]
    assert ids(plan.delete) == [failed.id]


def test_each_database_keeps_its_own_newest_verified() -> None:
    app_new, app_verified = snap(1, database=APP), snap(9, SnapshotStatus.VERIFIED, database=APP)
    other_verified = snap(20, SnapshotStatus.VERIFIED, database=OTHER)
    plan = plan_prune([app_new, app_verified, other_verified], keep=1, now=NOW)
    assert ids(plan.keep) == [app_new.id, app_verified.id, other_verified.id]


def test_keep_counts_per_database() -> None:
    a1, a2 = snap(1, database=APP, n=1), snap(2, database=APP, n=2)
    o1 = snap(3, database=OTHER)
    plan = plan_prune([a1, a2, o1], keep=1, now=NOW)
    assert ids(plan.delete) == [a2.id]


def test_same_second_ties_break_by_id() -> None:
    first, second = snap(1, n=1), snap(1, n=2)
    plan = plan_prune([first, second], keep=1, now=NOW)
    assert ids(plan.keep) == [second.id]


@pytest.mark.parametrize(
    "kwargs", [{"keep": -1}, {"max_age": dt.timedelta(days=-1)}], ids=["keep", "age"]
)
def test_negative_rules_are_usage_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        plan_prune([], now=NOW, **kwargs)  # type: ignore[arg-type]


def test_prune_executes_the_plan(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "snapshots")
    committed = []
    for s in (snap(1, SnapshotStatus.VERIFIED), snap(2), snap(3)):
        temp = store.temp_path(s.id)
        temp.write_bytes(b"x" * 100)
        committed.append(store.commit(s, temp))
    plan = plan_prune(store.list(), keep=1, now=NOW)
    result = prune(store, plan)
    assert result.deleted == tuple(ids(plan.delete)) and result.freed_bytes == 200
    assert ids(tuple(store.list())) == [committed[0].id]
    assert sorted(p.name for p in store.root.iterdir()) == [
        f"{committed[0].id}.dump",
        f"{committed[0].id}.json",
    ]
