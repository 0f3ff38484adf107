"""SQL for a plan from Alembic's offline ("--sql") mode, split per revision."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext, RevisionStep

from migsafe.engine.envpy import run_env
from migsafe.engine.project import Project

_MARKER = re.compile(r"^-- Running (upgrade|downgrade) .*$", re.MULTILINE)


def render_sql(
    project: Project,
    url: sa.URL,
    from_heads: tuple[str, ...],
    steps: Sequence[RevisionStep],
) -> tuple[dict[str, str], list[str]]:
    """Map revision -> SQL text; notes say where offline rendering stopped and why.

    Migrations that read data (``op.get_bind().execute(...)``) cannot render offline; their
    SQL is reported as unavailable rather than guessed.
    """
    buffer = io.StringIO()
    notes: list[str] = []

    def migrations(_heads: tuple[str, ...], _ctx: MigrationContext) -> Any:
        return list(steps)

    try:
        run_env(
            project,
            migrations,
            connection=None,
            as_sql=True,
            dialect_url=url,
            output_buffer=buffer,
            starting_rev=from_heads,
        )
    except Exception as exc:
        notes.append(
            "offline SQL is incomplete: rendering stopped with "
            f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]} "
            "(offline mode cannot render migrations that read data, nor SQLite batch operations)"
        )
    text = buffer.getvalue()
    marks = list(_MARKER.finditer(text))
    out: dict[str, str] = {}
    for index, mark in enumerate(marks):
        if index >= len(steps):
            break
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        out[steps[index].revision.revision] = text[mark.end() : end].strip()
    return out, notes
