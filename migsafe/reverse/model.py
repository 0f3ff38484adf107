"""What the reverse generator returns: the undo script for one operation, and what to keep.

Everything here is plain data, computed just before the forward operation runs, so that the
runner can store it with the run and a later ``migsafe revert`` can replay it from any release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.operations.ops import MigrateOperation

from migsafe.reverse.sqlite.model import SqliteArchiveAction


@dataclass(frozen=True)
class ArchivedColumn:
    """One column copied into an archive table.

    Values of types outside ``pg_catalog`` (enums, domains, extension types) are kept as text,
    so the archive never depends on a user type that a later step may drop (``DROP TYPE``
    would otherwise fail); ``type_sql`` casts them back on restore.
    """

    name: str
    type_sql: str  # format_type() with search_path pinned: schema-qualified when not built in
    as_text: bool


@dataclass(frozen=True)
class ColumnArchive:
    """Values of one column, keyed by the table's primary key, copied before they are lost.

    Used before a column is dropped and before a type change that would not convert back
    exactly. Restoring updates the rows whose key is still there; rows inserted in between
    keep whatever the re-created column gave them (its default, or NULL).
    """

    schema: str
    table: str
    value: ArchivedColumn
    keys: tuple[ArchivedColumn, ...]
    archive_schema: str
    archive_table: str
    # User triggers that would fire on the restoring UPDATE (e.g. ``updated_at``), with their
    # ``pg_trigger.tgenabled`` state: they are switched off around it and back on afterwards.
    triggers: tuple[tuple[str, str], ...] = ()
    # INITIALLY DEFERRED constraints the UPDATE queues checks for, as (schema, name): they are
    # checked right after it, since PostgreSQL refuses ALTER TABLE while checks are pending.
    deferred: tuple[tuple[str, str], ...] = ()
    # Set when the column now has another type (a lossy type change is being undone): it is
    # converted back to this type taking the archived values, in one rewrite.
    retype_to: str | None = None
    # Kept because the column is dropped: a revert re-adds it, and rows inserted in between
    # get its default; without one, a NOT NULL column needs a fill (reverse/revert/fill.py).
    dropped: bool = False
    not_null: bool = False
    has_default: bool = False


@dataclass(frozen=True)
class TableArchive:
    """A dropped table, moved into the archive schema (under a unique name) instead.

    Its indexes and owned sequences are renamed too, since their names must be unique in the
    archive schema; its outgoing foreign keys are dropped while archived (so that the archive
    does not keep enforcing, or cascading into, live tables) and re-added, validated, on restore.
    """

    schema: str
    table: str
    archive_schema: str
    archive_table: str
    renames: tuple[tuple[str, str, str], ...]  # (kind "INDEX"/"SEQUENCE", original name, archived)
    foreign_keys: tuple[tuple[str, str, str | None], ...]  # (name, definition, comment)


ArchiveAction = ColumnArchive | TableArchive

#: What a reverse may keep, on either dialect (SQLite's archives are tables beside the live
#: ones: :mod:`migsafe.reverse.sqlite.model`).
AnyArchive = ArchiveAction | SqliteArchiveAction


@dataclass(frozen=True)
class Reverse:
    """How to undo one Alembic operation, computed from the live schema just before it runs.

    * ``ops``: Alembic operations that undo it, to run in order (they may include a
      :class:`~migsafe.reverse.ops.RestoreArchiveOp` at the point where kept data goes back);
    * ``archive``: what to keep, to run (:func:`migsafe.reverse.archive.archive`) after this
      was computed and before the operation runs, in the same transaction;
    * ``replace_with``: when not None, the operation itself must not run: these operations run
      instead, each one through the same hook (its own reverse computed just before it). A
      dropped table is archived and replaced by nothing; a multi-statement ``execute`` is
      replaced by its statements one by one;
    * ``irreversible``: why it cannot be undone exactly (``ops`` is then empty);
    * ``caveats``: where the undo is not byte-for-byte (a re-added column lands last);
    * ``finish``: when not None, ``ops`` are not known yet: call it right after the operation
      ran (same connection, same transaction) for the final reverse, whose ``finish`` is
      None. SQLite's reverses compare the schema before and after the operation.
    """

    ops: tuple[MigrateOperation, ...] = ()
    archive: tuple[AnyArchive, ...] = ()
    irreversible: str | None = None
    replace_with: tuple[MigrateOperation, ...] | None = None
    caveats: tuple[str, ...] = ()
    finish: Callable[[sa.Connection], Reverse] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def exact(self) -> bool:
        """True when undoing restores the schema and data exactly, with nothing to note."""
        return self.irreversible is None and not self.caveats

    @classmethod
    def refused(cls, reason: str) -> Reverse:
        """An operation that cannot be undone, and why (shown in the plan)."""
        return cls(irreversible=reason)

    @classmethod
    def failing(cls, reason: str) -> Reverse:
        """An operation that will fail (dropping what does not exist): its error aborts the
        transaction, or, caught in a savepoint, leaves nothing changed; either way there is
        nothing to undo. Should it run after all, it is irreversible (checked by ``finish``).

        Refusing instead would raise inside the migration, where ``try: op.drop_...`` (a
        common way to drop what may not be there) would catch the refusal and go on."""
        return cls(finish=lambda conn: cls.refused(f"{reason}, yet it ran"))

    @classmethod
    def nothing(cls) -> Reverse:
        """An operation that changes nothing here (``IF NOT EXISTS`` on an existing object)."""
        return cls()

    @classmethod
    def combine(cls, parts: Iterable[Reverse]) -> Reverse:
        """The reverse of several forward steps run in order: their undos in reverse order.

        For parts that run as they are; a part replaced by others cannot be merged (it is
        split into separate operations instead, see ``replace_with``).
        """
        items = list(parts)
        if any(p.replace_with is not None for p in items):
            raise ValueError("a reverse with replace_with cannot be combined")
        if any(p.finish is not None for p in items):
            raise ValueError("a reverse is combined once finished")
        reasons = [p.irreversible for p in items if p.irreversible]
        if reasons:
            return cls.refused("; ".join(reasons))
        ops = tuple(o for p in reversed(items) for o in p.ops)
        archive = tuple(a for p in items for a in p.archive)
        caveats = tuple(dict.fromkeys(c for p in items for c in p.caveats))
        return cls(ops=ops, archive=archive, caveats=caveats)


def reverse_script(reverses: Iterable[Reverse]) -> list[MigrateOperation]:
    """All reverse operations, in the order that undoes the forward run."""
    return [op for rev in reversed(list(reverses)) for op in rev.ops]
