"""What cannot be undone exactly is said so, with the reason, and no reverse is made up.

The plan shows the reason; the runner then routes the migration to a snapshot. A refusal
must come from reading, never from a failed statement: the migration's transaction has to
survive it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from migsafe.errors import NotReversibleError
from migsafe.reverse import Reverse, reverse_of
from migsafe.reverse.apply import apply_reversibly, undo
from tests.reverse.conftest import operations_for

REFUSED: dict[str, tuple[ops.MigrateOperation, str]] = {
    "drop_column-table-without-primary-key": (
        ops.DropColumnOp("events", "payload"),
        "has no primary key",
    ),
    "drop_column-part-of-primary-key": (
        ops.DropColumnOp("notes", "id"),
        "part of the primary key",
    ),
    "lossy-type-change-without-primary-key": (
        ops.AlterColumnOp("events", "at", modify_type=sa.Date),
        "has no primary key",
    ),
    "drop_table-referenced-by-foreign-key": (
        ops.DropTableOp("items"),
        "referenced by foreign key",
    ),
    "bulk_insert-generated-keys": (
        ops.BulkInsertOp(sa.table("logs", sa.column("msg")), [{"msg": "x"}]),
        "do not carry primary key column(s) id",
    ),
    "bulk_insert-table-without-primary-key": (
        ops.BulkInsertOp(sa.table("events", sa.column("payload")), [{"payload": None}]),
        "has no primary key",
    ),
    "create_index-unnamed": (
        ops.CreateIndexOp(None, "items", ["title"]),
        "without a name",
    ),
    "drop_index-of-a-constraint": (
        ops.DropIndexOp("items_code_key"),
        "belongs to constraint items_code_key",
    ),
    "alter_column-to-identity": (
        ops.AlterColumnOp("notes", "item_id", modify_server_default=sa.Identity()),
        "identity or generated-column",
    ),
    "execute-update": (ops.ExecuteSQLOp("UPDATE items SET title = 'x'"), "UPDATE changes data"),
    "execute-delete": (ops.ExecuteSQLOp("DELETE FROM events"), "DELETE changes data"),
    "execute-insert": (
        ops.ExecuteSQLOp("INSERT INTO owners VALUES (9, 'z')"),
        "INSERT changes data",
    ),
    "execute-truncate": (ops.ExecuteSQLOp("TRUNCATE events"), "TRUNCATE changes data"),
    "execute-core-update": (
        ops.ExecuteSQLOp(sa.update(sa.table("items", sa.column("title"))).values(title="x")),
        "changes data",
    ),
    "execute-do-block": (
        ops.ExecuteSQLOp("DO $$ BEGIN PERFORM 1; END $$"),
        "procedural code",
    ),
    "execute-select-user-function": (
        ops.ExecuteSQLOp("SELECT public.recount_items()"),
        "SELECT may call functions",
    ),
    "execute-select-into": (
        ops.ExecuteSQLOp("SELECT * INTO items_copy FROM items"),
        "SELECT may call functions",
    ),
    "execute-unmirrored-ddl": (
        ops.ExecuteSQLOp("GRANT SELECT ON items TO PUBLIC"),
        "GrantStmt statements are not mirrored",
    ),
    "execute-cascade": (
        ops.ExecuteSQLOp("ALTER TABLE items DROP COLUMN body CASCADE"),
        "CASCADE",
    ),
    "execute-unparsable": (ops.ExecuteSQLOp("ALTER TABEL items"), "does not parse"),
    "execute-add-unnamed-constraint": (
        ops.ExecuteSQLOp("ALTER TABLE items ADD UNIQUE (title, id)"),
        "ADD CONSTRAINT without a name",
    ),
}


@pytest.mark.parametrize(("op", "reason"), list(REFUSED.values()), ids=list(REFUSED))
def test_irreversible_operation_is_refused_with_its_reason(
    op: ops.MigrateOperation, reason: str, conn: sa.Connection
) -> None:
    rev = reverse_of(op, conn)
    assert rev.irreversible is not None and reason in rev.irreversible
    assert rev.ops == () and rev.archive == () and rev.replace_with is None
    # Reading the live schema left the migration's transaction usable.
    assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_an_operation_with_no_handler_is_refused(conn: sa.Connection) -> None:
    class Vacuum(ops.MigrateOperation):
        pass

    rev = reverse_of(Vacuum(), conn)
    assert rev.irreversible == "Vacuum has no generated reverse"


def test_sqlite_goes_to_its_own_generator(tmp_path: object) -> None:
    """SQLite is reversed by migsafe.reverse.sqlite (tested in tests/reverse/sqlite)."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as sqlite:
        rev = reverse_of(ops.DropColumnOp("t", "c"), sqlite)
    assert rev.irreversible == "table t does not exist: drop_column would fail"


def test_undo_refuses_before_running_anything(conn: sa.Connection) -> None:
    """One irreversible step makes the whole revert refuse, before a single statement runs."""
    operations = operations_for(conn)
    reverses = apply_reversibly(ops.AddColumnOp("items", sa.Column("x", sa.Integer)), operations)
    reverses += apply_reversibly(
        ops.ExecuteSQLOp("CREATE STATISTICS items_x ON id, x FROM items"), operations
    )
    with pytest.raises(NotReversibleError, match="CreateStatsStmt statements are not mirrored"):
        undo(reverses, operations)
    # Neither the added column nor the statistics object was undone.
    assert conn.exec_driver_sql("SELECT count(*) FROM items WHERE x IS NULL").scalar() == 40
    assert conn.exec_driver_sql("SELECT to_regclass('items') IS NOT NULL").scalar()
    assert (
        conn.exec_driver_sql(
            "SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'items_x'"
        ).scalar()
        == 1
    )


