"""Revert through the generated reverse vs restoring a snapshot; what archiving costs.

Builds a database with a 1,000,000-row table (`events`, ~200 MB) and a 10,000-row table
(`accounts`), and an Alembic project whose migration r002 drops a column of `accounts` and
adds another. Then, in one process:

1. takes a full snapshot (what `--backup` takes), applies r002 with `migsafe upgrade`, and makes
   writes in the new schema (new accounts, renamed accounts, new events);
2. reverts with `migsafe revert` (the stored reverse script: the dropped column's values come
   back from the archive, the added column is archived) and counts the writes still there;
3. applies r002 again and restores the snapshot in place instead (`migsafe snapshot restore`,
   a full pg_restore), and counts the writes still there;
4. times `migsafe upgrade` of r003, which drops a column of the 1,000,000-row table, with
   reverse scripts (the column's values are archived first, in the same transaction) and
   without (MIGSAFE_REVERSE=0), each on a fresh copy of the same database.

    python benchmarks/bench_reverse.py            # 1,000,000 / 10,000 rows, 3 rounds
    python benchmarks/bench_reverse.py --quick    # 50,000 / 2,000 rows, 1 round: for CI

Target (issue 4): the revert through the reverse is at least 50x faster than the full restore,
and keeps the writes the restore loses. The 50-migration ratio with reverse scripts on is
printed by bench_guard.py.

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; databases are created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_guard  # noqa: E402

from migsafe import api  # noqa: E402
from migsafe.settings import CliOptions, Settings, load_settings  # noqa: E402
from tests.support.pg import PgServer  # noqa: E402

TARGET = 50.0

REVISIONS = {
    "r001": (None, "baseline: the schema below, built by the benchmark", "pass"),
    "r002": (
        "r001",
        "accounts: drop legacy_code, add tier",
        'op.drop_column("accounts", "legacy_code")\n'
        '    op.add_column("accounts", sa.Column("tier", sa.Integer, nullable=True))',
    ),
    "r003": ("r002", "events: drop kind", 'op.drop_column("events", "kind")'),
}

SCHEMA = """
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id integer NOT NULL,
    kind integer NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO events
SELECT i, i % {accounts}, i % 7,
       md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text) || md5((i * 31)::text),
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1, {rows}) AS i;
CREATE TABLE accounts (
    id integer PRIMARY KEY,
    name text NOT NULL,
    legacy_code text,
    balance numeric(12, 2) NOT NULL DEFAULT 0
);
INSERT INTO accounts
SELECT i, 'account ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'L-' || i END, i * 0.5
FROM generate_series(1, {accounts}) AS i;
"""

NEW_ACCOUNTS, RENAMED, NEW_EVENTS = 500, 300, 1000


def write_project(
    root: Path, revisions: dict[str, tuple[str | None, str, str]] = REVISIONS
) -> Path:
    """An Alembic project of *revisions* (rev: (down revision, docstring, upgrade body))."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(bench_guard.ENV_PY)
    ini = root / "alembic.ini"
    ini.write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = driver://unset\n"
    )
    for rev, (down, doc, body) in revisions.items():
        (versions / f"{rev}.py").write_text(
            f'"""{doc}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
        )
    return ini


@contextlib.contextmanager
def database(srv: PgServer, template: str | None = None) -> Iterator[str]:
    name = f"bench_reverse_{uuid.uuid4().hex[:10]}"
    srv.create_database(name, template=template)
    try:
        yield name
    finally:
        srv.drop_database(name)


def settings_for(ini: Path, url: str, **overrides: object) -> Settings:
    return load_settings(CliOptions(config=ini, database_url=url), **overrides)


def timed(fn: object, *args: object, **kwargs: object) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)  # type: ignore[operator]
    return time.perf_counter() - t0, result


def make_writes(srv: PgServer, dbname: str, accounts: int) -> None:
    """Writes an application makes in the new schema after the upgrade."""
    with srv.connect(dbname) as conn:
        conn.execute(
            "INSERT INTO accounts (id, name, tier) "
            f"SELECT {accounts} + i, 'new ' || i, 1 FROM generate_series(1, {NEW_ACCOUNTS}) i"
        )
        conn.execute(f"UPDATE accounts SET name = 'renamed ' || id WHERE id <= {RENAMED}")
        conn.execute(
            "INSERT INTO events (id, account_id, kind, payload, created_at) "
            f"SELECT 100000000 + i, 1, 1, 'new', now() FROM generate_series(1, {NEW_EVENTS}) i"
        )


