"""Shapes of operation found in real projects' migrations (mlflow, prefect, redash, lemur) that
the generator got wrong: each is applied to the seeded database and undone by its reverse.

The chains themselves run, from the installed packages, in tests/engine/test_realworld_chains.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import Reverse, reverse_of
from migsafe.reverse.apply import apply_reversibly, undo
from migsafe.reverse.checks import in_form
from tests.reverse.conftest import RoundTrip, assert_exact, operations_for

STATUSES = ("SCHEDULED", "FAILED", "FINISHED", "RUNNING")
RUNS = f"""
CREATE TABLE public.runs (
    run_uuid varchar(32) PRIMARY KEY,
    status varchar(20) CONSTRAINT status CHECK (status IN {STATUSES!r}),
    stage varchar(20)
);
INSERT INTO public.runs VALUES ('r1', 'FAILED', 'active'), ('r2', NULL, NULL);
"""


def test_alter_column_to_a_non_native_enum_drops_the_check_it_added(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """mlflow cfd24bdc0731: ``alter_column(type_=Enum(..., native_enum=False,
    create_constraint=True))`` makes Alembic add an (unnamed) CHECK after the change; the
    reverse must drop it, whatever name the server gave it."""
    conn.exec_driver_sql(RUNS)
    assert_exact(
        round_trip(
            lambda: [
                ops.AlterColumnOp(
                    "runs",
                    "stage",
                    existing_type=sa.String,
                    modify_type=sa.Enum(
                        "active", "deleted", create_constraint=True, native_enum=False
                    ),
                )
            ]
        )
    )


def test_alter_column_from_a_non_native_enum_re_creates_the_check_it_dropped(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """An ``existing_type`` that brings a CHECK makes Alembic drop it before the change: the
    reverse re-creates it, exactly as it was."""
    conn.exec_driver_sql(RUNS)
    existing = sa.Enum(*STATUSES, name="status", create_constraint=True, native_enum=False)
    assert_exact(
        round_trip(
            lambda: [
                ops.AlterColumnOp(
                    "runs", "status", existing_type=existing, modify_type=sa.String(40)
                )
            ]
        )
    )


def test_a_dropped_in_check_comes_back_with_the_same_definition(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """``col IN (...)`` on a varchar is stored as ``= ANY ((ARRAY[...])::text[])``, which
    does not parse back the same: the reverse writes it back in its IN form."""
    conn.exec_driver_sql(RUNS)
    assert_exact(round_trip(lambda: [ops.DropConstraintOp("status", "runs", type_="check")]))


def test_a_dropped_column_brings_its_in_check_back_the_same(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """The same CHECK, dropped with its column and re-created by the column's reverse."""
    conn.exec_driver_sql(RUNS)
    trip = round_trip(lambda: [ops.DropColumnOp("runs", "status")])
    assert trip.reverted.fp.tables == trip.before.fp.tables
    constraints = trip.reverted.description["relations"]["public.runs"]["constraints"]
    before = trip.before.description["relations"]["public.runs"]["constraints"]
    assert constraints == before


def test_in_form_rewrites_only_the_array_of_strings_shape() -> None:
    stored = (
        "CHECK (((s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])"
        "::text[]))) NOT VALID"
    )
    assert in_form(stored) == "CHECK (s IN ('a', 'b'))"
    assert in_form("CHECK ((price >= (0)::numeric))") is None
    assert in_form("CHECK ((n = ANY (ARRAY[1, 2])))") is None


def test_dropping_a_constraint_that_is_not_there_is_not_refused(conn: sa.Connection) -> None:
    """mlflow 0a8213491aaa wraps ``drop_constraint`` in ``try/except Exception``: a refusal
    raised there would be caught and the migration would go on. The drop fails by itself
    (and aborts the transaction), so there is nothing to undo."""
    rev = reverse_of(ops.DropConstraintOp("nope", "items", type_="check"), conn)
    assert rev.irreversible is None and not rev.ops
    assert rev.finish is not None
    ran_anyway = rev.finish(conn)
    assert isinstance(ran_anyway, Reverse) and ran_anyway.irreversible


