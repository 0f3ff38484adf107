"""Per revision: the statements from the offline render and the facts from the source."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import RevisionStep

from migsafe.engine.project import Project
from migsafe.lint.model import RevisionInput, Statement, Via
from migsafe.lint.pysource import read_source
from migsafe.lint.sqltext import parse_one
from migsafe.lint.trace import trace_revisions


def collect(
    project: Project, url: sa.URL | str, steps: Sequence[RevisionStep]
) -> tuple[list[RevisionInput], list[str]]:
    """The rules' input for each of ``steps``, in order, and notes on what could not be read."""
    trace = trace_revisions(project, url, steps)
    inputs: list[RevisionInput] = []
    for step in steps:
        script = step.revision
        revision = script.revision
        path = str(script.path)
        try:
            source = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            source = ""
        facts = read_source(source)
        statements = list(trace.statements.get(revision, ()))
        stopped = trace.stopped.get(revision)
        notes = list(facts.notes)
        stopped_at = None
        if stopped is not None:
            stopped_at = stopped[0] if stopped[0] is not None else 0
            notes.append(
                f"offline rendering stopped at line {stopped_at} ({stopped[1]}); "
                "literal SQL after it was read from the source"
            )
            # What the render did not reach, where the source shows it literally.
            seen = {(s.line, s.sql) for s in statements}
            for line, sql, via in facts.literal_sql:
                if line < stopped_at:
                    continue
                for text, node in parse_one(sql):
                    if (line, text) in seen:
                        continue
                    statements.append(
                        Statement(
                            text,
                            node,
                            line,
                            via,
                            op="execute" if via == Via.OP else None,
                            revision=revision,
                            from_source=True,
                        )
                    )
        inputs.append(
            RevisionInput(
                revision=revision,
                path=path,
                source=source,
                statements=tuple(statements),
                python=facts.python,
                has_downgrade=facts.has_downgrade,
                downgrade_line=facts.downgrade_line,
                stopped_at=stopped_at,
                notes=tuple(notes),
            )
        )
    return inputs, trace.notes
