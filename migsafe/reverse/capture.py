"""Generating each revision's reverse while it runs, and keeping what it would destroy.

The guard's :class:`~migsafe.engine.recording.Recorder` hands every operation a revision invokes
to :meth:`ReverseCapture.invoke`: the reverse is computed from the live schema just before the
operation, the data it would destroy is archived in the same transaction, then the operation
runs (or what replaces it: a dropped table is moved to the archive schema instead). Statements
a migration runs on the connection directly (``op.get_bind().execute(...)``) never pass through
an operation; they are seen on the connection and classified.

An irreversible step (data changed by raw SQL, an operation with no generated reverse) is
refused before it runs unless something covers it: ``--allow-irreversible``, a ``--backup``
snapshot, or the migration's own ``downgrade()``, which is then tested in a savepoint right
after the upgrade (it must run, and, where the schema before the revision was fingerprinted,
bring the schema back to it). A refusal raises inside the transaction: nothing is left.

At the end of each revision :meth:`finish` turns what was gathered into a
:class:`~migsafe.reverse.store.StoredReverse` row, written in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import MigrateOperation

from migsafe.db.fingerprint import description_hash, schema_description
from migsafe.engine.history import OWN_TABLES
from migsafe.engine.recording import describe
from migsafe.errors import IrreversibleStep
from migsafe.reverse import Reverse, classify_sql, reverse_of, store
from migsafe.reverse._sql import verbatim
from migsafe.reverse.confined import confined
from migsafe.reverse.keep import keep, keep_on_revert
from migsafe.reverse.model import reverse_script
from migsafe.reverse.raw_sql import render_clause
from migsafe.reverse.revert.fill import attach_declared
from migsafe.reverse.rows.revision import RevisionRows
from migsafe.reverse.sql import render_sql
from migsafe.reverse.sqlite.archive import archive_tables
from migsafe.reverse.sqlite.rows import SqliteRevisionRows

Rows = RevisionRows | SqliteRevisionRows


class CoveredBy(StrEnum):
    """What covers an irreversible step (None: nothing does)."""

    ALLOW_IRREVERSIBLE = "--allow-irreversible"
    BACKUP = "--backup"
    DOWNGRADE = "downgrade()"


Coverage = Callable[[str], CoveredBy | None]

# DDL that creates a type, the kind SQLAlchemy emits on the connection on an op's behalf.
_CREATES = re.compile(r"^\s*CREATE\s+TYPE\b", re.I)

_SELECT = re.compile(r"^\s*(\(\s*)*(SELECT|WITH)\b", re.I)

# Statements that only read (SQLAlchemy reflection, a user's SELECT) or set session state.
_READ_ONLY = re.compile(
    r"^\s*(\(\s*)*(SELECT|SHOW|SET|RESET|EXPLAIN|WITH\s+\w+\s+AS\s*\(\s*SELECT)\b", re.I
)


@dataclass
class _Gathered:
    """What one revision did, as far as reversing it goes."""

    reverses: list[Any] = field(default_factory=list)  # migsafe.reverse.Reverse, in order
    irreversible: list[str] = field(default_factory=list)
    schema_before: str | None = None
    schema_before_doc: bytes | None = None  # the description behind it, packed
    revert_archives: list[dict[str, Any]] = field(default_factory=list)  # made by a revert
    refusal: IrreversibleStep | None = None  # raised once; kept in case the migration caught it
    created_tables: set[str] = field(default_factory=set)  # what a backfill may write to
    added_columns: dict[str, set[str]] = field(default_factory=dict)
    rows: Rows | None = None  # before-images of the rows it writes

    def irreversible_seen(self, reason: str) -> bool:
        return any(reason in r for r in self.irreversible)

    def confined(self, sql_text: str) -> bool:
        """The SQL writes only to tables/columns this revision created (see reverse.confined)."""
        return confined(sql_text, self.created_tables, self.added_columns)

    def created(self, op: MigrateOperation) -> None:
        from alembic.operations import ops as aops

        if isinstance(op, aops.CreateTableOp):
            self.created_tables.add(op.table_name.lower())
        elif isinstance(op, aops.AddColumnOp):
            self.added_columns.setdefault(op.table_name.lower(), set()).add(op.column.name.lower())


@dataclass(frozen=True)
class _Opaque:
    """A statement whose writes the SQL does not show: the schema before it, to compare."""

    revision: str
    schema_before: str
    statement: str


@dataclass(frozen=True)
class FingerprintScope:
    """What the recorded schema fingerprints leave out: migsafe's own objects."""

    exclude_schemas: tuple[str, ...]
    exclude_tables: tuple[str, ...]

    def schema(self, conn: sa.Connection) -> str:
        return description_hash(self.describe(conn))

    def describe(self, conn: sa.Connection) -> dict[str, Any]:
        """The schema description whose hash :meth:`schema` is."""
        tables = self.exclude_tables
        if conn.dialect.name == "sqlite":  # archives are tables of the database itself
            tables = (*tables, *OWN_TABLES, *archive_tables(conn))

        # Columns by name: a column a revert adds back can only land last (see fingerprint).
        return schema_description(
            conn,
            exclude_schemas=self.exclude_schemas,
            exclude_tables=tables,
            column_order=False,
        )


