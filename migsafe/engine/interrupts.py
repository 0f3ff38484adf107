"""Signals (SIGTERM, SIGINT, SIGHUP) turned into a truthful end of the run.

A deploy system sends SIGTERM first, a terminal SIGINT or SIGHUP. Whatever the signal, the
run must end in a state it can name: before its COMMIT the transaction is rolled back (the
signal raises :class:`Interrupted`, a ``KeyboardInterrupt``, where the run is); during a
COMMIT and the bookkeeping around it the signal waits (:func:`shielded`); once the work is
committed it is only recorded (:func:`settle`): the run finishes and records itself as
succeeded, and the command says the signal came after the commit. A second signal after the
commit interrupts the bookkeeping (the operator insists).

Python runs a signal handler only between bytecodes of the main thread: a statement blocked
in a driver's C code (psycopg2, pg8000), on a worker thread or in the asyncpg bridge would
hold the signal until it ends. So the C-level handler also wakes a watcher thread (through
``signal.set_wakeup_fd``), which calls the cancel functions registered with
:func:`cancel_on_signal` (``pg_cancel_backend`` of the migration's backend, from a side
connection): the statement is cancelled on the first signal, whoever runs it.

:func:`install` is called by the command line's ``main()`` only (signal handlers can only be
set from the main thread); without it, as under :func:`migsafe.run`, everything here is inert
but for the state that :func:`reset` clears.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "SIGNALS",
    "Interrupted",
    "cancel_on_signal",
    "during",
    "install",
    "phase",
    "received",
    "reset",
    "settle",
    "settled",
    "shielded",
]

#: The signals a run ends on with its state named.
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_SIGNAL_NUMBERS = frozenset(int(s) for s in SIGNALS)


class Interrupted(KeyboardInterrupt):
    """A signal asked migsafe to stop; ``name`` is the signal's (``SIGTERM``)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal_name(signum)
        super().__init__(f"interrupted by {self.name}")


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@dataclass
class _State:
    received: int | None = None  # the first signal of this command
    count: int = 0
    shield_depth: int = 0
    settled: bool = False
    settled_note: str | None = None
    phase: str | None = None  # what the command was doing, for the message
    cancels: list[Callable[[], None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def reset() -> None:
    """Forget the previous command's signals (one command at a time per process)."""
    global _state
    _state = _State()


def received() -> str | None:
    """The name of the first signal this command received, if any."""
    return signal_name(_state.received) if _state.received is not None else None


def settled() -> str | None:
    """What the run committed, once :func:`settle` said so; None before."""
    return (_state.settled_note or "the work was committed") if _state.settled else None


def settle(note: str | None = None) -> None:
    """The work is committed: from now on a first signal is only recorded, never raised."""
    _state.settled = True
    if note is not None:
        _state.settled_note = note


@contextlib.contextmanager
def shielded(*, reraise: bool = True) -> Iterator[None]:
    """Hold signals during a COMMIT and what must follow it (or a clean-up): a signal that
    arrives meanwhile is recorded and, with *reraise*, raised when the block ends (unless the
    work settled inside it)."""
    _state.shield_depth += 1
    try:
        yield
    finally:
        _state.shield_depth -= 1
    if reraise and _state.shield_depth == 0 and _state.received is not None and not _state.settled:
        raise Interrupted(_state.received)


def phase() -> str | None:
    """What the command was doing when the signal came (``waiting for the runner lock``)."""
    return _state.phase


@contextlib.contextmanager
def during(what: str) -> Iterator[None]:
    """Name what the command is doing, for the message a signal ends it with."""
    before, _state.phase = _state.phase, what
    try:
        yield
    finally:
        if _state.received is None:  # keep the phase the signal arrived in
            _state.phase = before


@contextlib.contextmanager
def cancel_on_signal(cancel: Callable[[], None]) -> Iterator[None]:
    """Call *cancel* (from the watcher thread) when a signal arrives while the block runs,
    unless the run is inside a COMMIT or settled. It must be safe from any thread."""
    with _state.lock:
        _state.cancels.append(cancel)
    try:
        if _state.received is not None:
            _run_cancels()  # a signal came before the statement could be cancelled
        yield
    finally:
        with _state.lock, contextlib.suppress(ValueError):
            _state.cancels.remove(cancel)


def _handler(signum: int, _frame: object) -> None:
    state = _state
    if state.received is None:
        state.received = signum
    state.count += 1
    if state.shield_depth:
        return
    if state.settled and state.count == 1:
        return
    raise Interrupted(state.received)


def _run_cancels() -> None:
    state = _state
    if state.shield_depth or state.settled:
        return
    with state.lock:
        cancels = list(state.cancels)
    for cancel in cancels:
        with contextlib.suppress(Exception):  # best effort: the handler raises anyway
            cancel()


def _watch(read_fd: int) -> None:
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return
        # The Python handler may not have run yet: the main thread may be blocked in C.
        if any(byte in _SIGNAL_NUMBERS for byte in data):
            _run_cancels()


_installed = False


def install() -> None:
    """Handle SIGTERM, SIGINT and SIGHUP in this process (main thread only)."""
    global _installed
    reset()
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    if _installed:
        return
    _installed = True
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    threading.Thread(target=_watch, args=(read_fd,), name="migsafe-signals", daemon=True).start()
