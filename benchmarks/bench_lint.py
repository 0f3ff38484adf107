"""migsafe lint's precision and recall on the labelled corpus, beside squawk's; time to lint.

1. Accuracy. Every corpus file (tests/lint/corpus/<rule>/*.py, each labelled `# expect: ...`
   with every rule id a PostgreSQL expert would raise) is linted alone, offline, by migsafe
   (all severities count) and by squawk, the Rust linter for PostgreSQL migrations, on the SQL
   the same offline render produced (the statements migsafe's trace sees, one .sql file per
   revision; a `# migsafe: ignore[id] reason` silences squawk's finding mapped to that id on
   that statement too). squawk's rule names are mapped to migsafe ids by the tables below
   (its style rules are not counted, its other rules without a migsafe equivalent count as
   false positives); precision, recall and F1 are micro-averaged over (file, rule id) pairs
   (tests/lint/scoring.py, the computation tests/lint/test_corpus.py holds at 0.95), on all
   labels and on the labels squawk has a rule for, then per rule.
2. Speed. A 100-revision linear chain is built from corpus files (ids rewritten to chain them)
   and linted offline, in process and as a new process (start-up included), medians printed.

    python benchmarks/bench_lint.py            # the whole corpus, 100 revisions, 5 rounds
    python benchmarks/bench_lint.py --quick    # 16 files, 20 revisions, 1 round: for CI

squawk is the `squawk-cli` wheel from PyPI, pinned below and installed into a cached virtualenv
of its own (tests/support/packages.py), never into the project's environment.

Goal: precision and recall >= 0.97 and above squawk's. Nothing is asserted: figures are read.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pglast import ast, enums  # noqa: E402

from migsafe import api  # noqa: E402
from migsafe.engine.project import load_project, upgrade_steps  # noqa: E402
from migsafe.lint.inputs import collect  # noqa: E402
from migsafe.lint.model import LintResult, Statement  # noqa: E402
from migsafe.lint.sqltext import walk  # noqa: E402
from migsafe.lint.suppress import Ignore, ignores  # noqa: E402
from migsafe.settings import CliOptions, load_settings  # noqa: E402
from tests.lint import scoring  # noqa: E402
from tests.lint.support import CORPUS, expected, write_project  # noqa: E402
from tests.support import packages  # noqa: E402

GOAL = 0.97

SQUAWK = packages.Tool("squawk-cli", "2.70.0", "squawk")
SQUAWK_PG_VERSION = "14.0"  # the server version migsafe assumes offline (LintConfig)

# squawk rule -> the migsafe rule that flags the same risk on the same statement.
SQUAWK_RULES = {
    "changing-column-type": "column-type-rewrite",
    "adding-field-with-default": "volatile-default",  # squawk: volatile default on PG >= 11
    "require-concurrent-index-creation": "index-not-concurrent",
    "require-concurrent-reindex": "index-not-concurrent",
    "require-concurrent-index-deletion": "drop-index-not-concurrent",
    "adding-foreign-key-constraint": "foreign-key-not-valid",
    "disallowed-unique-constraint": "unique-without-index",
    "adding-serial-primary-key-field": "primary-key-without-index",  # any ADD PRIMARY KEY
    "adding-not-nullable-field": "set-not-null",  # squawk: ALTER COLUMN SET NOT NULL
    "adding-required-field": "add-required-column",
    "renaming-column": "rename-column",
    "renaming-table": "rename-table",
    "ban-drop-column": "drop-column",
    "ban-drop-table": "drop-table",
    "ban-truncate-cascade": "truncate-table",
    "ban-alter-sequence-values": "sequence-reset",  # opt-in: enabled, see SQUAWK_OPT_IN
    # VACUUM FULL / CLUSTER -> REPACK (CONCURRENTLY); squawk raises it from PG 19 on only.
    "prefer-repack": "table-rewrite-command",
}
# Mapped rules squawk keeps silent at SQUAWK_PG_VERSION: their migsafe ids do not count as
# "labels squawk has a rule for".
SQUAWK_SILENT = frozenset({"prefer-repack"})
# squawk's one rule for every ADD CONSTRAINT without NOT VALID: mapped by the constraint it adds.
CONSTRAINT_MISSING_NOT_VALID = "constraint-missing-not-valid"
CONSTRAINT_RULES = {
    enums.ConstrType.CONSTR_FOREIGN: "foreign-key-not-valid",
    enums.ConstrType.CONSTR_CHECK: "check-not-valid",
    enums.ConstrType.CONSTR_UNIQUE: "unique-without-index",
    enums.ConstrType.CONSTR_PRIMARY: "primary-key-without-index",
}
# Opt-in squawk rules (off by default) that have a migsafe equivalent: switched on, so that
# squawk is compared at its best.
SQUAWK_OPT_IN = ("ban-alter-sequence-values",)
# Not counted either way: style and robustness advice (not a lock, a rewrite or a break of the
# running release), settings migsafe's guard applies itself, and how the .sql file is wrapped in
# a transaction (Alembic and migsafe decide that, not the migration's SQL).
SQUAWK_IGNORED = frozenset(
    {
        "prefer-robust-stmts",
        "prefer-text-field",
        "prefer-bigint-over-int",
        "prefer-bigint-over-smallint",
        "prefer-identity",
        "prefer-timestamp-tz",
        "ban-char-field",
        "identifier-too-long",
        "require-table-schema",
        "require-enum-value-ordering",
        "require-timeout-settings",
        "require-lock-timeout",
        "require-statement-timeout",
        "transaction-nesting",
        "ban-concurrent-index-creation-in-transaction",
        "ban-uncommitted-transaction",
        "unused-ignore",
        "syntax-error",  # reported with the files it happens in
    }
)
# Any other squawk rule counts as a false positive under its own name ("squawk:<rule>").
UNMAPPED = "squawk:"
SYNTAX_ERROR = "syntax-error"


# -- accuracy -----------------------------------------------------------------------------


def render(path: Path) -> list[Statement]:
    """The statements of a corpus file as migsafe's offline trace sees them (linted alone)."""
    with tempfile.TemporaryDirectory(prefix="bench-lint-") as tmp:
        ini = write_project(Path(tmp), {"r1.py": path.read_text()})
        project = load_project(load_settings(CliOptions(config=ini)))
        inputs, _ = collect(project, "postgresql://", upgrade_steps(project, "heads", ()))
    return [s for rev in inputs for s in rev.statements]