def test_a_backfill_through_the_session_is_read_with_its_placeholders() -> None:
    """mlflow 89d4b8295536 fills the table it created with ``session.execute(insert, rows)``:
    the statement reaches the connection with the driver's ``%(name)s`` placeholders."""
    from migsafe.reverse.confined import confined

    statement = "INSERT INTO latest_metrics (key, value) VALUES (%(key)s, %(value)s)"
    assert confined(statement, {"latest_metrics"}, {})
    assert not confined(statement.replace("latest_metrics", "metrics"), {"latest_metrics"}, {})
    assert confined("UPDATE t SET n = 'a%%' || %s", set(), {"t": {"n"}})


@pytest.mark.parametrize(
    "make",
    [
        lambda: ops.CreateForeignKeyOp(None, "notes", "items", ["id"], ["id"]),
        lambda: ops.CreateUniqueConstraintOp(None, "items", ["title", "id"]),
    ],
    ids=["foreign_key", "unique"],
)
def test_an_unnamed_constraint_is_dropped_by_the_name_the_server_gave_it(
    round_trip: Callable[..., RoundTrip], make: Callable[[], ops.MigrateOperation]
) -> None:
    """redash e7004224f284: ``op.create_foreign_key(None, "favorites", ...)``; PostgreSQL
    names it (``favorites_org_id_fkey``), and the reverse, finished once it ran, drops that."""
    assert_exact(round_trip(lambda: [make()]))


def test_rows_written_null_since_get_the_default_back_with_not_null(
    conn: sa.Connection,
) -> None:
    """redash 73beceabb948 makes ``queries.schedule`` nullable and drops its default; rows
    written since may hold NULL, which the old NOT NULL column cannot: they get its default."""
    conn.exec_driver_sql(
        "CREATE TABLE public.q (id int PRIMARY KEY, schedule text NOT NULL DEFAULT '{}');"
        "INSERT INTO public.q VALUES (1, '{\"interval\": 60}')"
    )
    operations = operations_for(conn)
    op = ops.AlterColumnOp("q", "schedule", modify_nullable=True, modify_server_default=None)
    reverses = apply_reversibly(op, operations)
    assert reverses[0].caveats
    conn.exec_driver_sql("INSERT INTO public.q VALUES (2, NULL)")
    undo(reverses, operations_for(conn))
    rows = conn.exec_driver_sql("SELECT id, schedule FROM public.q ORDER BY id").all()
    assert rows == [(1, '{"interval": 60}'), (2, "{}")]
    with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
        conn.exec_driver_sql("INSERT INTO public.q VALUES (3, NULL)")


def test_classify_sql_reads_statements_with_driver_placeholders() -> None:
    """SQL sent on the connection (redash 0f740a081d20's ``UPDATE dashboards SET tags =
    :tags``) arrives as ``%(tags)s``: the verdict names the UPDATE, not a parse error."""
    from migsafe.reverse import classify_sql

    verdict = classify_sql("UPDATE dashboards SET tags = %(tags)s::VARCHAR[] WHERE id = %(id)s")
    assert verdict is not None and "UPDATE changes data" in verdict
    verdict = classify_sql("INSERT INTO t VALUES (%s, 'a%%')")
    assert verdict is not None and "INSERT changes data" in verdict


def test_row_level_security_and_its_policies_are_undone(
    round_trip: Callable[..., RoundTrip],
) -> None:
    """redash fa68605eb530 enables RLS on a table and creates two policies with
    ``op.execute``: the reverse drops the policies and turns RLS off again."""
    trip = round_trip(
        lambda: [
            ops.ExecuteSQLOp(
                "ALTER TABLE items ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"
            ),
            ops.ExecuteSQLOp("CREATE POLICY all_visible ON items USING (true)"),
            ops.ExecuteSQLOp(
                "CREATE POLICY mine ON public.items AS RESTRICTIVE FOR SELECT TO PUBLIC "
                "USING (current_user = title)"
            ),
        ]
    )
    assert all(r.irreversible is None for r in trip.reverses)
    assert_exact(trip)


