"""Keeping what a destructive step would destroy, and putting it back.

:func:`archive` runs just before the step, in the migration's transaction, so the archive
and the step commit or roll back together. :func:`restore_archive` runs inside the reverse
script, at the point where the data's column or table exists again (see
:class:`~migsafe.reverse.ops.RestoreArchiveOp`). Archives are never dropped here: they stay
visible in the archive schema until a prune removes them after the retention window.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from psycopg import sql

from migsafe.reverse._sql import ident, run_verbatim
from migsafe.reverse.model import ArchiveAction, ArchivedColumn, ColumnArchive, TableArchive

#: PostgreSQL truncates longer identifiers (silently, with a NOTICE): names must fit.
MAX_IDENTIFIER_BYTES = 63

_ENABLE = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA"}


def new_tag() -> str:
    """A short unique suffix: archive names must never collide across runs."""
    return uuid.uuid4().hex[:12]


def archive_name(parts: tuple[str, ...], tag: str) -> str:
    """``part1__part2__tag``, each part shortened alike so the whole fits in 63 bytes."""
    budget = MAX_IDENTIFIER_BYTES - len(tag) - 2 * len(parts)
    per_part = max(1, budget // max(1, len(parts)))
    short = [_clip_bytes(p, per_part) for p in parts]
    return "__".join([*short, tag])


def prefixed_name(name: str, tag: str) -> str:
    """``tag_name`` for an index or sequence taken into the archive, within 63 bytes."""
    return f"{tag}_{_clip_bytes(name, MAX_IDENTIFIER_BYTES - len(tag) - 1)}"


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def archive(action: ArchiveAction, conn: sa.Connection) -> None:
    """Keep what *action* describes; run it before the operation, in its transaction."""
    for stmt in archive_sql(action):
        run_verbatim(conn, stmt)


def restore_archive(action: ArchiveAction, conn: sa.Connection) -> None:
    """Put archived data back, at its step of the reverse script: a column's values once the
    column exists again (or, undoing a type change, while it still has the new type); a
    table by moving it back."""
    for stmt in restore_sql(action):
        run_verbatim(conn, stmt)


def archive_sql(action: ArchiveAction) -> list[str]:
    """The statements :func:`archive` runs, for the plan and for review."""
    statements = [_create_schema(action.archive_schema)]
    if isinstance(action, ColumnArchive):
        statements += _keep_column(action)
    else:
        statements += _move_table_out(action)
    return [s.as_string(None) for s in statements]


def restore_sql(action: ArchiveAction) -> list[str]:
    """The statements :func:`restore_archive` runs."""
    statements = (
        _restore_column(action) if isinstance(action, ColumnArchive) else _move_table_back(action)
    )
    return [s.as_string(None) for s in statements]


def _create_schema(schema: str) -> sql.Composed:
    return sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))


def _keep_column(a: ColumnArchive) -> list[sql.Composed]:
    target = ident(a.archive_schema, a.archive_table)
    selected = [
        sql.SQL("{}{} AS {}").format(
            sql.Identifier(c.name), sql.SQL("::text" if c.as_text else ""), sql.Identifier(c.name)
        )
        for c in (*a.keys, a.value)
    ]
    keys = ", ".join(c.name for c in a.keys)
    note = f"migsafe: values of {a.schema}.{a.table}.{a.value.name} keyed by ({keys})"
    return [
        sql.SQL("CREATE TABLE {} AS SELECT {} FROM {}").format(
            target, sql.SQL(", ").join(selected), ident(a.schema, a.table)
        ),
        sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(note)),
    ]


def _kept(c: ArchivedColumn) -> sql.Composable:
    """The archived value, cast back to its type when it was kept as text."""
    value = sql.SQL("kept.{}").format(sql.Identifier(c.name))
    return sql.SQL("CAST({} AS {})").format(value, sql.SQL(c.type_sql)) if c.as_text else value


def _restore_column(a: ColumnArchive) -> list[sql.Composed]:
    """UPDATE the live rows from the archive, with triggers paused and deferred checks run.

    Undoing a lossy type change goes through a scratch column of the old type: new rows get
    their value cast back, archived rows their archived value, and the column is converted
    ``USING`` it (``USING`` cannot read another table).
    """
    live = ident(a.schema, a.table)
    kept_table = ident(a.archive_schema, a.archive_table)
    match = sql.SQL(" AND ").join(
        sql.SQL("live.{} = {}").format(sql.Identifier(k.name), _kept(k)) for k in a.keys
    )
    column = sql.Identifier(a.value.name)
    target = column
    out = [
        sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(live, sql.Identifier(name))
        for name, _ in a.triggers
    ]
    if a.retype_to is not None:
        target = sql.Identifier(f"migsafe_restore_{a.archive_table[-12:]}")
        old_type = sql.SQL(a.value.type_sql)
        out += [
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(live, target, old_type),
            sql.SQL(
                "UPDATE {} AS live SET {} = CAST({} AS {}) "
                "WHERE NOT EXISTS (SELECT FROM {} AS kept WHERE {})"
            ).format(live, target, column, old_type, kept_table, match),
        ]
    # A row whose kept value and current value are both NULL needs no new version: skipping
    # it spares a rewrite of every row where the column was empty (IS NULL works for every
    # type; IS DISTINCT FROM would need an equality operator, which json has not).
    unchanged = sql.SQL("(kept.{} IS NOT NULL OR live.{} IS NOT NULL)").format(
        sql.Identifier(a.value.name), target
    )
    out.append(
        sql.SQL("UPDATE {} AS live SET {} = {} FROM {} AS kept WHERE {} AND {}").format(
            live, target, _kept(a.value), kept_table, match, unchanged
        )
    )
    for schema, name in a.deferred:
        out += [
            sql.SQL("SET CONSTRAINTS {} {}").format(ident(schema, name), sql.SQL(mode))
            for mode in ("IMMEDIATE", "DEFERRED")
        ]
    if a.retype_to is not None:
        out += [
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}").format(
                live, column, sql.SQL(a.retype_to), target
            ),
            sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(live, target),
        ]
    out += [
        sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
            live, sql.SQL(_ENABLE[state]), sql.Identifier(name)
        )
        for name, state in a.triggers
    ]
    return out


def _move_table_out(a: TableArchive) -> list[sql.Composed]:
    out = [
        sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            ident(a.schema, a.table), sql.Identifier(name)
        )
        for name, _, _ in a.foreign_keys
    ]
    out += [
        sql.SQL("ALTER {} {} RENAME TO {}").format(
            sql.SQL(kind), ident(a.schema, old), sql.Identifier(new)
        )
        for kind, old, new in a.renames
    ]
    out.append(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            ident(a.schema, a.table), sql.Identifier(a.archive_table)
        )
    )
    out.append(
        sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
            ident(a.schema, a.archive_table), sql.Identifier(a.archive_schema)
        )
    )
    return out


def _move_table_back(a: TableArchive) -> list[sql.Composed]:
    back = ident(a.schema, a.table)
    out = [
        sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
            ident(a.archive_schema, a.archive_table), sql.Identifier(a.schema)
        ),
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            ident(a.schema, a.archive_table), sql.Identifier(a.table)
        ),
    ]
    out += [
        sql.SQL("ALTER {} {} RENAME TO {}").format(
            sql.SQL(kind), ident(a.schema, new), sql.Identifier(old)
        )
        for kind, old, new in a.renames
    ]
    for name, definition, comment in a.foreign_keys:
        out.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                back, sql.Identifier(name), sql.SQL(definition)
            )
        )
        if comment is not None:
            out.append(
                sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(
                    sql.Identifier(name), back, sql.Literal(comment)
                )
            )
    return out
