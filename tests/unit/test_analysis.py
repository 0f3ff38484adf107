"""Static analysis of migration files: what the plan says before anything runs."""

from __future__ import annotations

import textwrap

import pytest

from migsafe.engine.analysis import analyse_source


def facts(body: str):
    return analyse_source(textwrap.dedent(body))


def test_plain_ddl_is_transactional_and_has_a_body() -> None:
    f = facts(
        """
        def upgrade():
            op.add_column("t", sa.Column("x", sa.Integer))

        def downgrade():
            op.drop_column("t", "x")
        """
    )
    assert f.upgrade.transactional and f.upgrade.present and not f.upgrade.empty
    assert f.downgrade.transactional and not f.downgrade.empty


@pytest.mark.parametrize(
    "downgrade",
    [
        "def downgrade():\n    pass\n",
        'def downgrade():\n    """Nothing to undo."""\n',
        "def downgrade():\n    ...\n",
        'def downgrade():\n    """Doc."""\n    pass\n',
    ],
    ids=["pass", "docstring", "ellipsis", "docstring-and-pass"],
)
def test_empty_downgrade_is_detected(downgrade: str) -> None:
    f = facts("def upgrade():\n    op.drop_table('t')\n\n" + downgrade)
    assert f.downgrade.present and f.downgrade.empty


def test_missing_downgrade_is_detected() -> None:
    f = facts("def upgrade():\n    op.drop_table('t')\n")
    assert not f.downgrade.present


def test_autocommit_block_with_concurrent_index_is_non_transactional() -> None:
    f = facts(
        """
        def upgrade():
            op.create_table("t")
            with op.get_context().autocommit_block():
                op.create_index("ix_t_v", "t", ["v"], postgresql_concurrently=True)

        def downgrade():
            op.drop_table("t")
        """
    )
    assert not f.upgrade.transactional
    assert any("autocommit_block" in r for r in f.upgrade.non_transactional)
    assert f.upgrade.concurrent_indexes == ("ix_t_v",)
    assert f.upgrade.warnings == ()
    assert f.downgrade.transactional


def test_raw_concurrent_sql_is_found_and_index_name_parsed() -> None:
    f = facts(
        """
        def upgrade():
            with op.get_context().autocommit_block():
                op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON a (b)")
        """
    )
    assert not f.upgrade.transactional
    assert f.upgrade.concurrent_indexes == ("ix_a",)


@pytest.mark.parametrize(
    "body",
    [
        'op.create_index("ix", "t", ["v"], postgresql_concurrently=True)',
        'op.drop_index("ix", table_name="t", postgresql_concurrently=True)',
        'op.execute("CREATE INDEX CONCURRENTLY ix ON t (v)")',
    ],
    ids=["create_index", "drop_index", "raw-sql"],
)
def test_concurrently_outside_autocommit_block_runs_the_step_in_autocommit(body: str) -> None:
    """What works under plain Alembic when env.py hands over an autocommit connection."""
    f = facts(f"def upgrade():\n    {body}\n")
    assert not f.upgrade.transactional
    assert f.upgrade.autocommit
    assert f.upgrade.concurrent_indexes == ("ix",)
    assert any("autocommit" in r for r in f.upgrade.non_transactional)


def test_concurrently_inside_autocommit_block_needs_no_autocommit_connection() -> None:
    f = facts(
        """
        def _build():
            op.create_index("ix", "t", ["v"], postgresql_concurrently=True)

        def upgrade():
            with op.get_context().autocommit_block():
                _build()
        """
    )
    assert not f.upgrade.transactional
    assert not f.upgrade.autocommit


def test_helpers_called_from_upgrade_are_analysed() -> None:
    f = facts(
        """
        def _build():
            with op.get_context().autocommit_block():
                op.execute("VACUUM ANALYZE t")

        def upgrade():
            _build()

        def downgrade():
            op.drop_index("ix")
        """
    )
    assert not f.upgrade.transactional
    assert f.downgrade.transactional


def test_a_docstring_mentioning_concurrently_is_not_sql() -> None:
    f = facts(
        '''
        def upgrade():
            """We used to build this CONCURRENTLY; now the table is small."""
            op.create_index("ix", "t", ["v"])
        '''
    )
    assert f.upgrade.transactional