def test_row_level_security_already_in_that_state_needs_no_reverse(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE items ENABLE ROW LEVEL SECURITY")
    assert reverse_of(ops.ExecuteSQLOp("ALTER TABLE items ENABLE ROW LEVEL SECURITY"), conn) == (
        Reverse()
    )
    rev = reverse_of(ops.ExecuteSQLOp("ALTER TABLE items DISABLE ROW LEVEL SECURITY"), conn)
    assert rev.irreversible is None and len(rev.ops) == 1


def test_creating_a_policy_that_exists_is_refused_only_if_it_runs(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE POLICY p ON items USING (true)")
    rev = reverse_of(ops.ExecuteSQLOp("CREATE POLICY p ON items USING (true)"), conn)
    assert rev.irreversible is None and rev.finish is not None


def test_dropped_policies_come_back_as_they_were(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """redash fa68605eb530's downgrade(), run as a forward step: each dropped policy is
    re-created from ``pg_policy``, its kind, command, roles, expressions and comment."""
    conn.exec_driver_sql(
        "ALTER TABLE items ENABLE ROW LEVEL SECURITY;"
        "CREATE POLICY all_visible ON items USING (true);"
        "CREATE POLICY mine ON items AS RESTRICTIVE FOR UPDATE TO PUBLIC"
        " USING (current_user = title) WITH CHECK (price >= 0 AND mood <> 'sad');"
        "COMMENT ON POLICY mine ON items IS '100%% :mine'"
    )
    trip = round_trip(
        lambda: [
            ops.ExecuteSQLOp("DROP POLICY mine on items"),
            ops.ExecuteSQLOp("DROP POLICY IF EXISTS all_visible ON public.items"),
            ops.ExecuteSQLOp("DROP POLICY IF EXISTS nope ON items"),
            ops.ExecuteSQLOp("ALTER TABLE items DISABLE ROW LEVEL SECURITY"),
        ]
    )
    assert all(r.irreversible is None for r in trip.reverses)
    assert_exact(trip)


def test_a_value_added_to_an_enum_is_removed_by_rebuilding_the_type(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """prefect 5e4f924ff96c/9326a6aee18b: ``ALTER TYPE state_type ADD VALUE IF NOT EXISTS``
    and an empty downgrade(). PostgreSQL cannot drop a label: the reverse rebuilds the type
    and converts its columns (array ones too), setting aside and restoring what names the
    type (a default, a CHECK, a partial index like Prefect's ``WHERE state_type = ...``)."""
    conn.exec_driver_sql(
        "ALTER TABLE items ALTER COLUMN mood SET DEFAULT 'happy';"
        "ALTER TABLE items ADD CONSTRAINT items_sad_check CHECK (mood <> 'sad' OR id > 0);"
        "COMMENT ON CONSTRAINT items_sad_check ON items IS 'none of that';"
        "CREATE INDEX items_sad ON items (id) WHERE mood = 'sad';"
        "COMMENT ON INDEX items_sad IS 'the sad ones';"
        "CREATE TABLE moods (id integer PRIMARY KEY, seen public.mood[] DEFAULT '{sad}');"
        "INSERT INTO moods VALUES (1, '{happy,NULL,ökö}'), (2, NULL);"
    )
    trip = round_trip(
        lambda: [
            ops.ExecuteSQLOp("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'"),
            ops.ExecuteSQLOp("ALTER TYPE public.mood ADD VALUE 'glad'"),
        ]
    )
    assert all(r.exact for r in trip.reverses)
    assert_exact(trip)


def test_enum_labels_that_exist_or_are_renamed(
    conn: sa.Connection, round_trip: Callable[..., RoundTrip]
) -> None:
    """``ADD VALUE IF NOT EXISTS`` of a label that is there changes nothing; ``RENAME VALUE``
    is renamed back."""
    add = ops.ExecuteSQLOp("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad'")
    assert reverse_of(add, conn) == Reverse()
    assert_exact(
        round_trip(lambda: [ops.ExecuteSQLOp("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'")])
    )


def test_an_enum_used_beyond_columns_is_refused_with_what_uses_it(conn: sa.Connection) -> None:
    """A function taking the type would not follow it to the rebuilt one: refused, named."""
    conn.exec_driver_sql(
        "CREATE FUNCTION public.cheer(m public.mood) RETURNS int LANGUAGE sql IMMUTABLE RETURN 1"
    )
    rev = reverse_of(ops.ExecuteSQLOp("ALTER TYPE mood ADD VALUE 'meh'"), conn)
    assert rev.irreversible is not None and "function public.cheer(public.mood)" in rev.irreversible