@dataclass(frozen=True)
class SqlFile:
    path: Path
    spans: tuple[tuple[int, int, Statement], ...]  # first and last 0-based line, statement
    # The file's `# migsafe: ignore[...] reason` comments: squawk is held to them too, as if
    # the author had written the equivalent `-- squawk-ignore` above the same statement.
    ignores: tuple[Ignore, ...] = ()

    def silenced(self, stmt: Statement | None) -> set[str]:
        return {
            rule
            for ignore in self.ignores
            if ignore.applies_to is None or (stmt is not None and ignore.applies_to == stmt.line)
            for rule in ignore.rules
        }


def write_sql(path: Path, statements: Sequence[Statement], source: str = "") -> SqlFile:
    """One revision's statements as a .sql file, as `alembic upgrade --sql` writes them: an
    ``autocommit_block()`` ends the migration's transaction (COMMIT) and opens a new one after
    (BEGIN), which tells squawk what runs outside the transaction."""
    lines: list[str] = []
    spans = []
    autocommit = False
    for stmt in statements:
        if stmt.node is None:
            continue  # squawk stops at a syntax error: it would not see what follows
        if stmt.autocommit != autocommit:
            lines.append("COMMIT;" if stmt.autocommit else "BEGIN;")
            autocommit = stmt.autocommit
        text = stmt.sql.rstrip().rstrip(";").splitlines() or [""]
        text[-1] += ";"
        spans.append((len(lines), len(lines) + len(text) - 1, stmt))
        lines += text
    if autocommit:
        lines.append("BEGIN;")
    path.write_text("\n".join(lines) + "\n")
    return SqlFile(path, tuple(spans), tuple(i for i in ignores(source) if i.reason))


