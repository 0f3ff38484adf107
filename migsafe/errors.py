"""Error types, each carrying the exit code it maps to and a hint for the user.

The exit codes are documented once, here and in docs/cli.md, and mean the same for every
command:

====  ==========================================================================
0     ok
1     a gate or check found problems; nothing changed
2     usage or configuration error; nothing changed
3     database unreachable, login refused, a privilege missing, or the runner lock was not
      acquired; nothing changed
4     the operation failed and the database was rolled back: it is exactly as before
5     the operation failed and the database could not be brought back to where it was;
      the message says exactly which state it is in
6     internal error: a bug in migsafe (not in the migrations); the message says the
      state of the database, or that ``migsafe status`` tells it
====  ==========================================================================
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    UNAVAILABLE = 3
    ROLLED_BACK = 4
    NOT_RESTORED = 5
    INTERNAL = 6


class MigsafeError(Exception):
    """Base of every error migsafe reports to a user (never a bug)."""

    exit_code: ExitCode = ExitCode.USAGE
    default_hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        # Titled context shown above the one error line (e.g. what differs from a recorded
        # schema): (title, lines) pairs. The error line itself stays one line.
        self.sections: tuple[tuple[str, tuple[str, ...]], ...] = ()


class UsageError(MigsafeError):
    """Bad arguments or options on the command line."""

    exit_code = ExitCode.USAGE


class ConfigError(MigsafeError):
    """The Alembic project or migsafe settings cannot be loaded."""

    exit_code = ExitCode.USAGE


class RevisionError(ConfigError):
    """A revision that does not exist, or an ambiguous target."""


class ProjectError(ConfigError):
    """A migration file or env.py that cannot be loaded or driven."""


class OwnSchemaTooNew(ConfigError):
    """migsafe's own tables in the database were set up by a newer migsafe."""


class NotReversibleError(ConfigError):
    """A revert would need a downgrade() that does not exist."""


class IrreversibleStep(NotReversibleError):
    """An upgrade step has no generated reverse and nothing else covers it (no tested
    downgrade(), no --backup, no --allow-irreversible): refused before it changed anything."""

    def __init__(self, message: str, *, revision: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.revision = revision


class LintRefused(MigsafeError):
    """``[tool.migsafe.lint] mode = "enforce"`` and the plan has an error finding: refused
    before anything ran."""

    exit_code = ExitCode.FINDINGS


class KeptDataLost(NotReversibleError):
    """A revert through a downgrade() would lose data migsafe kept (the downgrade() does not
    bring its column or table back): refused, and its transaction rolled back."""


class ReverseMismatch(MigsafeError):
    """A revert ran but the schema it left is not the one recorded before the upgrade; it was
    rolled back."""

    exit_code = ExitCode.ROLLED_BACK
    #: (recorded, found) schema fingerprints, for the run's history: the message names what
    #: differs instead.
    fingerprints: tuple[str, str] | None = None


class DatabaseUnavailableError(MigsafeError):
    """The database cannot be reached or refused the login."""

    exit_code = ExitCode.UNAVAILABLE


class PrivilegeError(MigsafeError):
    """The URL's role lacks a privilege migsafe needs (SQLSTATE 42501) before it changed
    anything: reading the version table, using migsafe's schema, creating a database."""

    exit_code = ExitCode.UNAVAILABLE


class LockNotAcquiredError(MigsafeError):
    """Another migsafe run holds the runner lock of this database."""

    exit_code = ExitCode.UNAVAILABLE


class ConfirmationRequired(UsageError):
    """A destructive command was not confirmed."""


class MigrationFailed(MigsafeError):
    """A migration failed and everything it did was rolled back."""

    exit_code = ExitCode.ROLLED_BACK

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        run_id: str | None = None,
        revision: str | None = None,
        at_revisions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.run_id = run_id
        self.revision = revision
        self.at_revisions = at_revisions
        self.result: object | None = None  # the RunResult, for renderers


class MigrationNotRestored(MigrationFailed):
    """A migration failed after part of the work had been committed."""

    exit_code = ExitCode.NOT_RESTORED


class SnapshotError(MigsafeError):
    """A snapshot could not be taken, verified or restored; the database is unchanged."""

    exit_code = ExitCode.USAGE


class SnapshotNotFound(SnapshotError):
    """No snapshot with that id in the store."""


class SnapshotToolError(SnapshotError):
    """pg_dump/pg_restore/psql missing or too old for the server."""


class SnapshotStoreError(SnapshotError):
    """The snapshot directory cannot be written (permissions, disk full)."""

    exit_code = ExitCode.UNAVAILABLE


class SnapshotCorrupt(SnapshotError):
    """The file does not match its recorded checksum, or does not read back."""

    exit_code = ExitCode.FINDINGS


class RestoreRefused(SnapshotError):
    """A restore would interfere with other sessions, or needs confirmation."""


class FlagError(MigsafeError):
    """A flag command refused its input (bad name, bad file, not PostgreSQL); nothing changed."""

    exit_code = ExitCode.USAGE


class FlagNotFoundError(FlagError):
    """A flag command named a flag that the store does not hold."""

    default_hint = "`migsafe flags list` shows the flags that exist"
