"""missing-downgrade: an empty downgrade() where migsafe cannot generate the reverse."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from migsafe.lint.model import Finding
from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, HEADER, expected, lint_source, rule_ids

RULE = "missing-downgrade"


def hits(upgrade: str, downgrade: str = "pass") -> list[Finding]:
    source = (
        HEADER.format(doc="test")
        + "def upgrade():\n"
        + textwrap.indent(textwrap.dedent(upgrade).strip() + "\n", "    ")
        + "\n\ndef downgrade():\n"
        + textwrap.indent(textwrap.dedent(downgrade).strip() + "\n", "    ")
    )
    return [f for f in lint_source(source).findings if f.rule == RULE]


@pytest.mark.parametrize(
    "upgrade",
    [
        'op.get_bind().execute(sa.text("ALTER TABLE orders ADD COLUMN note text"))',
        "op.execute(\"DO $$ BEGIN EXECUTE 'ALTER TABLE orders ADD COLUMN x int'; END $$\")",
        'op.execute("CALL refresh_everything()")',
        'op.execute("SELECT backfill_orders()")',
        "op.execute(\"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'\")",
        'op.execute("CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f()")',
        'op.execute("ALTER TABLE orders ADD COLUMN {column} text")',
        'open("/srv/exports/orders.csv", "w").write("id\\n")',
        'import subprocess\nsubprocess.run(["pg_dump", "app"])',
    ],
)
def test_steps_the_reverse_generator_cannot_cover_are_flagged(upgrade: str) -> None:
    found = hits(upgrade)
    assert len(found) == 1
    assert found[0].line is not None and found[0].line > 10  # on downgrade()


@pytest.mark.parametrize("downgrade", ["pass", '"""Irreversible."""', "raise NotImplementedError"])
def test_every_empty_form_counts(downgrade: str) -> None:
    assert hits('op.execute("CALL refresh_everything()")', downgrade)


@pytest.mark.parametrize(
    "upgrade",
    [
        'op.add_column("orders", sa.Column("note", sa.Text()))',
        'op.create_index("ix_orders_note", "orders", ["note"])',
        'op.drop_column("orders", "legacy")',
        'op.execute("ALTER TABLE orders ADD COLUMN note text")',
        "op.execute(\"ALTER TYPE mood ADD VALUE 'meh'\")",
        "op.execute(\"UPDATE orders SET state = 'new' WHERE state IS NULL\")",
        "op.get_bind().execute(sa.text(\"UPDATE orders SET state = 'new'\"))",
        'op.get_bind().execute(sa.text("DELETE FROM sessions"))',
        "op.execute(\"SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))\")",
        'op.execute("SELECT upper(name) FROM orders")',
        'open("/etc/hostname").read()',
    ],
)
def test_what_migsafe_reverses_is_not_flagged(upgrade: str) -> None:
    assert not hits(upgrade)


def test_a_written_downgrade_is_not_flagged() -> None:
    assert not hits('op.execute("CALL refresh_everything()")', 'op.execute("CALL undo_refresh()")')


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "missing_downgrade").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
