"""A REGEX constraint that backtracks: RE2 (what flags evaluate with) against Python's `re`.

`(a+)+$` on `a` * N + `!` is exponential for a backtracking engine and linear for RE2. Prints
the time per search for each, and the ratio at the largest N both were run on; asserts nothing.

    python benchmarks/bench_regex.py            # N up to 23 for `re` (about a second)
    python benchmarks/bench_regex.py --quick    # N up to 18
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flags.evaluate.constraints.re2_syntax import compile_re2

PATTERN = r"(a+)+$"


def per_search(search: Callable[[str], object], text: str, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        search(text)
    return (time.perf_counter() - start) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    largest = 18 if parser.parse_args().quick else 23
    fast = compile_re2(PATTERN).search
    slow = re.compile(PATTERN).search
    for n in range(largest - 4, largest + 1, 2):
        text = "a" * n + "!"
        linear = per_search(fast, text, 2000)
        backtracking = per_search(slow, text, 1)
        print(
            f"{len(text):>3} chars: re2 {linear * 1e6:8.1f} us   re {backtracking * 1e3:9.1f} ms"
            f"   ratio {backtracking / linear:,.0f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