def test_unparseable_source_is_reported_not_raised() -> None:
    f = analyse_source("def upgrade(:\n")
    assert f.notes == ("source does not parse",)


def test_facts_from_the_loaded_module_match_the_source(tmp_path) -> None:
    import importlib.util

    from migsafe.engine.analysis import analyse_file

    path = tmp_path / "rev.py"
    path.write_text(
        'def upgrade():\n    op.add_column("t", sa.Column("x"))\n\n'
        'def downgrade():\n    """Nothing to undo."""\n    pass\n'
    )
    spec = importlib.util.spec_from_file_location("rev", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from_module = analyse_file(path, module)
    from_source = analyse_file(path)
    for direction in ("upgrade", "downgrade"):
        a, b = from_module.for_direction(direction), from_source.for_direction(direction)
        assert (a.present, a.empty, a.transactional) == (b.present, b.empty, b.transactional)
    assert from_module.downgrade.empty and not from_module.upgrade.empty


@pytest.mark.parametrize(
    "body",
    [
        'op.execute("COMMIT")',
        'op.execute("commit;")',
        "op.get_bind().commit()",
    ],
    ids=["sql-commit", "sql-commit-semicolon", "connection-commit"],
)
def test_an_explicit_commit_makes_a_migration_non_transactional(body: str) -> None:
    f = facts(f"def upgrade():\n    {body}\n    op.execute(\"ALTER TYPE mood ADD VALUE 'meh'\")\n")
    assert not f.upgrade.transactional
    assert any("commit" in r.lower() for r in f.upgrade.non_transactional)


def test_the_word_commit_in_data_is_not_a_commit() -> None:
    f = facts("def upgrade():\n    op.execute(\"UPDATE t SET note = 'commit later'\")\n")
    assert f.upgrade.transactional


@pytest.mark.parametrize(
    "body",
    [
        "session = Session(bind=op.get_bind())\n    session.add(x)\n    session.commit()",
        "session = orm.Session(bind=op.get_bind())\n    session.commit()",
        "with sa.orm.Session(bind=op.get_bind()) as s:\n        s.commit()",
        "Session(bind=op.get_bind()).commit()",
        "session = sessionmaker(bind=op.get_bind())()\n    session.commit()",
        "db.session.commit()",
        "_backfill(Session(bind=op.get_bind()))",
        "bind = op.get_bind()\n    sp = bind.begin_nested()\n    sp.commit()",
    ],
    ids=[
        "Session",
        "orm.Session",
        "with-Session-as",
        "inline",
        "sessionmaker",
        "flask-db.session",
        "helper-parameter",
        "savepoint",
    ],
)
def test_an_orm_session_commit_does_not_leave_the_transaction(body: str) -> None:
    """A Session bound to the migration's connection joins its transaction
    (join_transaction_mode): its commit() is no COMMIT of the migration."""
    source = (
        "Maker = sessionmaker()\n\n"
        "def _backfill(session):\n    session.add(1)\n    session.commit()\n\n"
        f"def upgrade():\n    {body}\n"
    )
    f = facts(source)
    assert f.upgrade.transactional, f.upgrade.non_transactional


@pytest.mark.parametrize(
    "body",
    [
        "session = Session(bind=op.get_bind(), join_transaction_mode='control_fully')\n"
        "    session.commit()",
        "session = Session(bind=op.get_bind())\n    session.connection().commit()",
        "bind = op.get_bind()\n    bind.commit()",
        "conn = op.get_context().connection\n    conn.commit()",
        "Maker = sessionmaker(join_transaction_mode='control_fully')\n"
        "    Maker(bind=op.get_bind()).commit()",
    ],
    ids=["control_fully", "session-connection", "bind", "context-connection", "maker-full"],
)
def test_a_commit_of_the_migrations_connection_leaves_the_transaction(body: str) -> None:
    f = facts(f"def upgrade():\n    {body}\n")
    assert not f.upgrade.transactional
    assert any("commit" in r for r in f.upgrade.non_transactional)