def constraint_rules(stmt: Statement | None, others: Sequence[Statement] = ()) -> set[str]:
    """The migsafe ids of the constraints a statement adds, or validates (squawk's
    constraint-missing-not-valid also flags a VALIDATE in the transaction that added the
    constraint NOT VALID: the constraint's kind is read where ``others`` adds it)."""
    if stmt is None:
        return set()
    added = _constraints(stmt)
    validated = {
        n.name
        for n in walk(stmt.node)
        if isinstance(n, ast.AlterTableCmd)
        and n.subtype == enums.AlterTableType.AT_ValidateConstraint
    }
    added += [c for other in others for c in _constraints(other) if c[0] in validated]
    return {rule for _, rule in added}


def _constraints(stmt: Statement) -> list[tuple[str | None, str]]:
    """(name, migsafe id) of each constraint the statement adds."""
    return [
        (n.conname, CONSTRAINT_RULES[n.contype])
        for n in walk(stmt.node)
        if isinstance(n, ast.Constraint) and n.contype is not None and n.contype in CONSTRAINT_RULES
    ]


def statement_at(sql: SqlFile, line: int) -> Statement | None:
    return next((stmt for first, last, stmt in sql.spans if first <= line <= last), None)


def to_migsafe(rule: str, stmt: Statement | None, others: Sequence[Statement] = ()) -> set[str]:
    """The migsafe ids a squawk violation stands for (empty: not counted); ``others``: the
    revision's statements."""
    if rule in SQUAWK_IGNORED:
        return set()
    if rule == CONSTRAINT_MISSING_NOT_VALID:
        return constraint_rules(stmt, others) or {UNMAPPED + rule}
    if rule in SQUAWK_RULES:
        return {SQUAWK_RULES[rule]}
    return {UNMAPPED + rule}


@dataclass(frozen=True)
class SquawkRun:
    found: dict[str, set[str]]
    seen: Counter[str]  # squawk rule -> violations
    skipped: int  # statements not written (unparseable)
    unparsed: tuple[str, ...]  # files squawk's own parser stopped on (it reads no further)


