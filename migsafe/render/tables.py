"""Tables that stay readable at any terminal width; the one rule every list uses.

rich, left to itself, cuts cells to `co…` when a table is wider than the terminal, identifiers
included, though an identifier (a run id, a revision, a snapshot id, an archive table) is what
the reader types next. So, narrowest last:

1. Identifier columns (`Column(key=True)`) are never wrapped nor cut; other columns wrap at
   words and fold a word that is too long (never an ellipsis).
2. While the table does not fit, the column with the highest `drop` is left out (low-value
   columns first: who ran it, how long it took...).
3. When even the columns that are never dropped do not fit, each row becomes a block of
   `header: value` lines (every column, nothing left out), one block per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

# Text narrower than this reads as a column of single words: drop a column before that.
_NARROWEST = 12


@dataclass(frozen=True)
class Column:
    """One column: its header, whether it holds identifiers, and when it may be left out."""

    header: str
    key: bool = False  # an identifier a user types next: never wrapped, never cut
    drop: int = 0  # 0: always shown; otherwise left out when narrow, highest first
    justify: str = "left"


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    *,
    title: str | None = None,
) -> None:
    """Print *rows* as a table that fits the console's width (see the module's rule)."""
    shown = list(range(len(columns)))
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop)
    while True:
        widths = _widths(console, columns, rows, shown)
        if widths is not None:
            if title:
                console.print(title, overflow="fold")
            console.print(_table(columns, rows, shown, widths))
            return
        if not droppable:
            break
        _, index = droppable.pop()
        shown.remove(index)
    _vertical(console, columns, rows, title)


def _widths(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    shown: list[int],
) -> list[int] | None:
    """Each shown column's width, or None when they do not fit with no identifier cut and
    no word folded.

    Chosen here rather than by rich, whose way of narrowing a table shrinks the widest columns
    first, below their longest word (`rolled_bac` / `k`) while others have room to spare:
    every column gets its longest word (an identifier: its whole value), and the room left
    goes to the columns that want more, those that want least first.
    """
    wide = console.options.update_width(1_000_000)
    lows: list[int] = []
    highs: list[int] = []
    for index in shown:
        cells = [Text(columns[index].header), *(row[index] for row in rows)]
        sizes = [Measurement.get(console, wide, cell) for cell in cells]
        high = max(m.maximum for m in sizes)
        word = max(m.minimum for m in sizes)
        lows.append(high if columns[index].key else max(word, min(high, _NARROWEST)))
        highs.append(high)
    # Between columns: one space of padding each side and a rule (no outer edge or padding).
    room = console.width - 3 * (len(shown) - 1)
    if sum(lows) > room:
        return None
    widths = list(lows)
    spare = room - sum(widths)
    # The columns that want least first: as many cells as possible on one line.
    for i in sorted(range(len(widths)), key=lambda i: highs[i] - lows[i]):
        grant = min(spare, highs[i] - widths[i])
        widths[i] += grant
        spare -= grant
    return widths


def _table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    shown: list[int],
    widths: list[int],
) -> Table:
    # The title on its own line: as a table title it would wrap at the table's width.
    table = Table(show_edge=False, pad_edge=False)
    for index, width in zip(shown, widths, strict=True):
        column = columns[index]
        table.add_column(
            column.header,
            width=width,
            no_wrap=column.key,
            overflow="fold",
            justify=column.justify,  # type: ignore[arg-type]
        )
    for row in rows:
        table.add_row(*(row[index] for index in shown))
    return table


def _vertical(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    title: str | None,
) -> None:
    if title:
        console.print(title, overflow="fold")
    label_width = max(len(c.header) for c in columns) + 1  # with its colon
    for number, row in enumerate(rows):
        if number or title:
            console.print()
        block = _block()
        for column, cell in zip(columns, row, strict=True):
            value = cell if isinstance(cell, Text) else Text.from_markup(str(cell))
            label = f"{column.header}:".rjust(label_width)
            if column.key and label_width + 1 + value.cell_len > console.width:
                # An identifier too long to follow its label: on a line of its own, whole.
                console.print(block)
                console.print(Text(label, style="bold"))
                console.print(value, overflow="fold")
                block = _block()
                continue
            block.add_row(Text(label, style="bold"), value)
        console.print(block)


def _block() -> Table:
    """One record's `header: value` lines; a long value wraps under itself, not the header."""
    block = Table.grid(padding=(0, 1))
    block.add_column(no_wrap=True)
    block.add_column(overflow="fold")
    return block
