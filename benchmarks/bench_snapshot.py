"""Cost of snapshots: a `tables` snapshot vs a full one, their restores, and pg_dump's gzip level.

Builds a database with a 1,000,000-row table (~200 MB, generated server-side) and three small
tables, and an Alembic project whose one pending migration adds a column to `small_a`. Then, in
one process:

* takes the snapshot `migsafe upgrade --backup=full` and `--backup=tables` take, through the
  function upgrade calls (`engine.backup.backup_for`: for `tables` the decision from the
  migration's offline SQL, then pg_dump and the check of the file written), alternating;
* restores each in place as the guard does after a failed upgrade (`engine.backup.restore`, with
  the migration applied first so there is something to undo);
* times bare `pg_dump -Fc` of the whole database at -Z0, -Z1 and -Z6 (pg_dump's default),
  `pg_restore` reading each archive back, and migsafe's full snapshot and full restore at each
  level, to choose migsafe's compression level.

The test suite's throwaway cluster runs with fsync=off: restores there are faster than on a
server that must write its WAL to disk (the snapshot files are fsynced either way).

    python benchmarks/bench_snapshot.py            # 1,000,000 rows, 5 rounds (a few minutes)
    python benchmarks/bench_snapshot.py --quick    # 50,000 rows, 1 round, no -Z6: for CI

Target: the `tables` snapshot takes at most 5% of the full snapshot's time.

Compression: the default stays gzip level 1 (settings.DEFAULT_COMPRESSION). On a 2-core machine
with the 246 MB database, bare pg_dump -Fc took 5.0 s at -Z6 (pg_dump's default), 1.85 s at -Z1
and 0.56-0.58 s at -Z0: zlib is most of its time. -Z1 takes 37% of -Z6's time for 3% more bytes,
so -Z6 is not worth it. -Z0 against -Z1 is a trade of disk for time: migsafe's full snapshot
took 0.65-0.71x as long (2.5 s vs 3.5-3.8 s; its per-table hashing, run alongside pg_dump, is
then the longest part) and its full restore about as long (0.92-1.02x), but the file is 1.9x the
bytes (193 MB vs 101 MB), fsynced before the migration starts and kept until pruned. Level 1 is
kept as the default: snapshots pile up in the store, and the time -Z0 saves shrinks on a slow
snapshot disk (writing 193 MB takes longer than -Z1's whole 3.5 s below ~55 MB/s). Where the
disk is fast and roomy, MIGSAFE_SNAPSHOT_COMPRESSION=0 (snapshot_compression = 0) saves about a
third.

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; a database is created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import statistics
import subprocess
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
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from migsafe.engine import backup, runner  # noqa: E402
from migsafe.engine.backup import backup_for, tables_for_plan  # noqa: E402
from migsafe.engine.project import upgrade_steps  # noqa: E402
from migsafe.settings import DEFAULT_COMPRESSION, CliOptions, Settings, load_settings  # noqa: E402
from migsafe.snapshots import service  # noqa: E402
from migsafe.snapshots.model import SnapshotMode  # noqa: E402
from migsafe.snapshots.pgtools import libpq_invocation, require_tools  # noqa: E402
from tests.support.pg import PgServer  # noqa: E402

FULL, TABLES = SnapshotMode.FULL, SnapshotMode.TABLES

MB = 1_000_000
TARGET = 0.05

# The stock `alembic init` env.py, shared with the guard benchmark.
ENV_PY = bench_guard.ENV_PY

REVISIONS = {
    "r001": (None, "baseline: the schema below, built by the benchmark", "pass", "pass"),
    "r002": (
        "r001",
        "add a column to small_a",
        'op.add_column("small_a", sa.Column("note", sa.Text(), nullable=True))',
        'op.drop_column("small_a", "note")',
    ),
}

# ~150 bytes of hex per row: compresses about like real text does (gzip roughly halves it).
SCHEMA = """
CREATE TABLE big_events (
    id bigint PRIMARY KEY,
    account_id integer NOT NULL,
    kind integer NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO big_events
SELECT i, i % 10000, i % 7,
       md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text) || md5((i * 31)::text)
         || left(md5((i * 17)::text), 22),
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1, {rows}) AS i;
CREATE TABLE small_a (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO small_a (name) SELECT 'a ' || i FROM generate_series(1, 200) AS i;
CREATE TABLE small_c (id integer PRIMARY KEY, label text NOT NULL);
INSERT INTO small_c SELECT i, 'c ' || i FROM generate_series(1, 50) AS i;
CREATE TABLE small_b (
    id integer PRIMARY KEY,
    small_c_id integer NOT NULL REFERENCES small_c,
    amount numeric(10, 2) NOT NULL
);
INSERT INTO small_b SELECT i, 1 + i % 50, i * 1.5 FROM generate_series(1, 500) AS i;
"""


server = bench_guard.server  # MIGSAFE_BENCH_DATABASE_URL, else the test suite's cluster


@contextlib.contextmanager
def bench_database(srv: PgServer) -> Iterator[str]:
    """A new database (no template needed), dropped afterwards."""
    name = f"bench_snapshot_{uuid.uuid4().hex[:10]}"
    srv.create_database(name)
    try:
        yield name
    finally:
        srv.drop_database(name)


def build_database(srv: PgServer, dbname: str, rows: int) -> float:
    t0 = time.perf_counter()
    with srv.connect(dbname) as conn:
        conn.execute(SCHEMA.format(rows=int(rows)).encode())
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def write_project(root: Path) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    ini = root / "alembic.ini"
    ini.write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = driver://unset\n"
    )
    for rev, (down, doc, up_body, down_body) in REVISIONS.items():
        (versions / f"{rev}.py").write_text(
            f'"""{doc}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n    {up_body}\n\n\ndef downgrade():\n    {down_body}\n"
        )
    return ini