class ReverseCapture:
    """Reverse generation for one run, on the migration's connection."""

    def __init__(
        self,
        *,
        archive_schema: str,
        coverage: Coverage,
        scope: FingerprintScope,
        version_table: str,
        fallback: CoveredBy | None = None,
        data_archive_limit: int | None = None,
        capture_rows: bool = True,
    ) -> None:
        self.archive_schema = archive_schema
        # Bytes of before-images one revision may keep; beyond it, it is irreversible.
        self.data_archive_limit = data_archive_limit
        self.capture_rows = capture_rows
        self.coverage = coverage
        # What covers a step whose downgrade() fails its test (--allow-irreversible or
        # --backup): a tested downgrade() comes first, these only cover what it cannot.
        self.fallback = fallback
        self.scope = scope
        self.set_version_table(version_table, None)
        self._current: dict[str, _Gathered] = {}
        self._depth = 0  # > 0 while an operation (or migsafe itself) runs statements
        self._revision: str | None = None
        self._opaque: _Opaque | None = None  # a statement on the connection to check after

    def set_version_table(self, name: str, schema: str | None) -> None:
        """Alembic's version table: its writes are bookkeeping, and it is not compared."""
        self._version_table = re.compile(
            r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\S+\.)?\"?"
            + re.escape(name)
            + r"\"?(\s|$)",
            re.I,
        )
        qualified = f"{schema}.{name}" if schema else name
        self.scope = replace(self.scope, exclude_tables=(qualified,))

    # -- while a revision runs ----------------------------------------------------------------
    @contextlib.contextmanager
    def revision(self, revision: str, conn: sa.Connection) -> Iterator[None]:
        """Watch the connection for statements that bypass ``op.*`` while *revision* runs."""
        self._current.setdefault(revision, _Gathered())
        self._revision = revision
        sa.event.listen(conn, "before_cursor_execute", self._raw_statement)
        sa.event.listen(conn, "after_cursor_execute", self._after_statement)
        try:
            yield
        finally:
            sa.event.remove(conn, "before_cursor_execute", self._raw_statement)
            sa.event.remove(conn, "after_cursor_execute", self._after_statement)
            self._opaque = None
            self._revision = None

    def take_schema_before(self, revision: str, conn: sa.Connection) -> None:
        """Fingerprint the schema as it is before *revision* (or before a segment), keeping
        the description too: a revert that does not come back to it can say what differs."""

        with self.quiet():
            description = self.scope.describe(conn)
        gathered = self._current.setdefault(revision, _Gathered())
        gathered.schema_before = description_hash(description)
        gathered.schema_before_doc = store.pack_description(description)

    @property
    def busy(self) -> bool:
        """migsafe itself is running statements or operations (not the migration)."""
        return self._depth > 0

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """migsafe's own statements: not the migration's."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def invoke(self, revision: str, op: MigrateOperation, operations: Any, run: Any) -> Any:
        """Run *op* the reversible way: reverse first, archive, then the operation."""
        if self._depth:  # an operation run by migsafe (a downgrade() being tested)
            return run(op)
        conn = operations.get_bind()
        gathered = self._current.setdefault(revision, _Gathered())
        with self.quiet():
            rev = _reverse_or_refusal(op, conn, self.archive_schema)
            if rev.irreversible and _backfill(op, gathered):
                rev = type(rev)(
                    caveats=("a backfill of what this revision created: undone with it",)
                )
            written = self._row_writes(op, conn, gathered) if rev.irreversible else None
            blind = self._blind_spot(gathered, conn, written) if written is not None else None
            opaque: _Opaque | None = None
            if blind is not None:
                rev = Reverse.refused(blind)
            elif written is not None:
                why = self._rows(gathered, conn).before_write(conn, written)
                if why is not None:
                    opaque = _Opaque(revision, self.scope.schema(conn), written)
                rev = Reverse.nothing()  # its rows' before-images are its reverse
            if gathered.rows is not None and (written is None or blind is not None):
                self._end_rows_segment(gathered, conn)
            if rev.irreversible:
                self._irreversible(revision, f"{type(op).__name__}: {rev.irreversible}")
            for action in rev.archive:
                keep(action, conn)
        if rev.replace_with is not None:
            gathered.reverses.append(rev)
            for sub in rev.replace_with:
                self.invoke(revision, sub, operations, run)
            return None
        with self.quiet():
            result = run(op)
            if opaque is not None:
                self._check_opaque(opaque, conn)
            if rev.finish is not None:  # SQLite: the reverse is read off what the op did
                rev = rev.finish(conn)
        if rev.irreversible and not gathered.irreversible_seen(rev.irreversible):
            # Found only once the operation ran: raising still rolls the transaction back.
            self._irreversible(revision, f"{type(op).__name__}: {rev.irreversible}")
        with self.quiet():
            gathered.created(op)
            if not rev.irreversible and conn.dialect.name == "postgresql":
                rev, kept = keep_on_revert(op, rev, self.archive_schema)
                gathered.revert_archives.extend(kept)
        gathered.reverses.append(rev)
        return result

    def _raw_statement(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        revision = self._revision
        if self._depth or revision is None:
            return
        self._opaque = None  # one whose statement failed (and was caught) is not checked
        if _READ_ONLY.match(statement):
            if "(" in statement and _SELECT.match(statement):
                self._select_on_connection(revision, conn, statement)
            return
        if self._version_table.match(statement):
            return  # Alembic's own bookkeeping
        gathered = self._current.setdefault(revision, _Gathered())
        if gathered.confined(statement):
            return
        if not parameters and self._created_on_the_side(gathered, conn, statement):
            return
        blind = None
        if self._captures_rows(conn, gathered) and _rows_class(conn).writes(statement).any:
            blind = self._blind_spot(gathered, conn, statement)
            if blind is None:
                self._write_on_connection(revision, gathered, conn, statement)
                return

        verdict = (
            blind
            or classify_sql(statement)
            or (
                "DDL run on the connection directly, not through op.*, is not captured "
                "(op.execute() would be)"
            )
        )
        first = " ".join(statement.split())[:80]
        self._irreversible(revision, f"{first!r} on the connection: {verdict}")

    def _select_on_connection(self, revision: str, conn: Any, statement: str) -> None:
        """A SELECT on the connection that calls a function which may write (``SELECT
        backfill()``): the tables it may write are watched before it runs."""
        gathered = self._current.setdefault(revision, _Gathered())
        if not self._captures_rows(conn, gathered):
            return
        if conn.dialect.name == "sqlite":  # a WITH that ends in a write looks like a read
            if SqliteRevisionRows.writes(statement).any:
                blind = self._blind_spot(gathered, conn, statement)
                if blind is not None:
                    self._irreversible(revision, f"{statement[:80]!r} on the connection: {blind}")
                    return
                with self.quiet():
                    self._rows(gathered, conn).before_write(conn, statement)
            return
        writes = RevisionRows.writes(statement)
        if writes.functions or writes.tables:
            self._write_on_connection(revision, gathered, conn, statement)

    def _write_on_connection(
        self, revision: str, gathered: _Gathered, conn: Any, statement: str
    ) -> None:
        with self.quiet():
            why = self._rows(gathered, conn).before_write(conn, statement)
            if why is not None:  # checked once it ran (_after_statement)
                self._opaque = _Opaque(revision, self.scope.schema(conn), statement)

    def _after_statement(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        opaque, self._opaque = self._opaque, None
        if opaque is not None and not self._depth:
            with self.quiet():
                self._check_opaque(opaque, conn)

    def _check_opaque(self, opaque: _Opaque, conn: Any) -> None:
        """Procedural code (a DO block, a function) whose rows were captured must not have
        changed the schema as well: that is not undone by putting rows back."""
        if self.scope.schema(conn) == opaque.schema_before:
            return
        first = " ".join(opaque.statement.split())[:80]
        self._irreversible(
            opaque.revision,
            f"{first!r} changed the schema from procedural code, which is not mirrored "
            "(only the rows it writes are kept)",
        )

    # -- before-images of the rows a revision writes (reverse/rows) ---------------------------
    def _captures_rows(self, conn: Any, gathered: _Gathered) -> bool:
        """Rows are captured (PostgreSQL, SQLite), unless the revision is irreversible anyway."""
        return (
            self.capture_rows
            and conn.dialect.name in ("postgresql", "sqlite")
            and not gathered.irreversible
        )

    def _rows(self, gathered: _Gathered, conn: Any) -> Rows:
        if gathered.rows is None and conn.dialect.name == "sqlite":
            gathered.rows = SqliteRevisionRows(
                skip_tables=(*self.scope.exclude_tables, *OWN_TABLES),
                created_tables=gathered.created_tables,
            )
        if gathered.rows is None:
            gathered.rows = RevisionRows(
                archive_schema=self.archive_schema,
                skip_schemas=tuple(
                    dict.fromkeys((*self.scope.exclude_schemas, self.archive_schema))
                ),
                skip_tables=self.scope.exclude_tables,
            )
        return gathered.rows

    def _row_writes(self, op: MigrateOperation, conn: Any, gathered: _Gathered) -> str | None:
        """The SQL of an operation refused as a data change whose rows can be captured
        instead: an ``execute`` that writes rows, a ``bulk_insert`` the reverse of which is
        not known from its rows (the database makes their keys)."""
        from alembic.operations.ops import BulkInsertOp, ExecuteSQLOp

        if not self._captures_rows(conn, gathered):
            return None
        if isinstance(op, BulkInsertOp):
            prep = conn.dialect.identifier_preparer
            name = prep.quote(op.table.name)
            schema = getattr(op.table, "schema", None)
            target = f"{prep.quote_schema(schema)}.{name}" if schema else name
            return f"INSERT INTO {target} DEFAULT VALUES"
        if not isinstance(op, ExecuteSQLOp):
            return None
        text = op.sqltext if isinstance(op.sqltext, str) else render_clause(op.sqltext)
        if text is None or not _rows_class(conn).writes(text).any:
            return None
        return text

    def _blind_spot(self, gathered: _Gathered, conn: Any, statement: str) -> str | None:
        """Why *statement*'s rows cannot be captured after all (SQLite), or None."""
        rows = self._rows(gathered, conn) if conn.dialect.name == "sqlite" else None
        if not isinstance(rows, SqliteRevisionRows):
            return None
        with self.quiet():
            return rows.blind_spot(conn, statement)

    def _end_rows_segment(self, gathered: _Gathered, conn: Any) -> None:
        assert gathered.rows is not None
        rev = gathered.rows.before_operation(conn)
        if rev is not None:
            gathered.reverses.append(rev)

    def _close_rows(
        self, revision: str, gathered: _Gathered, conn: sa.Connection
    ) -> list[dict[str, Any]]:
        """End the revision's row capture: the archives that keep its before-images.
        Over the size limit, the revision is irreversible (refused unless covered)."""
        rows = gathered.rows
        if rows is None:
            return []
        with self.quiet():
            self._end_rows_segment(gathered, conn)
            limit = self.data_archive_limit
            if rows.captured and not gathered.irreversible and limit is not None:
                size = rows.size(conn)
                if size > limit:
                    rows.close(conn, keep=False)
                    self._irreversible(
                        revision,
                        f"the before-images of the rows it writes take {size} bytes, over "
                        f"data-archive-limit ({limit} bytes): take a --backup snapshot instead",
                    )
            if rows.anywhere:
                gathered.reverses.append(
                    Reverse(
                        caveats=(f"every table was watched for its writes: {rows.anywhere[0]}",)
                    )
                )
            return rows.close(conn, keep=not gathered.irreversible)

    def _created_on_the_side(self, gathered: _Gathered, conn: Any, statement: str) -> bool:
        """DDL SQLAlchemy runs on the connection for an op, reversed like ``op.execute``.

        ``postgresql.ENUM(...).create(op.get_bind(), checkfirst=True)`` before an
        ``add_column`` that uses the type (Alembic's add_column creates no type) sends
        ``CREATE TYPE`` on the connection. It is reversed from the live schema, just before
        it runs (this is ``before_cursor_execute``), and its reverse (``DROP TYPE``) is
        ordered after the reverse of the op that uses it. Only statements whose reverse needs
        nothing done before them (no archive, no replacement) are taken; anything else is
        judged as before.
        """
        if conn.dialect.name != "postgresql" or not _CREATES.match(statement):
            return False

        with self.quiet():
            rev = _reverse_or_refusal(verbatim(statement), conn, self.archive_schema)
        if rev.irreversible or rev.archive or rev.replace_with is not None or rev.finish:
            return False
        gathered.reverses.append(rev)
        return True

    def _irreversible(self, revision: str, reason: str) -> None:
        gathered = self._current.setdefault(revision, _Gathered())
        gathered.irreversible.append(reason)
        if self.coverage(revision) is None:
            refusal = IrreversibleStep(
                f"{revision} is irreversible ({reason}); refused before that statement ran",
                revision=revision,
                hint="rerun with --backup (a snapshot to go back to) or --allow-irreversible, "
                "or give the migration a downgrade()",
            )
            gathered.refusal = gathered.refusal or refusal
            raise refusal

    # -- when a revision is done ----------------------------------------------------------------
    def finish(
        self,
        *,
        run_id: str,
        seq: int,
        revision: str,
        heads_before: tuple[str, ...],
        heads_after: tuple[str, ...],
        conn: sa.Connection,
        module: ModuleType | None,
    ) -> store.StoredReverse:
        """The row to store for *revision*, tested where its own downgrade() is the reverse."""

        gathered = self._current.pop(revision, _Gathered())
        if gathered.refusal is not None:
            # The migration caught the refusal (a broad `except Exception`) and went on: it is
            # still refused, and raising here rolls the whole transaction back.
            raise gathered.refusal
        rows_archives = self._close_rows(revision, gathered, conn)

        caveats = tuple(dict.fromkeys(c for r in gathered.reverses for c in r.caveats))
        archives, unknown_fills = attach_declared(
            [
                *(_describe_archive(a, "upgrade") for r in gathered.reverses for a in r.archive),
                *gathered.revert_archives,
            ],
            getattr(module, "__file__", None),
        )
        caveats = (*caveats, *unknown_fills)
        archives = (*archives, *rows_archives)
        row = store.StoredReverse(
            run_id=run_id,
            seq=seq,
            revision=revision,
            applied_at=dt.datetime.now(dt.UTC),
            heads_before=heads_before,
            heads_after=heads_after,
            source=store.ReverseSource.GENERATED,
            sql=(),
            archives=archives,
            caveats=caveats,
            schema_before=gathered.schema_before,
            schema_before_doc=gathered.schema_before_doc,
        )
        if gathered.irreversible:
            reasons = tuple(gathered.irreversible)
            if self.coverage(revision) == CoveredBy.DOWNGRADE:
                problem = self._test_downgrade(conn, module, gathered.schema_before)
                if problem is None:
                    return replace(row, source=store.ReverseSource.DOWNGRADE, irreversible=reasons)
                if self.fallback is None:
                    raise IrreversibleStep(
                        f"{revision} is irreversible ({'; '.join(reasons)}) and its downgrade() "
                        f"cannot stand in: {problem}; rolled back, nothing changed",
                        revision=revision,
                        hint="fix downgrade(), or rerun with --backup or --allow-irreversible",
                    )
                reasons = (*reasons, f"its downgrade() cannot stand in: {problem}")
            return replace(row, source=store.ReverseSource.IRREVERSIBLE, irreversible=reasons)
        ops = reverse_script(gathered.reverses)
        with _quiet_logger("alembic.runtime.migration"):  # "Generating static SQL" per render
            sql = tuple(render_sql(ops, conn.dialect))
        return replace(row, sql=sql, operations=tuple(_describe_op(o) for o in ops))

    def _test_downgrade(
        self, conn: sa.Connection, module: ModuleType | None, schema_before: str | None
    ) -> str | None:
        """Run downgrade() in a savepoint and roll it back: it is the reverse only if it works.
        Returns why it is not, or None."""
        downgrade = getattr(module, "downgrade", None)
        problem: str | None = None
        with self.quiet():
            savepoint = conn.begin_nested()
            try:
                assert downgrade is not None
                downgrade()
                if schema_before is not None and self.scope.schema(conn) != schema_before:
                    problem = "it does not bring the schema back to what it was before"
            except Exception as exc:  # the user's code: any failure means "not a reverse"
                problem = f"it failed when tested: {type(exc).__name__}: {exc}"
            finally:
                savepoint.rollback()
        return problem

    def reverses(self, revision: str) -> list[Any]:
        """The reverses made so far for *revision*, in the order its operations ran."""
        gathered = self._current.get(revision)
        return list(gathered.reverses) if gathered is not None else []

    def clear(self, revisions: Collection[str]) -> None:
        for revision in revisions:
            self._current.pop(revision, None)


