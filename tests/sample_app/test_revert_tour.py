"""The README's revert tour, run exactly as written, on SQLite (the default) and PostgreSQL.

The shop writes orders after the upgrade; reverting brings back ``order_items.unit_price``
(dropped by 0007, NOT NULL, no default): those rows get the value 0007 declares
(``migsafe_revert_fill``), the others their kept values. The README repeats the revert: a no-op.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
MARKER = "Then undo that deploy"


def _tour() -> list[str]:
    """The command lines of the README block that follows the marker."""
    text = (ROOT / "README.md").read_text()
    block = text.split(MARKER, 1)[1].split("\n\n", 2)[1]
    return [
        line.split("   #", 1)[0].strip()
        for line in block.splitlines()
        if line.startswith("    ") and not line.strip().startswith("#")
    ]


def _argv(line: str, run_id: str | None) -> list[str]:
    words = shlex.split(line.replace("RUN_ID", run_id or "RUN_ID"))
    if words[0] == ".venv/bin/migsafe":
        return [sys.executable, "-m", "migsafe", *words[1:]]
    if words[0] == ".venv/bin/python":
        return [sys.executable, *words[1:]]
    raise AssertionError(f"unexpected command in the README tour: {line}")


def _kept_order_items(url: str) -> list[tuple[int, Decimal]]:
    """The order_items rows the revert moved into the archive (0002's created table)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            sqlite = conn.dialect.name == "sqlite"
            schema = None if sqlite else "migsafe_archive"
            names = [
                n
                for n in inspector.get_table_names(schema=schema)
                if "order_items" in n
                and {"quantity", "unit_price"}
                <= {c["name"] for c in inspector.get_columns(n, schema=schema)}
            ]
            assert len(names) == 1, names
            table = sa.table(names[0], sa.column("id"), sa.column("unit_price"), schema=schema)
            rows = conn.execute(sa.select(table.c.id, table.c.unit_price).order_by(table.c.id))
            return [(int(i), Decimal(str(p)).quantize(Decimal("0.01"))) for i, p in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_readme_revert_tour_runs_as_written(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    lines = _tour()
    assert lines[0] == "rm -f sample_app/shop.db"
    shutil.copytree(
        ROOT / "sample_app",
        tmp_path / "sample_app",
        ignore=shutil.ignore_patterns("*.db", "__pycache__"),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGSAFE_")}
    env.pop("SHOP_DATABASE_URL", None)
    env.pop("SHOP_BREAK_MIGRATION", None)
    url = f"sqlite:///{tmp_path / 'sample_app' / 'shop.db'}"
    if backend == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
        env.update(MIGSAFE_DATABASE_URL=url, SHOP_DATABASE_URL=url)
    run_id: str | None = None
    outputs = []
    for line in lines[1:]:
        done = subprocess.run(
            _argv(line, run_id),
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        if "--format json" in line:
            run_id = json.loads(done.stdout)["run_id"]
        outputs.append(done.stdout)
    assert run_id
    # The README runs the revert twice: the second, a retry, finds nothing to do.
    reverts = [out for line, out in zip(lines[1:], outputs, strict=True) if " revert " in line]
    assert len(reverts) == 2, lines
    assert "reverted 8 migrations" in reverts[0], reverts[0]
    assert "already reverted by run" in reverts[1], reverts[1]
    # The seeded order: kept prices where the upgrade had them (none: it was empty), and the
    # declared fill for the rows written since: unit_price_cents / 100.0.
    assert _kept_order_items(url) == [(1, Decimal("12.50")), (2, Decimal("24.00"))]
