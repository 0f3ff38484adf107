"""The regex benchmark keeps running (quick mode): its figures are read, not asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_regex_quick_mode_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_regex.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(re.findall(r"chars: re2 +[\d.]+ us +re +[\d.]+ ms +ratio [\d,]+x", done.stdout)) == 3
