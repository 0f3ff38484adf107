"""The lint benchmark keeps running (quick mode): accuracy beside squawk's, and the timings.

Its figures are read, not asserted: the bar the corpus must meet is tests/lint/test_corpus.py's.
squawk is installed from PyPI (pinned, cached) on the first run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIGURES = r"\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d\.\d{3})"


@pytest.mark.timeout(900)
def test_bench_lint_quick_mode_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_lint.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "goal: precision and recall >= 0.97 and above squawk's" in out
    assert re.search(r"squawk: squawk \d+\.\d+\.\d+ \(squawk-cli==", out), out
    assert re.search(r"all \(\d+\)\n  migsafe" + FIGURES + r"\n  squawk" + FIGURES, out), out
    assert re.search(r"those squawk has a rule for \(\d+\)\n  migsafe" + FIGURES, out), out
    assert re.search(r"rule +files +migsafe tp/fp/fn +squawk tp/fp/fn", out), out
    assert re.search(r"in process \(.+\) +[\d.]+ s +\([\d.]+ ms/revision\)", out), out
    assert re.search(r"new process \(.+\) +[\d.]+ s +\([\d.]+ ms/revision\)", out), out
    assert re.search(r"goal: .*: (met|NOT met) \(migsafe", out), out


@pytest.mark.parametrize(
    ("rule", "sql", "ids"),
    [
        (
            "constraint-missing-not-valid",
            "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)",
            {"foreign-key-not-valid"},
        ),
        (
            "constraint-missing-not-valid",
            "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0)",
            {"check-not-valid"},
        ),
        (
            "constraint-missing-not-valid",
            "ALTER TABLE orders ADD CONSTRAINT uq UNIQUE (code)",
            {"unique-without-index"},
        ),
        (
            "constraint-missing-not-valid",
            "ALTER TABLE orders ADD CONSTRAINT ex EXCLUDE USING gist (during WITH &&)",
            {"squawk:constraint-missing-not-valid"},
        ),
        ("require-concurrent-index-creation", "CREATE INDEX ix ON t (a)", {"index-not-concurrent"}),
        ("prefer-robust-stmts", "CREATE INDEX ix ON t (a)", set()),
        ("ban-drop-database", "DROP DATABASE d", {"squawk:ban-drop-database"}),
    ],
    ids=["fk", "check", "unique", "exclude", "mapped", "style-ignored", "unmapped"],
)
def test_squawk_rules_map_to_migsafe_ids_by_statement(rule: str, sql: str, ids: set[str]) -> None:
    from benchmarks import bench_lint
    from migsafe.lint.model import Statement, Via
    from migsafe.lint.sqltext import parse_one

    [(text, node)] = parse_one(sql)
    assert bench_lint.to_migsafe(rule, Statement(text, node, 1, Via.OP)) == ids


def test_squawk_is_held_to_the_files_migsafe_ignore_comments(tmp_path: Path) -> None:
    from benchmarks import bench_lint
    from migsafe.lint.model import Statement, Via
    from migsafe.lint.sqltext import parse_one

    source = (
        "def upgrade():\n"
        "    # migsafe: ignore[drop-column] nothing reads legacy since 2.3\n"
        '    op.drop_column("orders", "legacy")\n'
        '    op.drop_column("orders", "other")  # migsafe: ignore[drop-column]\n'
    )
    statements = [
        Statement(text, node, line, Via.OP)
        for line, sql in (
            (3, "ALTER TABLE orders DROP COLUMN legacy"),
            (4, "ALTER TABLE orders DROP COLUMN other"),
        )
        for text, node in parse_one(sql)
    ]
    sql = bench_lint.write_sql(tmp_path / "r.sql", statements, source)
    assert (tmp_path / "r.sql").read_text().splitlines()[
        1
    ] == "ALTER TABLE orders DROP COLUMN other;"
    assert sql.silenced(bench_lint.statement_at(sql, 0)) == {"drop-column"}
    assert sql.silenced(bench_lint.statement_at(sql, 1)) == set()  # no reason: silences nothing


def test_an_autocommit_block_is_written_as_alembic_writes_it_and_a_validate_maps_by_name(
    tmp_path: Path,
) -> None:
    from benchmarks import bench_lint
    from migsafe.lint.model import Statement, Via
    from migsafe.lint.sqltext import parse_one

    def stmt(sql: str, *, autocommit: bool = False) -> Statement:
        [(text, node)] = parse_one(sql)
        return Statement(text, node, 1, Via.OP, autocommit=autocommit)

    add = stmt(
        "ALTER TABLE lines ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES p (id) NOT VALID",
        autocommit=True,
    )
    validate = stmt("ALTER TABLE lines VALIDATE CONSTRAINT fk_p")
    bench_lint.write_sql(tmp_path / "r.sql", [add, validate])
    assert (tmp_path / "r.sql").read_text().splitlines() == [
        "COMMIT;",
        add.sql + ";",
        "BEGIN;",
        validate.sql + ";",
    ]
    rule = "constraint-missing-not-valid"
    assert bench_lint.to_migsafe(rule, validate, [add, validate]) == {"foreign-key-not-valid"}
    assert bench_lint.to_migsafe(rule, validate) == {"squawk:" + rule}  # added elsewhere
