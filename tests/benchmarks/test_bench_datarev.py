"""The data-change benchmark keeps running (quick mode): its timings are for people to read,
but whether both reverts brought every row back exactly is a fact, so it is checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_datarev_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_datarev.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    out = done.stdout
    assert "table items: 50,000 rows; 1 round(s)" in out, out
    for kind, target in (("full", "2"), ("1%", "1.2")):
        assert re.search(
            rf"UPDATE +{re.escape(kind)} of the rows: upgrade with capture +[\d.]+ ms, without "
            rf"+[\d.]+ ms: [\d.]+x \(target <= {re.escape(target)}x: (met|NOT met)\); "
            r"before-images kept: [\d.]+ MB",
            out,
        ), out
    assert out.count("rows back exactly: yes") == 2, out
