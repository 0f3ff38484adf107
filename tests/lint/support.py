"""Lint a revision's source offline, as `migsafe lint --all` would, for rule tests and the corpus.

Each revision is linted alone, in a project of its own (an alembic.ini and an offline env.py
for PostgreSQL), so that every table it does not create counts as an existing one.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

from migsafe.engine.project import load_project, upgrade_steps
from migsafe.lint.config import LintConfig
from migsafe.lint.context import Live
from migsafe.lint.inputs import collect
from migsafe.lint.model import LintResult
from migsafe.lint.run import lint
from migsafe.settings import CliOptions, load_settings

CORPUS = Path(__file__).parent / "corpus"
_EXPECT = re.compile(r"^#\s*expect:\s*(.*)$", re.MULTILINE)

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = postgresql+psycopg://lint@localhost/lint
"""

ENV_PY = """\
from alembic import context

config = context.config
context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
with context.begin_transaction():
    context.run_migrations()
"""

HEADER = '''\
"""{doc}"""
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None

'''


def write_project(root: Path, files: dict[str, str]) -> Path:
    """An Alembic project in ``root`` with ``files`` (name -> source) as its revisions."""
    (root / "versions").mkdir(parents=True, exist_ok=True)
    (root / "alembic.ini").write_text(ALEMBIC_INI)
    (root / "env.py").write_text(ENV_PY)
    (root / "script.py.mako").write_text("")
    for name, source in files.items():
        (root / "versions" / name).write_text(source)
    return root / "alembic.ini"


def lint_project(
    ini: Path, *, config: LintConfig | None = None, live: Live | None = None
) -> LintResult:
    settings = load_settings(CliOptions(config=ini))
    project = load_project(settings)
    steps = upgrade_steps(project, "heads", ())
    inputs, notes = collect(project, "postgresql://", steps)
    return lint(inputs, config=config or LintConfig(), live=live, notes=notes)


def lint_source(
    source: str, *, config: LintConfig | None = None, live: Live | None = None
) -> LintResult:
    """Lint one revision file's full source (it must say ``down_revision = None``)."""
    with tempfile.TemporaryDirectory(prefix="migsafe-lint-") as tmp:
        ini = write_project(Path(tmp), {"r1.py": source})
        return lint_project(ini, config=config, live=live)


def lint_upgrade(body: str, *, doc: str = "test", **kwargs: object) -> LintResult:
    """Lint a revision whose ``upgrade()`` is ``body`` (indented for you)."""
    source = (
        HEADER.format(doc=doc)
        + "def upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")
        + "\n\ndef downgrade():\n    op.execute('SELECT 1')\n"
    )
    return lint_source(source, **kwargs)  # type: ignore[arg-type]


def rule_ids(result: LintResult) -> set[str]:
    return {f.rule for f in result.findings}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*.py") if not p.name.startswith("_"))


def expected(path: Path) -> set[str]:
    """The rule ids a corpus file states (``# expect: a, b`` or ``# expect: none``)."""
    match = _EXPECT.search(path.read_text())
    if match is None:
        raise AssertionError(f"{path} has no '# expect:' line")
    ids = {s.strip() for s in match.group(1).split(",") if s.strip()}
    return set() if ids == {"none"} else ids
