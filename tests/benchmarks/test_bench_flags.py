"""The flags benchmark keeps running (quick mode): its figures are read by people, not asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIGURE = r"best +[\d.]+ (ns|us) +median +[\d.]+ (ns|us) +per call"


def test_bench_flags_quick_mode_prints_its_figures(pg_server) -> None:
    env = {**os.environ, "MIGSAFE_BENCH_DATABASE_URL": pg_server.admin_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_flags.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "socket connects and name lookups attempted: 0" in out
    assert re.search(
        r"agreement: flags and UnleashClient gave the same answer .+ \d+ contexts", out
    )
    for label, name in (("a", "plain_on"), ("b", "rollout_50"), ("c", "no_such_flag")):
        block = re.search(
            rf"\({label}\) [^\n]*is_enabled\('{name}'\) -> (True|False)\n"
            rf" +FlagClient +{FIGURE}\n"
            rf" +UnleashClient +{FIGURE}\n"
            rf" +ratio UnleashClient/flags: [\d.]+x median, [\d.]+x best",
            out,
        )
        assert block, f"case ({label}) figures missing:\n{out}"
    assert re.search(r"\(target >= 30x: (met|NOT met)\)", out)
    assert re.search(r"\(target >= 10x: (met|NOT met)\)", out)
    assert re.search(
        r"FlagClient median [\d.]+ us per call +\(target <= 1 us: (met|NOT met)\)", out
    )
    for label in ("24 a's and !", "10000 a's and !"):
        assert re.search(
            rf"userId = {label} -> False\n +FlagClient +{FIGURE}\n +UnleashClient +{FIGURE}", out
        ), f"REGEX figures for {label} missing:\n{out}"
    assert re.search(
        r"propagation \(migsafe flags disable/enable -> 8 processes, 10 flips, 80 observations",
        out,
    )
    assert re.search(
        r"p50 [\d.]+ ms +p99 [\d.]+ ms +max [\d.]+ ms +\(target p99 < 100 ms: (met|NOT met)\)", out
    )
    assert re.search(r"vs Unleash's default 15 s poll: \d+x its worst case", out)