def _rows_class(conn: Any) -> type[Rows]:
    return SqliteRevisionRows if conn.dialect.name == "sqlite" else RevisionRows


def _reverse_or_refusal(op: MigrateOperation, conn: sa.Connection, archive_schema: str) -> Any:
    """The reverse of *op*; a bug in the generator makes the step irreversible (so a cover,
    or a clean refusal), never a crash of the user's migration. A database error cannot be
    turned into that: the transaction is aborted, so it propagates and rolls back."""

    try:
        return reverse_of(op, conn, archive_schema=archive_schema)
    except sa.exc.DBAPIError:
        raise
    except Exception as exc:
        return Reverse.refused(
            f"the reverse generator failed on it ({type(exc).__name__}: {exc}); please report it"
        )


def _backfill(op: MigrateOperation, gathered: _Gathered) -> bool:
    """An ``execute`` that only writes to what this revision created (one statement: a
    multi-statement execute is split and each part judged on its own)."""
    from alembic.operations.ops import ExecuteSQLOp

    if not isinstance(op, ExecuteSQLOp):
        return False
    statement = op.sqltext
    # table.update()...: rendered, so that what it writes can be read.
    text = statement if isinstance(statement, str) else render_clause(statement)
    return text is not None and gathered.confined(text)


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _describe_op(op: MigrateOperation) -> dict[str, Any]:
    try:
        return describe(op)
    except Exception:  # describing is for people; it must never fail a run
        return {"op": type(op).__name__}


def _describe_archive(action: Any, when: str) -> dict[str, Any]:
    """Where kept data is; *when*: made by the upgrade, or by a revert of it."""
    column = getattr(action, "column", None)
    if column is None and hasattr(action, "value"):
        column = action.value.name  # PostgreSQL's ColumnArchive
    out: dict[str, Any] = {
        "when": when,
        "kind": "column" if column is not None else "table",
        "schema": getattr(action, "schema", None),
        "table": action.table,
        "archive_schema": getattr(action, "archive_schema", None),
        "archive_table": action.archive_table,
    }
    if column is not None:
        out["column"] = column
        keys = getattr(action, "keys", ())
        out["keys"] = [getattr(k, "name", k) for k in keys]
        out["dropped"] = bool(getattr(action, "dropped", False))
        if out["dropped"]:
            # What the rows written since get when a revert brings it back (revert_fill).
            out["not_null"] = bool(getattr(action, "not_null", False))
            out["has_default"] = bool(getattr(action, "has_default", False))
    return out
