"""The snapshot benchmark keeps running (quick mode): its figures are for people to read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_snapshot_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_snapshot.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"database: big_events 50,000 rows, [\d.]+ MB", out)
    assert re.search(r"the tables snapshot holds public\.alembic_version, public\.small_a\n", out)
    assert re.search(r"full snapshot .+ median +[\d.]+ s +size [\d.]+ [kM]B", out)
    assert re.search(r"tables snapshot .+ median +[\d.]+ s +size [\d.]+ [kM]B", out)
    assert re.search(
        r"ratio tables/full snapshot time: [\d.]+%  \(target <= 5%: (met|NOT met)\)", out
    )
    assert re.search(r"full restore .+ median +[\d.]+ s", out)
    assert re.search(r"tables restore .+ median +[\d.]+ s", out)
    assert re.search(r"ratio tables/full restore time: [\d.]+%", out)
    for level in (0, 1):  # quick mode skips -Z6
        assert re.search(rf"pg_dump -Fc -Z{level}: +[\d.]+ s +[\d.]+ MB", out)
    assert "-Z6:" not in out
    assert re.search(r"chosen default: -Z\d", out)
