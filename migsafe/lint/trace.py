"""Each revision's statements, from Alembic's offline mode, with the line that sent them.

The revisions run as ``alembic upgrade --sql`` would run them (env.py, offline, the target's
dialect), with three things watched for the duration of the render: every statement Alembic
emits (attributed to the innermost frame in a revision file: its revision and line), the
Alembic operation that emitted it, and whether it is inside ``autocommit_block()`` or
``batch_alter_table()``. ``op.get_bind()`` hands out a recorder instead of ``None``, so that
literal SQL and SQLAlchemy Core statements sent through the connection are seen too; reads
return no rows. Where a revision's code cannot go on without a database (an ORM session,
a value read from a row), its render stops; the run goes on with the next revision.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

import sqlalchemy as sa
from alembic.ddl.impl import DefaultImpl
from alembic.operations.base import BatchOperations, Operations
from alembic.operations.batch import BatchOperationsImpl
from alembic.runtime import migration
from alembic.runtime.migration import MigrationContext, RevisionStep

from migsafe.engine.envpy import run_env
from migsafe.engine.project import Project
from migsafe.lint.model import Statement, Via
from migsafe.lint.offline_bind import OfflineBind, compile_sql
from migsafe.lint.resume import line_in, resume
from migsafe.lint.sqltext import parse_one
from migsafe.redaction import exception_line

# The watching patches Alembic's classes: one render at a time in a process (migsafe.run()
# may be called from several threads).
_ONE_AT_A_TIME = threading.Lock()
_QUIET = logging.getLogger("migsafe.lint.render")
_QUIET.disabled = True


@dataclass
class Trace:
    """What the render saw, per revision."""

    paths: dict[str, str]  # file path -> revision
    statements: dict[str, list[Statement]] = field(default_factory=dict)
    stopped: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # rev -> line, why
    notes: list[str] = field(default_factory=list)
    ops: list[Any] = field(default_factory=list)  # the operations being invoked (a stack)
    autocommit: int = 0
    batch: int = 0
    # batch_alter_table() queues its operations and emits them when the block ends: each
    # queued entry's line, so that its SQL is reported there rather than on the `with` line.
    entry_lines: dict[int, tuple[int, Any]] = field(default_factory=dict)  # line, operation
    line_override: int | None = None


def _where(trace: Trace, frame: FrameType | None) -> tuple[str, int] | None:
    while frame is not None:
        revision = trace.paths.get(frame.f_code.co_filename)
        if revision is not None:
            return revision, frame.f_lineno
        frame = frame.f_back
    return None


def _where_tb(trace: Trace, tb: TracebackType | None) -> tuple[str, int] | None:
    found = None
    while tb is not None:
        revision = trace.paths.get(tb.tb_frame.f_code.co_filename)
        if revision is not None:
            found = revision, tb.tb_lineno
        tb = tb.tb_next
    return found


def _record(trace: Trace, sql: str, via: Via, frame: FrameType | None) -> None:
    where = _where(trace, frame)
    if where is None:
        return  # Alembic's own bookkeeping (the version table) or env.py's
    revision, line = where
    if trace.line_override is not None:
        line = trace.line_override
    for text, node in parse_one(sql):
        trace.statements.setdefault(revision, []).append(
            Statement(
                sql=text,
                node=node,
                line=line,
                via=via,
                op=_op_name(trace.ops[-1]) if trace.ops and trace.ops[-1] is not None else None,
                op_object=trace.ops[-1] if trace.ops else None,
                autocommit=trace.autocommit > 0,
                batch=trace.batch > 0,
                revision=revision,
            )
        )


@contextmanager
def _watching(trace: Trace) -> Iterator[None]:
    invoke = Operations.invoke
    flush = BatchOperationsImpl.flush
    batch_invoke = BatchOperations.invoke
    exec_ = DefaultImpl._exec
    autocommit_block = MigrationContext.autocommit_block
    batch_alter_table = Operations.batch_alter_table
    get_bind = Operations.get_bind

    def _invoke(self: Operations, operation: Any) -> Any:
        trace.ops.append(operation)
        try:
            return invoke(self, operation)
        finally:
            trace.ops.pop()

    def _batch_invoke(self: BatchOperations, operation: Any) -> Any:
        queue = getattr(self.impl, "batch", None)
        before = len(queue) if isinstance(queue, list) else 0
        trace.ops.append(operation)
        try:
            return batch_invoke(self, operation)
        finally:
            trace.ops.pop()
            where = _where(trace, sys._getframe(1))
            if where is not None and isinstance(queue, list):
                for entry in queue[before:]:
                    trace.entry_lines[id(entry)] = (where[1], operation)

    def _flush(self: BatchOperationsImpl) -> None:
        entries = list(self.batch)
        if self._should_recreate() or not entries:
            return flush(self)
        try:
            for entry in entries:
                self.batch = [entry]
                line, operation = trace.entry_lines.get(id(entry), (None, None))
                trace.line_override = line
                trace.ops.append(operation)
                try:
                    flush(self)
                finally:
                    trace.ops.pop()
        finally:
            self.batch = entries
            trace.line_override = None

    def _exec(self: DefaultImpl, construct: Any, *args: Any, **kwargs: Any) -> Any:
        if self.as_sql:
            _record(trace, compile_sql(construct, self.dialect), Via.OP, sys._getframe(1))
        return exec_(self, construct, *args, **kwargs)

    @contextmanager
    def _autocommit(self: MigrationContext) -> Iterator[None]:
        trace.autocommit += 1
        try:
            with autocommit_block(self):
                yield
        finally:
            trace.autocommit -= 1

    @contextmanager
    def _batch(self: Operations, *args: Any, **kwargs: Any) -> Iterator[Any]:
        trace.batch += 1
        try:
            with batch_alter_table(self, *args, **kwargs) as batch:
                yield batch
        finally:
            trace.batch -= 1

    def _get_bind(self: Operations) -> Any:
        if self.migration_context.as_sql:
            return OfflineBind(functools.partial(_record, trace), self.migration_context.dialect)
        return get_bind(self)

    patches: list[tuple[type, str, Any, Any]] = [
        (Operations, "invoke", invoke, _invoke),
        (BatchOperations, "invoke", batch_invoke, _batch_invoke),
        (BatchOperationsImpl, "flush", flush, _flush),
        (DefaultImpl, "_exec", exec_, _exec),
        (MigrationContext, "autocommit_block", autocommit_block, _autocommit),
        (Operations, "batch_alter_table", batch_alter_table, _batch),
        (Operations, "get_bind", get_bind, _get_bind),
    ]
    for owner, name, _old, new in patches:
        setattr(owner, name, new)
    # "Generating static SQL", "Running upgrade ...": the render is lint's, not a run's. The
    # module's logger itself is swapped: env.py's fileConfig() would reset a level set on it.
    loud = migration.log
    migration.log = _QUIET
    try:
        yield
    finally:
        migration.log = loud
        for owner, name, old, _new in patches:
            if owner.__dict__.get(name) is not None:
                setattr(owner, name, old)


def _op_name(operation: Any) -> str:
    """``AddColumnOp`` -> ``add_column``, ``ExecuteSQLOp`` -> ``execute`` (as ``op.`` spells it)."""
    base = type(operation).__name__.removesuffix("Op")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", base).lower()
    return "execute" if name == "execute_sql" else name


def _resilient(trace: Trace, step: RevisionStep) -> RevisionStep:
    """``step`` whose ``upgrade()``, when it stops (an ORM session that needs a database, a
    value read from a row), goes on with its later top-level ``op.*`` statements."""
    fn = step.migration_fn
    revision = step.revision.revision
    path = str(step.revision.path)

    @functools.wraps(fn)
    def run(**kw: Any) -> Any:
        try:
            return fn(**kw)
        except (Exception, SystemExit) as exc:
            line = line_in(fn, exc.__traceback__)
            why = exception_line(exc, 200)
            trace.stopped[revision] = (line, why)
            if line is not None:
                resume(fn, path, line)
            return None

    resilient = copy.copy(step)
    resilient.migration_fn = run
    return resilient


def trace_revisions(project: Project, url: sa.URL | str, steps: Sequence[RevisionStep]) -> Trace:
    """Render ``steps`` offline for ``url``'s dialect and attribute every statement."""
    paths: dict[str, str] = {}
    for step in steps:
        path = getattr(step.revision, "path", None)
        if path:
            paths[str(path)] = step.revision.revision
            module = step.revision.module
            file = getattr(module, "__file__", None)
            if file:
                paths[str(file)] = step.revision.revision
    trace = Trace(paths=paths)
    remaining = list(steps)
    with _ONE_AT_A_TIME, _watching(trace):
        while remaining:

            def migrations(
                _heads: tuple[str, ...], _ctx: MigrationContext, todo: Any = tuple(remaining)
            ) -> Any:
                return [_resilient(trace, step) for step in todo]

            try:
                run_env(
                    project,
                    migrations,
                    connection=None,
                    as_sql=True,
                    dialect_url=url,
                    output_buffer=io.StringIO(),
                    starting_rev=tuple(remaining[0].from_revisions),
                )
                break
            except (Exception, SystemExit) as exc:
                # A revision that cannot render offline ends its own render, not the lint.
                where = _where_tb(trace, exc.__traceback__)
                if where is None:
                    trace.notes.append(
                        "offline rendering stopped outside the revisions: " + exception_line(exc)
                    )
                    break
                revision, line = where
                trace.stopped[revision] = (
                    line,
                    exception_line(exc, 200),
                )
                index = next(
                    (i for i, s in enumerate(remaining) if s.revision.revision == revision), None
                )
                if index is None:
                    break
                remaining = remaining[index + 1 :]
    return trace