def alembic_config(ini: Path, url: str) -> Config:
    cfg = Config(str(ini))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def state(srv: PgServer, dbname: str) -> tuple[str, bool, int]:
    """(Alembic revision, whether small_a has the migration's column, big_events' rows)."""
    with srv.connect(dbname) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        has_note = conn.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'small_a' AND column_name = 'note'"
        ).fetchone()
        big = conn.execute("SELECT count(*) FROM big_events").fetchone()
    assert version and has_note and big
    return str(version[0]), bool(has_note[0]), int(big[0])


def sizes(srv: PgServer, dbname: str) -> tuple[int, int]:
    with srv.connect(dbname) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('big_events'), pg_database_size(current_database())"
        ).fetchone()
    assert row
    return int(row[0]), int(row[1])


@dataclasses.dataclass
class Backup:
    seconds: float
    guard: backup.Backup
    decision_seconds: float | None = None


def take_backup(settings: Settings, mode: str, *, time_decision: bool = False) -> Backup:
    """What `migsafe upgrade --backup=MODE` does before the migration, timed from the snapshot.

    The run's session, runner lock and plan come first, as in api.upgrade, untimed: they are
    the same whatever the backup mode. ``backup_for`` is the part the mode changes.
    """
    run_id, session = runner.open_run(settings, dry_run=False)
    try:
        with runner.lock(session, run_id, None):
            session.reprobe()
            steps = upgrade_steps(session.project, "head", session.heads)
            plan = runner.make_plan(session, "upgrade", "upgrade", "head", steps)
            t0 = time.perf_counter()
            planned, guard, used = backup_for(
                session, plan, steps, mode=mode, run_id=run_id, progress=None
            )
            seconds = time.perf_counter() - t0
            decision_seconds = None
            if time_decision:
                t0 = time.perf_counter()
                tables_for_plan(session, plan, steps)
                decision_seconds = time.perf_counter() - t0
    finally:
        session.close()
    if guard is None or used != mode:
        raise SystemExit(f"--backup={mode} did not take a {mode} snapshot: {planned.notes}")
    return Backup(seconds, guard, decision_seconds)


def restore_backup(settings: Settings, guard: backup.Backup) -> float:
    """The guard's in-place restore after a failed upgrade (engine.backup.restore), timed."""
    run_id, session = runner.open_run(settings, dry_run=False)
    try:
        with runner.lock(session, run_id, None):
            session.reprobe()
            t0 = time.perf_counter()
            backup.restore(session, guard.snapshot, drop_also=guard.created, wait_for_others=True)
            return time.perf_counter() - t0
    finally:
        session.close()


