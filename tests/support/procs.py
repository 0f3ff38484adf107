"""Processes as /proc shows them: a migsafe run's client tools, alive or gone."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

TOOLS = ("pg_dump", "pg_restore", "psql")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str  # /proc/<pid>/comm: the program after exec (a tool, not the wrapper starting it)
    state: str  # "Z": a zombie, dead but not yet reaped


def _read(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
    return Proc(pid, int(ppid), name, state)


def processes() -> list[Proc]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (proc := _read(int(entry.name))) is not None:
            found.append(proc)
    return found


def descendants(pid: int) -> list[Proc]:
    """Every live process below *pid* (children, their children...)."""
    everything = processes()
    below, frontier = [], {pid}
    while frontier:
        level = [p for p in everything if p.ppid in frontier and p.state != "Z"]
        below.extend(level)
        frontier = {p.pid for p in level}
    return below


def tools_of(pid: int, names: Collection[str] = TOOLS) -> list[Proc]:
    return [p for p in descendants(pid) if p.name in names]


def alive(proc: Proc) -> bool:
    """Still running: the pid exists, is the same program, and is not a zombie."""
    now = _read(proc.pid)
    return now is not None and now.name == proc.name and now.state != "Z"


def wait_for(what: Callable[[], _T], *, timeout: float, message: str) -> _T:
    """Poll *what* until it returns something truthy; fail with *message* at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout:g}s)")
        time.sleep(0.02)


def wait_gone(procs: Collection[Proc], *, timeout: float = 20) -> None:
    """Every one of *procs* has died (the deadline only fails a test that would hang)."""
    with contextlib.suppress(AssertionError):
        wait_for(lambda: not any(alive(p) for p in procs), timeout=timeout, message="")
    left = [f"{p.name} (pid {p.pid})" for p in procs if alive(p)]
    assert not left, f"still running after {timeout:g}s: {', '.join(left)}"
