"""Fixed cost of a `migsafe` call on a long chain: what loading the revision files costs.

Builds a 150-revision chain whose files look like real ones (a create_table of a dozen
columns, indexes, a module-level table for a data backfill, an import of the application's
models: 200 mapped classes), upgrades a fresh database to
head once, then times, each as a user runs it (a new process, start-up included):
`migsafe status`, `migsafe history` and `migsafe revert --dry-run` (the stored-reverse path).
Each command's medians over the rounds (wall clock, and the process's CPU time, which a busy
machine does not inflate) are printed; nothing is asserted.

    python benchmarks/bench_chain_load.py             # 150 revisions, 5 rounds
    python benchmarks/bench_chain_load.py --quick     # 20 revisions, 2 rounds (for CI)

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; databases are created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_guard import ENV_PY, server  # noqa: E402

REVISION = '''\
"""step {n}: table t{n}

Revision ID: {rev}
Revises: {down_text}
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app_models  # noqa: F401  (revision files often import the application's models)

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None

# A table object for the backfill, built when the module is imported (as real files do).
t{n}_table = sa.table(
    "t{n}",
{table_columns}
)


def upgrade():
    op.create_table(
        "t{n}",
        sa.Column("id", sa.Integer, primary_key=True),
{columns}
        sa.Column("payload", postgresql.JSONB, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("ix_t{n}_c1", "t{n}", ["c1"])
    op.create_index("ix_t{n}_c2_c3", "t{n}", ["c2", "c3"])
    op.bulk_insert(t{n}_table, [{{"id": i, "c1": "v%d" % i}} for i in range(1, 4)])


def downgrade():
    op.drop_index("ix_t{n}_c2_c3", table_name="t{n}")
    op.drop_index("ix_t{n}_c1", table_name="t{n}")
    op.drop_table("t{n}")
'''


# The application's models: 200 mapped classes, what importing a real app's models costs.
MODEL = """
class Model{k}(Base):
    __tablename__ = "model_{k}"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(50), index=True)
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("model_{p}.id"))
"""


def write_chain(root: Path, count: int, models: int = 200) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "app_models.py").write_text(
        "import sqlalchemy as sa\nfrom sqlalchemy import orm\n\n\n"
        "class Base(orm.DeclarativeBase):\n    pass\n"
        + "".join(MODEL.format(k=k, p=max(k - 1, 0)) for k in range(models))
        + "\n\norm.configure_mappers()\n"
    )
    ini = root / "alembic.ini"
    ini.write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
        "sqlalchemy.url = driver://unset\n"
    )
    columns = "\n".join(
        f'        sa.Column("c{k}", sa.String({20 + k}), nullable=True),' for k in range(1, 13)
    )
    table_columns = "\n".join(
        ['    sa.column("id", sa.Integer),']
        + [f'    sa.column("c{k}", sa.String),' for k in range(1, 13)]
    )
    previous = None
    for n in range(1, count + 1):
        rev = f"{n:04d}aa{n:06x}"
        text = REVISION.format(
            n=n,
            rev=rev,
            down=previous,
            down_text=previous or "",
            columns=columns,
            table_columns=table_columns,
        )
        (versions / f"{rev}_step_{n}.py").write_text(textwrap.dedent(text))
        previous = rev
    return ini


def run(ini: Path, url: str, *args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one `migsafe ARGS` process.

    The CPU figure is what the command itself costs; the wall-clock one also counts waiting
    for a busy machine (other processes) and the database.
    """
    env = {**os.environ, "MIGSAFE_DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "migsafe", "-c", str(ini), *args],
        cwd=ini.parent,  # where users run it (and not this checkout, first on sys.path)
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 revisions, 2 rounds (for CI)")
    parser.add_argument("--revisions", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    count, rounds = (20, 2) if args.quick else (args.revisions, args.rounds)
    commands = {
        "migsafe status": ("status",),
        "migsafe history": ("history",),
        "migsafe revert --dry-run (stored)": ("revert", "--dry-run"),
    }
    with (
        server() as srv,
        srv.fresh_database("bench_chain") as url,
        tempfile.TemporaryDirectory(prefix="migsafe-bench-chain-") as tmp,
    ):
        ini = write_chain(Path(tmp), count)
        setup, _ = run(ini, url, "upgrade")
        print(f"chain of {count} revisions; `migsafe upgrade` base -> head took {setup:.2f} s")
        for label, argv in commands.items():
            times = [run(ini, url, *argv) for _ in range(rounds)]
            wall = statistics.median(t[0] for t in times) * 1000
            cpu = statistics.median(t[1] for t in times) * 1000
            print(f"{label:<36} median {wall:.0f} ms wall, {cpu:.0f} ms cpu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
