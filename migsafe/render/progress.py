"""Live progress of a run on stderr: one line per migration with its elapsed time."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from migsafe.engine.events import Progress


class ProgressDisplay:
    """Receives guard events; a live table on a terminal, plain lines elsewhere."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.rows: dict[str, list[str | float | None]] = {}
        self.live: Live | None = None
        self.started: dict[str, float] = {}

    def __enter__(self) -> ProgressDisplay:
        return self

    def _start_live(self) -> None:
        # Started on the first event, not on enter: a confirmation prompt may come first.
        if self.live is None and self.console.is_terminal:
            self.live = Live(get_renderable=self._table, console=self.console, refresh_per_second=8)
            self.live.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.live is not None:
            self.live.__exit__(exc_type, exc, tb)

    def __call__(self, event: Progress) -> None:
        rev = event.revision
        self._start_live()
        if event.kind == "step_start" and rev:
            self.started[rev] = time.monotonic()
            self.rows[rev] = ["running", None]
            self._plain(f"applying {rev} ...")
        elif event.kind == "step_done" and rev:
            self.rows[rev] = ["done", event.elapsed]
            self._plain(f"  {rev} done in {event.elapsed or 0:.2f}s")
        elif event.kind == "rollback":
            for key, row in self.rows.items():
                if row[0] in ("running", "done"):
                    self.rows[key] = ["rolled back", row[1]]
            self._plain("rolled back")
        elif event.kind in ("retry", "cleanup", "verify"):
            message = event.message or event.kind
            self._plain(message if event.kind != "verify" else f"verify: {message}")
            if self.live is not None:
                self.live.console.print(message)

    def _plain(self, text: str) -> None:
        if self.live is None:
            self.console.print(text, highlight=False)

    def _table(self) -> Table:
        table = Table(show_edge=False, show_header=False, pad_edge=False)
        table.add_column("revision")
        table.add_column("state")
        table.add_column("elapsed", justify="right")
        now = time.monotonic()
        for rev, (state, elapsed) in self.rows.items():
            if state == "running":
                shown = now - self.started.get(rev, now)
            else:
                shown = float(elapsed or 0.0)
            colour = {"running": "cyan", "done": "green", "rolled back": "yellow"}[str(state)]
            table.add_row(rev, f"[{colour}]{state}[/]", f"{shown:.2f}s")
        return table