def surviving_writes(srv: PgServer, dbname: str, accounts: int) -> int:
    with srv.connect(dbname) as conn:
        row = conn.execute(
            f"SELECT (SELECT count(*) FROM accounts WHERE id > {accounts}), "
            "(SELECT count(*) FROM accounts WHERE name LIKE 'renamed %'), "
            "(SELECT count(*) FROM events WHERE id > 100000000)"
        ).fetchone()
    assert row is not None
    return int(row[0]) + int(row[1]) + int(row[2])


def legacy_values(srv: PgServer, dbname: str) -> int:
    """Old accounts whose dropped column came back with its value."""
    with srv.connect(dbname) as conn:
        row = conn.execute("SELECT count(legacy_code) FROM accounts").fetchone()
    assert row is not None
    return int(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small tables, 1 round (CI)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows, accounts = (50_000, 2_000) if args.quick else (1_000_000, 10_000)
    rounds = 1 if args.quick else args.rounds
    logging.disable(logging.INFO)
    writes = NEW_ACCOUNTS + RENAMED + NEW_EVENTS

    reverts: list[float] = []
    reverse_sql: list[float] = []
    restores: list[float] = []
    kept_by_revert: list[int] = []
    kept_by_restore: list[int] = []
    with_archive: list[float] = []
    without_archive: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, bench_guard.server() as srv:
        ini = write_project(Path(tmp) / "project")
        snapshots = Path(tmp) / "snapshots"
        with database(srv) as base:
            with srv.connect(base) as conn:
                fsync = conn.execute("SHOW fsync").fetchone()
                conn.execute(SCHEMA.format(rows=rows, accounts=accounts).encode())
                conn.execute("VACUUM ANALYZE")
            api.upgrade(settings_for(ini, srv.url(base)), "r001")
            for _ in range(rounds):
                with database(srv, template=base) as db:
                    cfg = settings_for(ini, srv.url(db), snapshot_dir=str(snapshots))
                    snap = api.snapshot_create(cfg)
                    api.upgrade(cfg, "r002")
                    make_writes(srv, db, accounts)
                    seconds, result = timed(api.revert, cfg, yes=True)
                    reverts.append(seconds)
                    reverse_sql.append(sum(result.step_seconds.values()))  # type: ignore[attr-defined]
                    kept_by_revert.append(surviving_writes(srv, db, accounts))
                    restored_legacy = legacy_values(srv, db)
                    api.upgrade(cfg, "r002")
                    seconds, _ = timed(api.snapshot_restore, cfg, snap.id, yes=True, force=True)
                    restores.append(seconds)
                    kept_by_restore.append(surviving_writes(srv, db, accounts))
                for kind in ("with", "without") * 1:
                    with database(srv, template=base) as db:
                        cfg = settings_for(ini, srv.url(db), reverse=kind == "with")
                        api.upgrade(cfg, "r002")
                        seconds, _ = timed(api.upgrade, cfg, "r003")
                        (with_archive if kind == "with" else without_archive).append(seconds)

    med_revert = statistics.median(reverts)
    med_restore = statistics.median(restores)
    ratio = med_restore / med_revert
    print(
        f"database: events {rows:,} rows, accounts {accounts:,} rows; {rounds} round(s); "
        f"server fsync={fsync[0] if fsync else '?'}"
    )
    print("migration r002: accounts.legacy_code dropped, accounts.tier added")
    print(
        f"writes after the upgrade: {writes} ({NEW_ACCOUNTS} new accounts, {RENAMED} renamed, "
        f"{NEW_EVENTS} new events)"
    )
    print(
        f"revert through the stored reverse   median {med_revert * 1000:9.1f} ms  "
        f"(writes kept: {min(kept_by_revert)} of {writes}; legacy_code values back: "
        f"{restored_legacy})"
    )
    print(
        f"full pg_restore of the snapshot     median {med_restore * 1000:9.1f} ms  "
        f"(writes kept: {max(kept_by_restore)} of {writes}; "
        f"lost: {writes - max(kept_by_restore)})"
    )
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"ratio restore/revert: {ratio:.1f}x  (target >= {TARGET:g}x: {verdict})")
    med_sql = statistics.median(reverse_sql)
    print(
        f"  of the revert, the reverse SQL itself: median {med_sql * 1000:.1f} ms "
        f"(restore/that: {med_restore / med_sql:.0f}x); the rest is the session, the runner "
        "lock, the history rows and the schema-fingerprint check"
    )
    med_with = statistics.median(with_archive)
    med_without = statistics.median(without_archive)
    print(
        f"upgrade dropping events.kind ({rows:,} rows): with the archive "
        f"{med_with * 1000:.1f} ms, without (MIGSAFE_REVERSE=0) {med_without * 1000:.1f} ms; "
        f"archiving costs {(med_with - med_without) * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