def time_pg_dump(srv: PgServer, dbname: str, level: int, out: Path) -> tuple[float, int, float]:
    """Bare `pg_dump -Fc -Z LEVEL` of the database: seconds, bytes, pg_restore read-back seconds."""
    with srv.connect(dbname) as conn:
        version_num = conn.info.server_version
    tools = require_tools(version_num, ("pg_dump", "pg_restore"))
    with libpq_invocation(srv.url(dbname)) as libpq:
        t0 = time.perf_counter()
        subprocess.run(
            [
                str(tools["pg_dump"].path),
                "--format=custom",
                f"--compress={level}",
                "--no-password",
                "--no-sync",
                f"--file={out}",
                f"--dbname={libpq.conninfo}",
            ],
            env=libpq.env,
            check=True,
        )
        seconds = time.perf_counter() - t0
    size = out.stat().st_size
    # Reading the archive back decompresses every row: what a restore pays for the level.
    t0 = time.perf_counter()
    subprocess.run([str(tools["pg_restore"].path), "--file=/dev/null", str(out)], check=True)
    read_back = time.perf_counter() - t0
    out.unlink()
    return seconds, size, read_back


def size_text(n: int) -> str:
    return f"{n / MB:.2f} MB" if n >= MB else f"{n / 1000:.1f} kB"


