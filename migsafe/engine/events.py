"""Progress events that the engine emits and renderers display (no heavy imports here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """A progress event; renderers turn these into a live display."""

    kind: str  # step_start | step_done | retry | verify | commit | rollback | cleanup
    revision: str | None = None
    elapsed: float | None = None
    attempt: int | None = None
    message: str | None = None


ProgressFn = Callable[[Progress], None]
