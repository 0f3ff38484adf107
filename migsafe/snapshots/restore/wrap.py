"""The SQL a restore wraps around pg_restore's script: a preamble and a postamble.

The preamble drops what the script re-creates; the postamble re-adds what the drops took
along. Both run in the restore's one transaction, under a guard armed by the preamble and
released by the postamble, so that the transaction cannot commit before its end.
Statements are composed with :mod:`psycopg.sql`; the only raw text spliced in is a constraint
definition the server itself rendered (see :mod:`~migsafe.snapshots.restore.catalog`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from psycopg import sql

from migsafe.snapshots.restore.catalog import ForeignKey, PublicSchema, QualifiedName
from migsafe.snapshots.restore.kept_sql import Trigger

__all__ = ["LOCK_TIMEOUT", "full_preamble", "postamble", "tables_preamble"]

#: How long a restore waits for a lock before giving up (and changing nothing).
LOCK_TIMEOUT = "60s"


def _session_settings() -> list[sql.Composable]:
    return [
        sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)),
        sql.SQL("SET LOCAL client_min_messages = warning"),
    ]


# If anything in the script COMMITs before the postamble ran, this deferred foreign key fails
# that COMMIT, which rolls everything back: a half-done restore can never be committed.
_GUARD = [
    sql.SQL("CREATE TEMP TABLE migsafe_restore_done (id int PRIMARY KEY) ON COMMIT DROP"),
    sql.SQL(
        "CREATE TEMP TABLE migsafe_restore_guard (id int CONSTRAINT "
        "restore_committed_before_its_end REFERENCES pg_temp.migsafe_restore_done "
        "DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP"
    ),
    sql.SQL("INSERT INTO pg_temp.migsafe_restore_guard VALUES (1)"),
]
_GUARD_RELEASE = sql.SQL("INSERT INTO pg_temp.migsafe_restore_done VALUES (1)")


def full_preamble(
    schemas: Sequence[str],
    public: PublicSchema | None,
    kept_foreign_keys: Sequence[ForeignKey] = (),
    kept_triggers: Sequence[Trigger] = (),
) -> sql.Composed:
    """Drop every schema the dump re-creates, and the large objects; put ``public`` back.

    Foreign keys and triggers of the kept schemas' tables that depend on what is dropped are
    dropped first, by name, so that CASCADE never reaches into a kept schema (the plan has
    refused anything else it would reach). pg_dump 15+ assumes ``public`` exists and writes
    only changes from its initdb defaults, so it is re-created as it is now (owner, ACL,
    comment) before the script runs.
    """
    stmts = [*_session_settings(), *_GUARD, *_drop_foreign_keys(kept_foreign_keys)]
    for t in kept_triggers:
        stmts.append(
            sql.SQL("DROP TRIGGER {} ON {}").format(
                sql.Identifier(t.name), sql.Identifier(t.schema, t.table)
            )
        )
    if schemas:
        stmts.append(
            sql.SQL("DROP SCHEMA {} CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(s) for s in schemas)
            )
        )
    # Large objects live outside any schema; a full dump holds all of them (pg_dump's default).
    stmts.append(
        sql.SQL("SELECT count(pg_catalog.lo_unlink(oid)) FROM pg_catalog.pg_largeobject_metadata")
    )
    if public is not None and "public" in schemas:
        stmts.extend(_recreate_public(public))
    return _script(stmts)


def _recreate_public(public: PublicSchema) -> list[sql.Composable]:
    name = sql.Identifier("public")
    owner = sql.Identifier(public.owner)
    stmts: list[sql.Composable] = [sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(name, owner)]
    if public.grants is not None:
        stmts.append(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(name, owner))
        for g in public.grants:
            stmts.append(
                sql.SQL("GRANT {} ON SCHEMA {} TO {}{}").format(
                    sql.SQL(g.privilege),
                    name,
                    sql.SQL("PUBLIC") if g.grantee is None else sql.Identifier(g.grantee),
                    sql.SQL(" WITH GRANT OPTION" if g.grantable else ""),
                )
            )
    if public.comment is not None:
        stmts.append(
            sql.SQL("COMMENT ON SCHEMA {} IS {}").format(name, sql.Literal(public.comment))
        )
    return stmts


def tables_preamble(
    foreign_keys: Sequence[ForeignKey], tables: Sequence[QualifiedName]
) -> sql.Composed:
    """Drop the other tables' foreign keys into *tables*, then the tables, without CASCADE.

    The plan has already checked that nothing else depends on them; without CASCADE a
    dependency created since then fails the restore instead of being dropped with it.
    """
    stmts = [*_session_settings(), *_GUARD, *_drop_foreign_keys(foreign_keys)]
    if tables:
        stmts.append(
            sql.SQL("DROP TABLE {}").format(
                sql.SQL(", ").join(sql.Identifier(s, t) for s, t in tables)
            )
        )
    return _script(stmts)


def _drop_foreign_keys(foreign_keys: Sequence[ForeignKey]) -> list[sql.Composable]:
    return [
        sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.Identifier(fk.schema, fk.table), sql.Identifier(fk.name)
        )
        for fk in foreign_keys
    ]


def postamble(
    foreign_keys: Sequence[ForeignKey] = (),
    *,
    not_valid: Collection[str] = (),
    triggers: Sequence[Trigger] = (),
) -> sql.Composed:
    """Re-add the remembered foreign keys, re-create the remembered triggers, and release the
    guard: the transaction may commit now.

    Foreign keys are validated (orphans fail the whole restore), except those of tables in
    the *not_valid* schemas: migsafe's own tables (kept data, e.g. an archived table) must
    not make a restore of the application's data fail, and get ``NOT VALID``. A trigger is
    re-created as it was (a copy the dump made of it is dropped first), with its
    enabled/disabled state.
    """
    stmts = _session_settings()
    for fk in foreign_keys:
        table = sql.Identifier(fk.schema, fk.table)
        definition = fk.definition
        if fk.schema in not_valid and not definition.endswith(" NOT VALID"):
            definition += " NOT VALID"
        stmts.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                table, sql.Identifier(fk.name), sql.SQL(definition)
            )
        )
        if fk.comment is not None:
            stmts.append(
                sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(
                    sql.Identifier(fk.name), table, sql.Literal(fk.comment)
                )
            )
    for t in triggers:
        stmts.extend(_recreate_trigger(t))
    stmts.append(_GUARD_RELEASE)
    return _script(stmts)


_ENABLE = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}  # "O": as created


def _recreate_trigger(t: Trigger) -> list[sql.Composable]:
    table = sql.Identifier(t.schema, t.table)
    name = sql.Identifier(t.name)
    stmts: list[sql.Composable] = [
        sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(name, table),
        sql.SQL(t.definition),  # pg_get_triggerdef(), as the server rendered it
    ]
    if t.enabled in _ENABLE:
        stmts.append(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(table, sql.SQL(_ENABLE[t.enabled]), name)
        )
    return stmts


def _script(stmts: Sequence[sql.Composable]) -> sql.Composed:
    return sql.Composed([sql.SQL("\n"), sql.SQL(";\n").join(stmts), sql.SQL(";\n")])