def squawk_found(exe: Path, files: Sequence[Path], root: Path) -> SquawkRun:
    """squawk's findings per corpus file, as migsafe ids, from one squawk run over them all."""
    with tempfile.TemporaryDirectory(prefix="bench-lint-sql-") as tmp:
        sql_files: dict[str, tuple[str, SqlFile]] = {}
        skipped = 0
        for n, path in enumerate(files):
            statements = render(path)
            sql = write_sql(Path(tmp) / f"{n:04d}.sql", statements, path.read_text())
            skipped += len(statements) - len(sql.spans)
            sql_files[str(sql.path)] = (scoring.name_of(path, root), sql)
        done = subprocess.run(
            [
                str(exe),
                "--reporter",
                "json",
                "--pg-version",
                SQUAWK_PG_VERSION,
                # Alembic runs each revision in a transaction on PostgreSQL; squawk then knows
                # that a table created earlier in the file is new (nobody else sees it yet).
                "--assume-in-transaction",
                "--include",
                ",".join(SQUAWK_OPT_IN),
                *sql_files,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode not in (0, 1):  # 1: violations found
        raise SystemExit(f"squawk exited with {done.returncode}: {done.stderr[-2000:]}")
    found: dict[str, set[str]] = {name: set() for name, _ in sql_files.values()}
    seen: Counter[str] = Counter()
    unparsed: set[str] = set()
    for violation in json.loads(done.stdout or "[]"):
        name, sql = sql_files[violation["file"]]
        rule = violation["rule_name"]
        seen[rule] += 1
        if rule == SYNTAX_ERROR:
            unparsed.add(name)
        stmt = statement_at(sql, violation["line"])
        others = [s for _, _, s in sql.spans]
        found[name] |= to_migsafe(rule, stmt, others) - sql.silenced(stmt)
    return SquawkRun(found, seen, skipped, tuple(sorted(unparsed)))


def squawk_version(exe: Path) -> str:
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def pick(files: list[Path], count: int) -> list[Path]:
    """``count`` files spread over the corpus (every folder has a chance), or all of them."""
    if count <= 0 or count >= len(files):
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def fmt(s: scoring.Score) -> str:
    return f"{s.precision:9.3f} {s.recall:7.3f} {s.f1:7.3f}"


def accuracy(
    root: Path, count: int, *, show_squawk: bool = False
) -> tuple[scoring.Score, scoring.Score]:
    files = pick(scoring.corpus_files(root), count)
    if not files:
        raise SystemExit(f"no corpus files under {root}")
    expect = {scoring.name_of(p, root): expected(p) for p in files}
    t0 = time.perf_counter()
    ours = scoring.migsafe_found(root, files)
    ours_s = time.perf_counter() - t0
    exe = packages.install_tool(SQUAWK)
    t0 = time.perf_counter()
    theirs = squawk_found(exe, files, root)
    theirs_s = time.perf_counter() - t0
    labelled = sum(len(ids) for ids in expect.values())
    print(f"corpus: {len(files)} files, {labelled} labels ({root})")
    print(f"migsafe: this checkout, offline, every severity counts ({ours_s:.1f} s)")
    print(
        f"squawk: {squawk_version(exe)} ({SQUAWK.requirement} from PyPI), --pg-version "
        f"{SQUAWK_PG_VERSION} --assume-in-transaction, default rules + opt-in "
        f"{', '.join(SQUAWK_OPT_IN)}, on the offline render's SQL, held to the files' "
        f"`# migsafe: ignore[...]` comments ({theirs_s:.1f} s)"
    )
    print(
        "squawk rules not counted either way (style, robustness, settings migsafe's guard "
        "applies, transaction wrapping): " + ", ".join(sorted(SQUAWK_IGNORED))
    )
    unmapped = sorted(
        r
        for r in theirs.seen
        if r not in SQUAWK_IGNORED and r not in SQUAWK_RULES and r != CONSTRAINT_MISSING_NOT_VALID
    )
    print(
        "squawk rules with no migsafe equivalent, counted as false positives: "
        + (", ".join(f"{r} ({theirs.seen[r]})" for r in unmapped) or "none seen")
    )
    if theirs.skipped:
        print(f"statements PostgreSQL's parser rejects, not given to squawk: {theirs.skipped}")
    if theirs.unparsed:
        print(
            f"files squawk's parser stopped on (it reads no further): {len(theirs.unparsed)}: "
            + ", ".join(theirs.unparsed)
        )

    covered = {v for k, v in SQUAWK_RULES.items() if k not in SQUAWK_SILENT}
    covered |= set(CONSTRAINT_RULES.values())
    ours_all, theirs_all = scoring.score(ours, expect), scoring.score(theirs.found, expect)
    ours_sub = scoring.score(ours, expect, only=covered)
    theirs_sub = scoring.score(theirs.found, expect, only=covered)
    sub_labels = sum(len(ids & covered) for ids in expect.values())
    print()
    print(f"{'labels':34} {'precision':>9} {'recall':>7} {'F1':>7}")
    for what, mine, other in (
        (f"all ({labelled})", ours_all, theirs_all),
        (f"those squawk has a rule for ({sub_labels})", ours_sub, theirs_sub),
    ):
        print(what)
        print(f"{'  migsafe':34} {fmt(mine)}")
        print(f"{'  squawk':34} {fmt(other)}")
    print()
    print_per_rule(ours, theirs.found, expect, covered)
    for who, result, show in (("migsafe", ours_all, True), ("squawk", theirs_all, show_squawk)):
        if show and (result.false_positives or result.false_negatives):
            print()
            print(f"{who}'s misses:\n" + "\n".join(result.report().splitlines()[1:]))
    return ours_all, theirs_all


def print_per_rule(
    ours: scoring.Labels, theirs: scoring.Labels, expect: scoring.Labels, covered: set[str]
) -> None:
    mine = scoring.per_rule(ours, expect)
    other = scoring.per_rule(theirs, expect)
    print(f"{'rule':34} {'files':>5}   {'migsafe tp/fp/fn':>16}   {'squawk tp/fp/fn':>16}")
    for rule in sorted(set(mine) | set(other), key=lambda r: (r.startswith(UNMAPPED), r)):
        base = mine.get(rule) or other[rule]
        m = mine.get(rule, scoring.RuleCount(base.labelled, 0, 0, base.labelled))
        o = other.get(rule, scoring.RuleCount(base.labelled, 0, 0, base.labelled))
        ours_col = f"{m.true_positives}/{m.false_positives}/{m.false_negatives}"
        if rule in covered or rule.startswith(UNMAPPED):
            theirs_col = f"{o.true_positives}/{o.false_positives}/{o.false_negatives}"
        else:
            theirs_col = "(no rule)"
        if rule.startswith(UNMAPPED):
            ours_col = "-"
        print(f"{rule:34} {base.labelled:5}   {ours_col:>16}   {theirs_col:>16}")


# -- speed --------------------------------------------------------------------------------

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=.*$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=.*$", re.MULTILINE)


def build_chain(root: Path, files: Sequence[Path], count: int) -> Path:
    """An Alembic project of ``count`` revisions, corpus files in turn, chained linearly."""
    sources: dict[str, str] = {}
    down: str | None = None
    for n in range(count):
        path = files[n % len(files)]
        rev = f"{n + 1:012x}"
        text = _REVISION.sub(f"revision = {rev!r}", path.read_text(), count=1)
        text = _DOWN_REVISION.sub(f"down_revision = {down!r}", text, count=1)
        sources[f"{n + 1:03d}_{path.stem}.py"] = text
        down = rev
    return write_project(root, sources)


def lint_in_process(ini: Path) -> LintResult:
    """What `migsafe lint --all` runs, settings included."""
    return api.lint(load_settings(CliOptions(config=ini)), all_revisions=True)


def lint_argv(ini: Path) -> list[str]:
    return [sys.executable, "-m", "migsafe", "-c", str(ini), "lint", "--all", "--format", "json"]


def run_process(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode not in (0, 1):  # 1: findings at or above fail-on
        raise SystemExit(f"{argv[1:3]} exited with {done.returncode}: {done.stderr[-2000:]}")


def median_seconds(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def speed(root: Path, count: int, rounds: int) -> None:
    files = scoring.corpus_files(root)
    with tempfile.TemporaryDirectory(prefix="bench-lint-chain-") as tmp:
        ini = build_chain(Path(tmp), files, count)
        lint_in_process(ini)  # imports and first-use caches: a new process pays them, below
        inside = median_seconds(lambda: lint_in_process(ini), rounds)
        outside = median_seconds(lambda: run_process(lint_argv(ini)), rounds)
    print(f"lint {count} revisions offline (a chain of corpus files), median of {rounds}:")
    per = 1000 / count
    for how, seconds in (
        ("in process (migsafe.api.lint, all_revisions=True)", inside),
        ("new process (python -m migsafe lint --all --format json)", outside),
    ):
        print(f"  {how:58} {seconds:6.2f} s  ({seconds * per:.1f} ms/revision)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 files, 20 revisions, 1 round")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--files", type=int, default=0, help="corpus files to score (0: all)")
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--show-squawk", action="store_true", help="list squawk's misses too (migsafe's always)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.revisions, args.rounds = args.files or 16, 20, 1

    print(f"goal: precision and recall >= {GOAL} and above squawk's")
    print()
    ours, theirs = accuracy(args.corpus, args.files, show_squawk=args.show_squawk)
    print()
    speed(args.corpus, args.revisions, args.rounds)
    print()
    met = (
        min(ours.precision, ours.recall) >= GOAL
        and (ours.precision > theirs.precision or ours.precision == 1.0)
        and (ours.recall > theirs.recall or ours.recall == 1.0)
    )
    print(
        f"goal: precision and recall >= {GOAL} and above squawk's: {'met' if met else 'NOT met'} "
        f"(migsafe {ours.precision:.3f}/{ours.recall:.3f}, "
        f"squawk {theirs.precision:.3f}/{theirs.recall:.3f})"
    )


if __name__ == "__main__":
    main()
