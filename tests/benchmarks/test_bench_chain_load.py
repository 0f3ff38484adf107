"""The chain-load benchmark keeps running (quick mode): its figures are read, not asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_chain_load_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_chain_load.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for label in ("migsafe status", "migsafe history", r"migsafe revert --dry-run \(stored\)"):
        assert re.search(label + r"\s+median \d+ ms", done.stdout), done.stdout
