"""The guard benchmark keeps running (quick mode): its figures are read by people, not asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_guard_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_guard.py"),
            "--quick",
            "--migrations",
            "10",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"alembic\.command\.upgrade\s+median\s+[\d.]+ ms", done.stdout)
    assert re.search(r"ratio migsafe/alembic, steady state: [\d.]+", done.stdout)
    assert re.search(r"migsafe status \(new process\) median \d+ ms", done.stdout)
