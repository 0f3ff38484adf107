"""Cost of the transactional guard: `migsafe upgrade` vs plain `alembic.command.upgrade`.

Builds a 50-migration chain of mixed DDL on small tables, then, in one process, upgrades fresh
databases from base to head with each tool in turn (alternating, so drift in the machine's load
hits both) and prints the medians and their ratio. Also times `migsafe status` as a user runs
it: a new process, startup included.

    python benchmarks/bench_guard.py            # 9 rounds
    python benchmarks/bench_guard.py --quick    # 2 rounds, for CI

Targets: issue 2, the guard alone costs at most 15% over plain Alembic (ratio <= 1.15, timed
with reverse generation off), and `migsafe status` answers in under 0.3 s; issue 4, the upgrade
as users run it, also generating, rendering and storing each revision's reverse script and the
schema fingerprints, costs at most 1.5x plain Alembic. Two figures with reverse scripts: the
first run on a database (it also creates migsafe's history tables) and every later run.

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; databases are created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from migsafe import api  # noqa: E402
from migsafe.settings import CliOptions, load_settings  # noqa: E402
from tests.support.pg import TEMPLATE_DB, PgServer, from_env, provide_server  # noqa: E402

ENV_PY = """
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

# Mixed DDL on small tables; every 5th migration creates a table the next four alter.
BODIES = [
    """
    op.create_table(
        "t{g}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.bulk_insert(
        sa.table("t{g}", sa.column("id", sa.Integer), sa.column("name", sa.String)),
        [{{"id": i, "name": f"row {{i}}"}} for i in range(1, 21)],
    )
    """,
    """
    op.add_column("t{g}", sa.Column("score", sa.Integer, server_default="0", nullable=False))
    op.execute("UPDATE t{g} SET score = id")
    """,
    """
    op.create_index("ix_t{g}_name", "t{g}", ["name"])
    """,
    """
    op.alter_column("t{g}", "name", type_=sa.String(120), existing_nullable=False)
    """,
    """
    op.create_check_constraint("ck_t{g}_score", "t{g}", "score >= 0")
    """,
]


def write_project(root: Path, count: int = 50) -> Path:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    ini = root / "alembic.ini"
    ini.write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = driver://unset\n"
    )
    previous = None
    for n in range(1, count + 1):
        group = (n - 1) // 5
        body = textwrap.dedent(BODIES[(n - 1) % 5].format(g=group))
        rev = f"r{n:03d}"
        (root / "migrations" / "versions" / f"{rev}.py").write_text(
            f'"""step {n}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {rev!r}\ndown_revision = {previous!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{textwrap.indent(body.strip(), '    ')}\n\n\n"
            "def downgrade():\n    pass\n"
        )
        previous = rev
    return ini


@contextlib.contextmanager
def server() -> Iterator[PgServer]:
    raw = os.environ.get("MIGSAFE_BENCH_DATABASE_URL")
    if raw:
        srv = from_env(raw)
        with srv.connect() as conn:  # fresh_database() copies this (empty) template
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE_DB,)
            ).fetchone()
        if not found:
            srv.create_database(TEMPLATE_DB)
        yield srv
    else:
        with provide_server() as srv:
            yield srv


def time_alembic(ini: Path, url: str) -> float:
    cfg = Config(str(ini))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    t0 = time.perf_counter()
    command.upgrade(cfg, "head")
    return time.perf_counter() - t0


def time_migsafe(ini: Path, url: str, *, reverse: bool = True) -> float:
    """`migsafe upgrade`, by default as users run it: generating and storing reverse scripts."""
    t0 = time.perf_counter()
    settings = load_settings(CliOptions(config=ini, database_url=url), reverse=reverse)
    result = api.upgrade(settings, "head")
    elapsed = time.perf_counter() - t0
    assert result.status == "succeeded", result.status
    return elapsed


def prepare_history(url: str) -> None:
    """What the first migsafe run on a database leaves: its own schema and tables."""
    import sqlalchemy as sa

    from migsafe.engine.history import History

    engine = sa.create_engine(url)
    History(engine, "migsafe").ensure()
    engine.dispose()


def time_status(ini: Path, url: str, runs: int) -> list[float]:
    env = {**os.environ, "MIGSAFE_DATABASE_URL": url}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "migsafe", "-c", str(ini), "status"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds (for CI)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--migrations", type=int, default=50)
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    logging.disable(logging.INFO)  # Alembic's per-migration INFO lines are not what we time

    with tempfile.TemporaryDirectory() as tmp, server() as srv:
        ini = write_project(Path(tmp), args.migrations)
        # One untimed upgrade of each kind warms imports and the server's caches.
        for fn in (time_alembic, time_migsafe):
            with srv.fresh_database("bench") as url:
                fn(ini, url)
        plain: list[float] = []
        guarded: list[float] = []
        steady: list[float] = []
        no_reverse: list[float] = []
        for i in range(rounds):
            kinds = ["plain", "guarded", "steady", "no_reverse"]
            if i % 2:
                kinds.reverse()
            for kind in kinds:
                with srv.fresh_database("bench") as url:
                    if kind == "plain":
                        plain.append(time_alembic(ini, url))
                    elif kind == "guarded":
                        guarded.append(time_migsafe(ini, url))
                    elif kind == "steady":
                        prepare_history(url)
                        steady.append(time_migsafe(ini, url))
                    else:
                        prepare_history(url)
                        no_reverse.append(time_migsafe(ini, url, reverse=False))
        with srv.fresh_database("bench") as url:
            time_migsafe(ini, url)
            status_times = time_status(ini, url, 3 if args.quick else 7)

    med_plain = statistics.median(plain)
    med_guarded = statistics.median(guarded)
    med_steady = statistics.median(steady)
    ratio = med_guarded / med_plain
    ratio_steady = med_steady / med_plain
    med_no_reverse = statistics.median(no_reverse)
    ratio_no_reverse = med_no_reverse / med_plain
    med_status = statistics.median(status_times)
    print(f"chain: {args.migrations} migrations, {rounds} rounds, fresh database each")
    print(f"alembic.command.upgrade   median {med_plain * 1000:8.1f} ms")
    print(f"migsafe upgrade (guarded) median {med_guarded * 1000:8.1f} ms")
    print(
        f"migsafe upgrade, history tables already there (every run after the first) "
        f"median {med_steady * 1000:.1f} ms"
    )
    print(
        f"migsafe upgrade without reverse scripts (MIGSAFE_REVERSE=0), steady "
        f"median {med_no_reverse * 1000:.1f} ms"
    )
    for label, value in (("first run on the database", ratio), ("steady state", ratio_steady)):
        verdict = "met" if value <= 1.5 else "NOT met"
        print(
            f"ratio migsafe/alembic, {label}: {value:.3f}  "
            f"(with reverse scripts; issue 4 target <= 1.5: {verdict})"
        )
    verdict = "met" if ratio_no_reverse <= 1.15 else "NOT met"
    print(
        f"ratio migsafe/alembic, guard alone (no reverse scripts): {ratio_no_reverse:.3f}  "
        f"(issue 2 target <= 1.15: {verdict})"
    )
    print(
        f"migsafe status (new process) median {med_status * 1000:.0f} ms, "
        f"max {max(status_times) * 1000:.0f} ms  (target < 300 ms: "
        f"{'met' if med_status < 0.3 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
