"""What capturing the before-images of a data migration costs, and what its revert saves.

Builds a 1,000,000-row table (`items`, ~130 MB) and two Alembic projects whose r002 is a data
migration: an UPDATE of every row (`full`), and of 1% of them (`1%`). For each, on fresh copies
of the same database:

1. times `migsafe upgrade` of r002 with reverse scripts and row capture (the statement triggers
   copy the rows the UPDATE touched, old and new, into the archive schema); with reverse
   scripts but without row capture (`capture-rows = false` and `--allow-irreversible`, what a
   data migration needed before); and with no reverse scripts at all (MIGSAFE_REVERSE=0);
2. takes a tables snapshot of `items` (what `--backup` takes for a plan that names it), applies
   r002, then times `migsafe revert` (the rows put back from the before-images) against
   `migsafe snapshot restore` of that snapshot, and checks that both end with the same rows.

    python benchmarks/bench_datarev.py            # 1,000,000 rows, 3 rounds
    python benchmarks/bench_datarev.py --quick    # 50,000 rows, 1 round: for CI

Targets (issue 12): upgrade with capture <= 2x without it for the full-table UPDATE, <= 1.2x
for the 1% one; the revert is compared with the tables restore (no target, printed).

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; databases are created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_guard  # noqa: E402
import bench_reverse  # noqa: E402

from migsafe import api  # noqa: E402
from migsafe.settings import CliOptions, load_settings  # noqa: E402

SCHEMA = """
CREATE TABLE items (
    id bigint PRIMARY KEY,
    account integer NOT NULL,
    price numeric(12, 2) NOT NULL,
    status text NOT NULL,
    payload text NOT NULL
);
INSERT INTO items
SELECT i, i % 5000, (i % 1000) * 1.25, 'open', md5(i::text) || md5((i * 7)::text)
FROM generate_series(1, {rows}) AS i;
"""

MIGRATIONS = {
    "full": "UPDATE items SET price = price * 1.1, status = 'repriced'",
    "1%": "UPDATE items SET price = price * 1.1, status = 'repriced' WHERE id % 100 = 0",
}
TARGETS = {"full": 2.0, "1%": 1.2}
VARIANTS: dict[str, dict[str, object]] = {
    "with": {},
    "without": {"capture_rows": False, "allow_irreversible": True},
    "plain": {"reverse": False},
}


def write_project(root: Path, statement: str) -> Path:
    return bench_reverse.write_project(
        root,
        {
            "r001": (None, "baseline", "pass"),
            "r002": ("r001", "the data migration", f"op.execute({statement!r})"),
        },
    )


def rows_hash(srv: object, dbname: str) -> str:
    with srv.connect(dbname) as conn:  # type: ignore[attr-defined]
        row = conn.execute("SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM items i")
        return str(row.fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 rows, 1 round (CI)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = 50_000 if args.quick else 1_000_000
    rounds = 1 if args.quick else args.rounds
    logging.disable(logging.INFO)

    figures: dict[str, dict[str, list[float]]] = {
        kind: {"with": [], "without": [], "plain": [], "revert": [], "restore": []}
        for kind in MIGRATIONS
    }
    archived: dict[str, int] = {}
    exact: dict[str, bool] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        bench_guard.server() as srv,
        bench_reverse.database(srv) as base,
    ):
        with srv.connect(base) as conn:
            found = conn.execute("SHOW fsync").fetchone()
            fsync = found[0] if found else "?"
            conn.execute(SCHEMA.format(rows=rows).encode())
            conn.execute("VACUUM ANALYZE")
        for kind, statement in MIGRATIONS.items():
            ini = write_project(Path(tmp) / kind.replace("%", "pct"), statement)
            snapshots = Path(tmp) / "snapshots"
            for _ in range(rounds):
                for variant, overrides in VARIANTS.items():
                    with bench_reverse.database(srv, template=base) as db:
                        options = CliOptions(config=ini, database_url=srv.url(db))
                        cfg = load_settings(options, **overrides)
                        api.upgrade(cfg, "r001")
                        seconds, _ = bench_reverse.timed(api.upgrade, cfg, "r002")
                        figures[kind][variant].append(seconds)
                with bench_reverse.database(srv, template=base) as db:
                    cfg = load_settings(
                        CliOptions(config=ini, database_url=srv.url(db)),
                        snapshot_dir=str(snapshots),
                    )
                    api.upgrade(cfg, "r001")
                    before = rows_hash(srv, db)
                    snap = api.snapshot_create(cfg, mode="tables", tables=("items",))
                    api.upgrade(cfg, "r002")
                    archives = api.archive_list(cfg).entries
                    archived[kind] = sum(e.bytes or 0 for e in archives if e.kind == "rows")
                    seconds, _ = bench_reverse.timed(api.revert, cfg, yes=True)
                    figures[kind]["revert"].append(seconds)
                    reverted = rows_hash(srv, db)
                    api.upgrade(cfg, "r002")
                    seconds, _ = bench_reverse.timed(
                        api.snapshot_restore, cfg, snap.id, yes=True, force=True
                    )
                    figures[kind]["restore"].append(seconds)
                    exact[kind] = before == reverted == rows_hash(srv, db)

    print(f"table items: {rows:,} rows; {rounds} round(s); medians; server fsync={fsync}")
    verdicts = []
    for kind, f in figures.items():
        med = {k: statistics.median(v) for k, v in f.items()}
        ratio = med["with"] / med["without"]
        target = TARGETS[kind]
        verdict = "met" if ratio <= target else "NOT met"
        verdicts.append(ratio <= target)
        print(
            f"UPDATE {kind:>4} of the rows: upgrade with capture {med['with'] * 1000:8.1f} ms, "
            f"without {med['without'] * 1000:8.1f} ms: {ratio:.2f}x (target <= {target:g}x: "
            f"{verdict}); before-images kept: {archived[kind] / 1e6:.1f} MB"
        )
        print(
            f"               no reverse scripts at all {med['plain'] * 1000:8.1f} ms: with capture"
            f" {med['with'] / med['plain']:.2f}x that"
        )
        print(
            f"               revert {med['revert'] * 1000:8.1f} ms vs tables snapshot restore "
            f"{med['restore'] * 1000:8.1f} ms: restore/revert {med['restore'] / med['revert']:.2f}x"
            f"; rows back exactly: {'yes' if exact[kind] else 'NO'}"
        )
    return 0 if all(exact.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
