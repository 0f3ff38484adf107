"""What the linter reads and what it finds, as data.

A revision reaches the rules as :class:`RevisionInput`: the statements its ``upgrade()`` would
send (rendered in Alembic's offline mode, each with its line in the revision file and how it
gets there), and the facts about its Python that no SQL shows (ORM loops, data migrations
offline mode cannot render). Rules return :class:`Hit`; the run turns them into
:class:`Finding` with the rule's severity, why and fix.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migsafe.lint.context import Context


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)

    def lowered(self) -> Severity:
        return Severity(("info", "info", "warning")[self.rank])

    def raised(self) -> Severity:
        return Severity(("warning", "error", "error")[self.rank])


class Via(enum.StrEnum):
    """How a statement reaches the database."""

    OP = "op"  # an Alembic operation (op.add_column, op.execute...)
    CONNECTION = "connection"  # op.get_bind().execute / connection.execute / exec_driver_sql


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a revision's ``upgrade()``."""

    sql: str
    # pglast's statement node (``RawStmt.stmt``); None when the SQL does not parse.
    node: Any
    line: int | None
    via: Via
    op: str | None = None  # the Alembic operation's name ("add_column", "execute"...)
    autocommit: bool = False  # inside op.get_context().autocommit_block()
    batch: bool = False  # inside op.batch_alter_table()
    revision: str = ""
    # The Alembic operation object (AlterColumnOp has existing_type...), when an op sent it.
    op_object: Any = None
    # Read from the source (literal SQL after the point where offline rendering stopped).
    from_source: bool = False


class PyKind(enum.StrEnum):
    """Python-level facts about a data migration (read from the source's AST)."""

    ORM_UPDATE_ALL = "orm-update-all"  # session.query(M).update(...) without a filter
    ORM_DELETE_ALL = "orm-delete-all"  # session.query(M).delete() without a filter
    ROW_LOOP = "row-loop"  # a for loop over query results that writes per row
    ORM_SESSION = "orm-session"  # an ORM Session bound to the migration's connection
    BULK_INSERT = "bulk-insert"  # op.bulk_insert(...)


@dataclass(frozen=True)
class PyFact:
    kind: PyKind
    line: int
    detail: str = ""  # e.g. the model or table named, for the message


@dataclass(frozen=True)
class RevisionInput:
    """Everything the rules may read about one revision."""

    revision: str
    path: str
    source: str
    statements: tuple[Statement, ...] = ()
    python: tuple[PyFact, ...] = ()
    # upgrade()/downgrade() present and with a body (not just ``pass`` / a docstring)
    has_downgrade: bool = True
    downgrade_line: int | None = None
    # Offline rendering stopped here (a data migration that reads rows, an ORM session...):
    # statements after it were read from the source where it shows them literally.
    stopped_at: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """What a rule reports; the run adds the rule's id, severity, why and fix."""

    message: str
    line: int | None
    table: str | None = None  # the table whose size decides how much it matters
    severity: Severity | None = None  # overrides the rule's default for this hit


StatementCheck = Callable[["Statement", "Context"], Iterable[Hit]]
RevisionCheck = Callable[["RevisionInput", "Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One lint rule: an id that config, ignore comments and docs share, and its checks."""

    id: str
    severity: Severity
    summary: str  # one line, what is flagged
    why: str  # one line: the lock taken, the rewrite, the break
    fix: str  # the safe multi-step form
    on_statement: StatementCheck | None = None
    on_revision: RevisionCheck | None = None
    # A big table makes it worse, an empty one harmless: live sizes adjust the severity.
    size_matters: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    revision: str
    path: str
    line: int | None
    message: str
    why: str
    fix: str
    table: str | None = None
    estimate: str | None = None  # live context: "1.2M rows / 240 MB"


@dataclass(frozen=True)
class Suppressed:
    rule: str
    revision: str
    line: int | None
    reason: str


@dataclass(frozen=True)
class LintResult:
    """The findings of one lint run, in revision order, and what decided them."""

    revisions: tuple[str, ...]
    findings: tuple[Finding, ...]
    fail_on: Severity | None  # None: never fail
    suppressed: tuple[Suppressed, ...] = ()
    server_version: int | None = None  # server_version_num of the live database, if any
    offline: bool = True
    notes: tuple[str, ...] = field(default=())
    paths: dict[str, str] = field(default_factory=dict)  # revision -> file path

    @property
    def failed(self) -> bool:
        return self.fail_on is not None and any(
            f.severity.rank >= self.fail_on.rank for f in self.findings
        )

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0
