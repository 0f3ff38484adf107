"""The reverse benchmark keeps running (quick mode): its figures are for people to read, but
what it counts (writes kept by the revert, lost by the restore) is a fact, so it is checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_reverse_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_reverse.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(
        r"revert through the stored reverse +median +[\d.]+ ms +\(writes kept: "
        r"1800 of 1800; legacy_code values back: 1334\)",
        out,
    ), out
    assert re.search(
        r"full pg_restore of the snapshot +median +[\d.]+ ms +\(writes kept: 0 of "
        r"1800; lost: 1800\)",
        out,
    ), out
    assert re.search(r"ratio restore/revert: [\d.]+x  \(target >= 50x: (met|NOT met)\)", out)
    assert re.search(r"archiving costs -?[\d.]+ ms", out)