def test_if_exists_on_a_missing_object_needs_no_reverse(conn: sa.Connection) -> None:
    for op in (
        ops.DropColumnOp("items", "nope", if_exists=True),
        ops.DropTableOp("nope", if_exists=True),
        ops.DropIndexOp("nope", if_exists=True),
        ops.DropConstraintOp("nope", "items", if_exists=True),
        ops.CreateIndexOp("items_tags_gin", "items", ["tags"], if_not_exists=True),
        ops.ExecuteSQLOp("SET LOCAL lock_timeout = '5s'"),
    ):
        assert reverse_of(op, conn) == Reverse()


@pytest.mark.parametrize(
    "statement",
    [
        "LOCK TABLE items IN ACCESS EXCLUSIVE MODE",
        "ANALYZE items",
        "NOTIFY items_changed",
        "SELECT count(*) FROM items",
        "SELECT pg_catalog.pg_advisory_xact_lock(42)",
        "SHOW search_path",
    ],
)
def test_statements_with_no_lasting_effect_need_no_reverse(
    statement: str, conn: sa.Connection
) -> None:
    """Ordinary migrations lock, analyze or read; refusing those would send them to a
    snapshot for nothing."""
    rev = reverse_of(ops.ExecuteSQLOp(statement), conn)
    assert rev.irreversible is None and rev.ops == () and rev.archive == ()


def test_setval_is_undone_by_nothing_and_says_so(conn: sa.Connection) -> None:
    rev = reverse_of(ops.ExecuteSQLOp("SELECT pg_catalog.setval('items_counter_seq', 5)"), conn)
    assert rev.irreversible is None and rev.ops == ()
    assert rev.caveats and "sequence" in rev.caveats[0]


def test_create_extension_is_undone_unless_it_was_there(conn: sa.Connection) -> None:
    installed = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'plpgsql'"
    ).scalar()
    assert installed == 1
    again = reverse_of(ops.ExecuteSQLOp("CREATE EXTENSION IF NOT EXISTS plpgsql"), conn)
    assert again.irreversible is None and again.ops == ()
    fresh = reverse_of(ops.ExecuteSQLOp("CREATE EXTENSION IF NOT EXISTS pg_trgm"), conn)
    assert fresh.irreversible is None
    assert [str(getattr(o, "sqltext", "")) for o in fresh.ops] == ['DROP EXTENSION "pg_trgm"']


def test_a_bug_in_the_generator_is_a_refusal_not_a_crash(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's migration must not die of migsafe's bug: the step becomes irreversible
    (so its downgrade(), --backup or --allow-irreversible covers it, or it is refused)."""
    import migsafe.reverse.generate as generate
    from migsafe.reverse.capture import _reverse_or_refusal

    def broken(op: object, live: object) -> None:
        raise KeyError("unexpected catalog shape")

    monkeypatch.setitem(generate.HANDLERS, ops.AddColumnOp, broken)
    rev = _reverse_or_refusal(
        ops.AddColumnOp("items", sa.Column("x", sa.Integer)), conn, "migsafe_archive"
    )
    assert rev.irreversible is not None and "KeyError" in rev.irreversible
    assert conn.exec_driver_sql("SELECT 1").scalar() == 1


WILL_FAIL: dict[str, ops.MigrateOperation] = {
    "add_column-no-table": ops.AddColumnOp("nope", sa.Column("x", sa.Integer)),
    "drop_column-no-table": ops.DropColumnOp("nope", "x"),
    "drop_column-no-column": ops.DropColumnOp("items", "nope"),
    "alter_column-no-table": ops.AlterColumnOp("nope", "x", modify_nullable=True),
    "alter_column-no-column": ops.AlterColumnOp("items", "nope", modify_nullable=True),
    "create_index-exists": ops.CreateIndexOp("items_title_lower", "items", ["title"]),
    "create_index-no-table": ops.CreateIndexOp("ix_nope", "nope", ["x"]),
    "drop_index-missing": ops.DropIndexOp("nope"),
    "create_table-exists": ops.CreateTableOp("items", [sa.Column("id", sa.Integer)]),
    "drop_table-missing": ops.DropTableOp("nope"),
    "rename_table-missing": ops.RenameTableOp("nope", "nope2"),
    "table_comment-no-table": ops.CreateTableCommentOp("nope", "c"),
    "bulk_insert-no-table": ops.BulkInsertOp(sa.table("nope", sa.column("x")), [{"x": 1}]),
    "unique_constraint-exists": ops.CreateUniqueConstraintOp("items_code_key", "items", ["code"]),
    "foreign_key-no-table": ops.CreateForeignKeyOp(None, "nope", "owners", ["x"], ["id"]),
}


@pytest.mark.parametrize("op", list(WILL_FAIL.values()), ids=list(WILL_FAIL))
def test_an_operation_that_will_fail_is_refused_only_if_it_runs(
    conn: sa.Connection, op: ops.MigrateOperation
) -> None:
    """The server rejects it by itself, so there is nothing to undo; a refusal raised now
    would be caught by a migration's ``try: ... except Exception:`` for nothing."""
    rev = reverse_of(op, conn)
    assert rev.irreversible is None and not rev.ops and rev.finish is not None
    ran_anyway = rev.finish(conn)
    assert ran_anyway.irreversible is not None and "yet it ran" in ran_anyway.irreversible