def verdict(ratio: float) -> str:
    return "met" if ratio <= TARGET else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 rows, 1 round, no -Z6")
    parser.add_argument("--rows", type=int, default=None, help="rows in the big table")
    parser.add_argument("--rounds", type=int, default=5, help="snapshot rounds (each: both)")
    parser.add_argument("--restore-rounds", type=int, default=3)
    args = parser.parse_args()
    rows = args.rows or (50_000 if args.quick else 1_000_000)
    rounds = 1 if args.quick else args.rounds
    restore_rounds = 1 if args.quick else args.restore_rounds
    levels = (0, 1) if args.quick else (0, 1, 6)
    logging.disable(logging.INFO)  # Alembic's INFO lines

    with (
        tempfile.TemporaryDirectory() as tmp,
        server() as srv,
        bench_database(srv) as dbname,
    ):
        url = srv.url(dbname)
        build_s = build_database(srv, dbname, rows)
        big_bytes, db_bytes = sizes(srv, dbname)
        ini = write_project(Path(tmp))
        cfg = alembic_config(ini, url)
        command.stamp(cfg, "r001")
        settings = load_settings(CliOptions(config=ini, database_url=url))
        store = service.open_store(settings.snapshots_path)

        # The first tables snapshot in a process also imports pglast and renders the
        # migrations offline for the first time: what a fresh `migsafe upgrade` pays.
        first_tables = take_backup(settings, TABLES)
        take_backup(settings, FULL)  # untimed warm-up, like the tables one above
        full_runs: list[Backup] = []
        tables_runs: list[Backup] = []
        for i in range(rounds):
            order = [FULL, TABLES] if i % 2 == 0 else [TABLES, FULL]
            for mode in order:
                done = take_backup(settings, mode, time_decision=mode == TABLES)
                (full_runs if mode == FULL else tables_runs).append(done)
        full_snap = full_runs[-1].guard
        tables_snap = tables_runs[-1].guard
        keep = {full_snap.snapshot.id, tables_snap.snapshot.id}
        for snap in store.list():
            if snap.id not in keep:
                store.delete(snap)  # bounded disk use: only the two restored below stay

        # Restores: apply the migration (untimed), then undo it the way the guard does.
        tables_restores: list[float] = []
        full_restores: list[float] = []
        for _ in range(restore_rounds):
            for guard, times in ((tables_snap, tables_restores), (full_snap, full_restores)):
                command.upgrade(cfg, "head")
                assert state(srv, dbname)[:2] == ("r002", True)
                times.append(restore_backup(settings, guard))
                got = state(srv, dbname)
                assert got == ("r001", False, rows), f"restore left {got}"

        # Compression: bare pg_dump at each level, then migsafe's own full snapshot and full
        # restore at that level (its snapshot also hashes every table while pg_dump runs).
        dumps = {level: time_pg_dump(srv, dbname, level, Path(tmp) / "z.dump") for level in levels}
        by_level: dict[int, tuple[float, float]] = {}
        for level in levels:
            at_level = dataclasses.replace(settings, snapshot_compression=level)
            snap_times, restore_times = [], []
            for _ in range(restore_rounds):
                done = take_backup(at_level, FULL)
                snap_times.append(done.seconds)
                command.upgrade(cfg, "head")
                restore_times.append(restore_backup(at_level, done.guard))
                assert state(srv, dbname) == ("r001", False, rows)
                store.delete(done.guard.snapshot)
            by_level[level] = (statistics.median(snap_times), statistics.median(restore_times))

    full_s = statistics.median(b.seconds for b in full_runs)
    tables_s = statistics.median(b.seconds for b in tables_runs)
    decision_s = statistics.median(b.decision_seconds or 0.0 for b in tables_runs)
    full_restore_s = statistics.median(full_restores)
    tables_restore_s = statistics.median(tables_restores)
    ratio = tables_s / full_s
    ratio_first = first_tables.seconds / full_s

    print(
        f"database: big_events {rows:,} rows, {big_bytes / MB:.1f} MB with its index; "
        f"small_a 200, small_b 500, small_c 50 rows; database {db_bytes / MB:.1f} MB "
        f"(built in {build_s:.1f} s)"
    )
    print(
        f"pending migration r002 adds a column to small_a; the tables snapshot holds "
        f"{', '.join(tables_snap.snapshot.tables)}"
    )
    print(
        f"snapshot compression: gzip level {full_snap.snapshot.compression} "
        f"(settings.DEFAULT_COMPRESSION = {DEFAULT_COMPRESSION}); "
        f"{rounds} snapshot rounds, {restore_rounds} restore rounds"
    )
    print(
        f"full snapshot   (upgrade --backup=full)   median {full_s:8.3f} s  "
        f"size {size_text(full_snap.snapshot.size)}"
    )
    print(
        f"tables snapshot (upgrade --backup=tables) median {tables_s:8.3f} s  "
        f"size {size_text(tables_snap.snapshot.size)}  (tables decision {decision_s:.3f} s of it)"
    )
    print(
        f"tables snapshot, first in the process (imports pglast, first offline render): "
        f"{first_tables.seconds:.3f} s"
    )
    print(f"ratio tables/full snapshot time: {ratio:.1%}  (target <= 5%: {verdict(ratio)})")
    print(
        f"ratio tables/full snapshot time, first in the process: {ratio_first:.1%}  "
        f"(target <= 5%: {verdict(ratio_first)})"
    )
    size_ratio = tables_snap.snapshot.size / full_snap.snapshot.size
    print(f"ratio tables/full snapshot size: {size_ratio:.3%}")
    print(f"full restore   (in place, as the guard does) median {full_restore_s:8.3f} s")
    print(f"tables restore (in place, as the guard does) median {tables_restore_s:8.3f} s")
    print(f"ratio tables/full restore time: {tables_restore_s / full_restore_s:.1%}")
    print(f"full snapshot runs (s): {' '.join(f'{b.seconds:.3f}' for b in full_runs)}")
    print(f"tables snapshot runs (s): {' '.join(f'{b.seconds:.3f}' for b in tables_runs)}")
    for level, (seconds, size, read_back) in dumps.items():
        snap_s, restore_s = by_level[level]
        print(
            f"pg_dump -Fc -Z{level}: {seconds:7.3f} s  {size / MB:8.2f} MB  "
            f"(pg_restore reads it back in {read_back:.3f} s); migsafe at -Z{level}: "
            f"full snapshot {snap_s:.3f} s, full restore {restore_s:.3f} s"
        )
    z1_s, z1_size, _ = dumps[1]
    z0_s, z0_size, _ = dumps[0]
    print(
        f"-Z0 vs -Z1: bare pg_dump {z0_s / z1_s:.2f}x the time, {z0_size / z1_size:.2f}x the "
        f"bytes; migsafe full snapshot {by_level[0][0] / by_level[1][0]:.2f}x the time, "
        f"full restore {by_level[0][1] / by_level[1][1]:.2f}x"
    )
    if 6 in dumps:
        z6_s, z6_size, _ = dumps[6]
        print(
            f"-Z1 vs -Z6 (pg_dump's default): bare pg_dump {z1_s / z6_s:.0%} of the time, "
            f"{z1_size / z6_size:.2f}x the bytes; migsafe full snapshot "
            f"{by_level[1][0] / by_level[6][0]:.0%} of the time"
        )
    print(
        f"migsafe's full snapshot at -Z1 costs {by_level[1][0] / z1_s:.2f}x bare pg_dump -Z1 "
        "(it hashes every table in the same database snapshot, then checksums and checks the file)"
    )
    print(f"chosen default: -Z{DEFAULT_COMPRESSION} (settings.DEFAULT_COMPRESSION)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
