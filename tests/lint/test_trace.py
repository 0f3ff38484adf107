"""What the offline render sees of a revision, and where it says it saw it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from migsafe.engine.project import load_project, upgrade_steps
from migsafe.lint.inputs import collect
from migsafe.lint.model import RevisionInput, Via
from migsafe.settings import CliOptions, load_settings
from tests.lint.support import HEADER, write_project


def inputs_of(*uppers: str) -> list[RevisionInput]:
    """Collect a chain of revisions r1, r2... whose upgrade() bodies are ``uppers``."""
    files = {}
    for index, body in enumerate(uppers, 1):
        source = HEADER.format(doc=f"r{index}").replace('revision = "r1"', f'revision = "r{index}"')
        if index > 1:
            source = source.replace("down_revision = None", f'down_revision = "r{index - 1}"')
        files[f"r{index}.py"] = source + body + "\n\ndef downgrade():\n    pass\n"
    with tempfile.TemporaryDirectory() as tmp:
        ini = write_project(Path(tmp), files)
        project = load_project(load_settings(CliOptions(config=ini)))
        got, _ = collect(project, "postgresql://", upgrade_steps(project, "heads", ()))
        return got


def test_a_helper_function_reports_the_line_that_called_it_in_upgrade() -> None:
    (rev,) = inputs_of(
        "def helper(table):\n"
        "    op.create_index('ix_' + table, table, ['a'])\n"
        "\n"
        "def upgrade():\n"
        "    helper('orders')\n"
    )
    (stmt,) = rev.statements
    assert stmt.op == "create_index"
    assert stmt.line == 11  # the helper's own line: the innermost frame in the revision file


def test_connection_sql_and_core_statements_are_seen() -> None:
    (rev,) = inputs_of(
        "def upgrade():\n"
        "    conn = op.get_bind()\n"
        "    conn.execute(sa.text('UPDATE users SET a = 1'))\n"
        "    t = sa.table('users', sa.column('b'))\n"
        "    conn.execute(t.update().values(b=2))\n"
        "    for row in conn.execute(sa.text('SELECT id FROM users')):\n"
        "        conn.execute(sa.text('UPDATE users SET a = 3 WHERE id = :id'), {'id': row.id})\n"
    )
    sqls = [(s.via, s.sql) for s in rev.statements]
    assert (Via.CONNECTION, "UPDATE users SET a = 1") in sqls
    assert (Via.CONNECTION, "UPDATE users SET b=$1") in sqls
    assert [f.kind.value for f in rev.python] == ["row-loop"]
    assert rev.stopped_at is None


def test_ops_after_an_orm_session_are_still_seen() -> None:
    (rev,) = inputs_of(
        "def upgrade():\n"
        "    from sqlalchemy.orm import Session\n"
        "    op.add_column('users', sa.Column('n', sa.Integer()))\n"
        "    session = Session(bind=op.get_bind())\n"
        "    session.execute(sa.text('UPDATE users SET n = 0'))\n"
        "    op.alter_column('users', 'n', nullable=False)\n"
        "    with op.batch_alter_table('users') as batch:\n"
        "        batch.drop_column('old')\n"
    )
    assert rev.stopped_at == 14
    assert [s.op for s in rev.statements if s.op] == [
        "add_column",
        "alter_column",
        "drop_column",
    ]
    # the literal SQL of the stopped line is read from the source
    assert any(s.from_source and s.sql == "UPDATE users SET n = 0" for s in rev.statements)


def test_a_revision_that_stops_does_not_stop_the_next() -> None:
    first, second = inputs_of(
        "def upgrade():\n    raise RuntimeError('needs a database')\n",
        "def upgrade():\n    op.drop_column('users', 'x')\n",
    )
    assert first.stopped_at == 11 and first.statements == ()
    assert [s.op for s in second.statements] == ["drop_column"]


def test_autocommit_and_batch_blocks_are_marked() -> None:
    (rev,) = inputs_of(
        "def upgrade():\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix', 'users', ['a'], postgresql_concurrently=True)\n"
        "    with op.batch_alter_table('users') as batch:\n"
        "        batch.add_column(sa.Column('c', sa.Integer()))\n"
        "        batch.drop_column('d')\n"
    )
    index, add, drop = rev.statements
    assert index.autocommit and not index.batch
    assert add.batch and add.line == 14 and add.op == "add_column"
    assert drop.batch and drop.line == 15 and drop.op == "drop_column"


def test_a_password_in_the_error_that_stopped_a_render_is_masked() -> None:
    (rev,) = inputs_of(
        "def upgrade():\n"
        "    raise RuntimeError('cannot reach postgresql://app:Sup3r-secret@db:5432/shop')\n"
    )
    note = " ".join(rev.notes)
    assert "RuntimeError: cannot reach postgresql://app:" in note
    assert "Sup3r-secret" not in note
