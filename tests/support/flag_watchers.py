"""Separate processes, each holding a `FlagClient.from_database`, that report one flag's answer.

Used by the propagation test (tests/flags/test_propagation.py) and the propagation benchmark
(benchmarks/bench_flags.py). Each watcher is `python -m tests.support.flag_watchers URL NAME
INI POLL`: it prints `ready VALUE NS` once its listener has read the database, then `seen VALUE
NS` each time the flag's answer changes, where NS is `time.monotonic_ns()`, the same
system-wide clock (CLOCK_MONOTONIC) in every process on Linux, so the parent can subtract its
own readings. A watcher exits when its stdin closes.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Seen:
    """One report: watcher `index` answered `value` at `ns` (monotonic, system-wide)."""

    index: int
    value: bool
    ns: int


class Watchers:
    """N watcher processes and the reports they send, read by one thread per process."""

    def __init__(self, procs: list[subprocess.Popen[str]]) -> None:
        self.procs = procs
        self.reports: queue.Queue[Seen | BaseException] = queue.Queue()
        self.current: list[bool | None] = [None] * len(procs)
        for index, proc in enumerate(procs):
            threading.Thread(target=self._read, args=(index, proc), daemon=True).start()

    def _read(self, index: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            kind, value, ns = line.split()
            if kind in ("ready", "seen"):
                self.reports.put(Seen(index, value == "1", int(ns)))
        self.reports.put(RuntimeError(f"watcher {index} (pid {proc.pid}) exited"))

    def wait_all(self, value: bool, timeout: float) -> list[Seen]:
        """Wait until every watcher answers `value`; the reports that got there, by watcher.

        Fails (AssertionError) after `timeout` seconds: a bound, not a timing assertion.
        """
        deadline = time.monotonic() + timeout
        arrived: dict[int, Seen] = {}
        while any(v is not value for v in self.current):
            left = deadline - time.monotonic()
            try:
                report = self.reports.get(timeout=max(left, 0.0)) if left > 0 else None
            except queue.Empty:
                report = None
            if report is None:
                raise AssertionError(
                    f"after {timeout}s the watchers answer {self.current}, not all {value}"
                )
            if isinstance(report, BaseException):
                raise AssertionError(str(report))
            self.current[report.index] = report.value
            if report.value is value:
                arrived[report.index] = report
            else:
                arrived.pop(report.index, None)
        return [arrived[i] for i in sorted(arrived)]


@contextlib.contextmanager
def watchers(
    url: str,
    name: str,
    count: int = 8,
    *,
    alembic_ini: Path | None = None,
    check_every: float = 0.005,
    timeout: float = 30.0,
) -> Iterator[Watchers]:
    """Start `count` watchers of flag `name` and wait until each is ready; stop them after."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    procs: list[subprocess.Popen[str]] = []
    try:
        for _ in range(count):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.support.flag_watchers",
                        url,
                        name,
                        str(alembic_ini or "-"),
                        str(check_every),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                    env=env,
                )
            )
        group = Watchers(procs)
        deadline = time.monotonic() + timeout
        while any(v is None for v in group.current):
            report = group.reports.get(timeout=max(deadline - time.monotonic(), 0.01))
            if isinstance(report, BaseException):
                raise AssertionError(str(report))
            group.current[report.index] = report.value
        yield group
    finally:
        for proc in procs:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the watcher's signal to exit
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _watch(url: str, name: str, ini: str, check_every: float) -> None:
    from flags import FlagClient

    client = FlagClient.from_database(url, alembic_config=None if ini == "-" else ini)
    stop = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    while client.reads < 1 and not stop.is_set():  # listening, and read once since
        time.sleep(0.005)
    value = client.is_enabled(name)
    print(f"ready {int(value)} {time.monotonic_ns()}", flush=True)
    while not stop.wait(check_every):
        now = client.is_enabled(name)
        if now != value:
            print(f"seen {int(now)} {time.monotonic_ns()}", flush=True)
            value = now
    client.close()


if __name__ == "__main__":
    _watch(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
