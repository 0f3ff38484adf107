"""Bad configuration files and database URLs: one line, exit 2, nothing changed, no password.

Each case runs the real CLI against a real PostgreSQL database and checks the exit code, the
single ``error:`` line (no traceback), and that the database is exactly as before (schema and
data fingerprint, no version table). A URL's password never appears in any spelling.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cli.conftest import Db, add_revision, assert_fails, run_cli
from tests.cli.test_snapshot_password_specials import (  # noqa: F401  (role: a fixture)
    PASSWORD,
    Role,
    role,
    spellings,
)

ProjectFn = Callable[[str], Path]
COMMANDS = ["status", "upgrade"]


def assert_unchanged(db: Db, before: object) -> None:
    assert db.fingerprint() == before
    assert db.versions() == set()
    assert not db.tables("migsafe")


def assert_no_password(text: str, password: str) -> None:
    for spelled in spellings(password):
        assert spelled not in text, spelled


# -- -c and alembic.ini -------------------------------------------------------------------------


def _not_ini(root: Path) -> tuple[Path, str]:
    path = root / "settings.json"
    path.write_text('{"sqlalchemy.url": "postgresql://app@db/app"}\n')
    return path, "not an ini file: line 1"


def _random_bytes(root: Path) -> tuple[Path, str]:
    path = root / "alembic.ini"
    path.write_bytes(bytes([0xCF, 0x80, 0xFF, 0x00, 0x9C]) + bytes(range(256)) * 4)
    return path, "is not UTF-8 text: byte 0xff on line 1"


def _latin1(root: Path) -> tuple[Path, str]:
    path = root / "alembic.ini"
    text = path.read_text()
    path.write_bytes(text.encode() + "# Caf\u00e9 owner\n".encode("latin-1"))
    return path, f"is not UTF-8 text: byte 0xe9 on line {text.count(chr(10)) + 1}"


def _directory(root: Path) -> tuple[Path, str]:
    return root, "is a directory, not a config file"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "make", [_not_ini, _random_bytes, _latin1, _directory], ids=lambda f: f.__name__[1:]
)
def test_a_config_alembic_cannot_read_is_one_line(
    project: ProjectFn, pg: Db, make: Callable[[Path], tuple[Path, str]], command: str
) -> None:
    root = project("generic")
    config, expected = make(root)
    before = pg.fingerprint()

    proc = run_cli(command, ini=config, url=pg.url, cwd=root)
    line = assert_fails(proc, 2)
    assert expected in line
    assert "not found" not in line
    assert_unchanged(pg, before)


def test_an_alembic_ini_found_in_the_directory_is_checked_too(project: ProjectFn, pg: Db) -> None:
    root = project("generic")
    _latin1(root)
    before = pg.fingerprint()

    proc = run_cli("upgrade", url=pg.url, cwd=root)
    line = assert_fails(proc, 2)
    assert "alembic.ini is not UTF-8 text" in line
    assert_unchanged(pg, before)


def test_a_pyproject_of_random_bytes_is_one_line(project: ProjectFn, pg: Db) -> None:
    root = project("generic")
    (root / "pyproject.toml").write_bytes(bytes(range(128, 256)))
    before = pg.fingerprint()

    proc = run_cli("upgrade", ini=root / "alembic.ini", url=pg.url)
    line = assert_fails(proc, 2)
    assert "pyproject.toml is not UTF-8 text" in line
    assert_unchanged(pg, before)


# -- URLs ---------------------------------------------------------------------------------------

SECRET = "Zq8-not-shown-x7"


def _with(url: str, *, port: str | None = None, driver: str | None = None) -> str:
    parsed = make_url(url)
    head = f"postgresql+{driver or 'psycopg'}://{parsed.username}:{SECRET}@{parsed.host}"
    return f"{head}:{port or parsed.port}/{parsed.database}"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("change", "expected", "hint"),
    [
        ({"port": "99999"}, "has port 99999, out of range (1-65535)", "5432"),
        ({"port": "0"}, "has port 0, out of range (1-65535)", "5432"),
        ({"port": "fivefour"}, "has a port that is not a number", "%3A"),
        ({"driver": "nosuchdriver"}, "unknown driver 'nosuchdriver'", "postgresql+psycopg"),
    ],
    ids=["port-out-of-range", "port-zero", "port-not-a-number", "unknown-driver"],
)
def test_a_bad_url_is_one_line_exit_2(
    project: ProjectFn, pg: Db, command: str, change: dict[str, str], expected: str, hint: str
) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_cli(command, ini=ini, url=_with(pg.url, **change))
    line = assert_fails(proc, 2)
    assert expected in line
    assert hint in proc.stderr.split("hint: ", 1)[1]
    assert SECRET not in proc.stdout + proc.stderr
    assert_unchanged(pg, before)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("password", "expected"),
    [("p@ss:w0rd-x7", "more than one '@'"), ("pa/ss:w0rd-x7", "a '/' before the '@'")],
    ids=["raw-at", "raw-slash"],
)
def test_a_raw_at_or_slash_in_the_password_says_how_to_encode_it(
    project: ProjectFn, pg: Db, command: str, password: str, expected: str
) -> None:
    ini = project("generic") / "alembic.ini"
    parsed = make_url(pg.url)
    url = f"postgresql+psycopg://app:{password}@{parsed.host}:{parsed.port}/{parsed.database}"
    before = pg.fingerprint()

    proc = run_cli(command, ini=ini, url=url)
    line = assert_fails(proc, 2)
    assert expected in line
    hint = proc.stderr.split("hint: ", 1)[1]
    assert "@ as %40" in hint and "/ as %2F" in hint
    for part in (password, password.split("@")[-1], password.split("/")[-1], "w0rd-x7"):
        assert part not in proc.stdout + proc.stderr
    assert_unchanged(pg, before)


@pytest.mark.parametrize(
    "url",
    [
        f"app:{SECRET}@db.internal/app",  # no scheme
        f"postgresql://app:{SECRET}/app",  # no host: the password read as a port
        f"postgres ql://app:{SECRET}@db.internal:5432/app",
    ],
    ids=["no-scheme", "no-host", "bad-scheme"],
)
def test_an_unparseable_url_is_shown_without_its_password(project: ProjectFn, url: str) -> None:
    ini = project("generic") / "alembic.ini"

    for debug in (False, True):
        proc = run_cli("upgrade", ini=ini, url=url, debug=debug)
        assert proc.returncode == 2, proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
        assert "***" in proc.stderr


# -- a password quoted by env.py's own exception -------------------------------------------------

ENV_PY_QUOTES_THE_URL = """
import urllib.parse
from alembic import context

url = context.config.get_main_option("sqlalchemy.url")
password = urllib.parse.unquote(url.split(":")[2].rsplit("@", 1)[0])
raise RuntimeError(
    f"cannot use {url} (lower-case hex: {url.lower()}; "
    f"plus-encoded: {urllib.parse.quote_plus(password)}; raw: {password})"
)
"""


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("given", ["option", "environment"])
def test_a_password_quoted_by_env_py_is_scrubbed_in_every_spelling(
    project: ProjectFn,
    role: Role,  # noqa: F811  (the fixture imported above)
    debug: bool,
    given: str,
) -> None:
    root = project("generic")
    (root / "migrations" / "env.py").write_text(ENV_PY_QUOTES_THE_URL)
    before = role.db.fingerprint()
    url = role.url if given == "option" else None
    env = {"MIGSAFE_DATABASE_URL": role.url} if given == "environment" else None

    proc = run_cli("upgrade", ini=root / "alembic.ini", url=url, env=env, debug=debug)
    assert proc.returncode == 2, proc.stderr
    assert "cannot use postgresql+psycopg://" in proc.stderr
    assert ("Traceback" in proc.stderr) == debug
    assert_no_password(proc.stdout + proc.stderr, PASSWORD)
    assert urllib.parse.quote(PASSWORD, safe="").lower() not in proc.stderr.lower()
    assert role.db.fingerprint() == before
    assert role.db.versions() == set()


# -- counts and empty revisions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("history", "-n", "-1"), "-n/--limit must be 1 or more, got -1"),
        (("history", "--limit", "0"), "-n/--limit must be 1 or more, got 0"),
        (("revert", "--steps", "0", "--yes"), "--steps must be 1 or more"),
        (("revert", "--steps", "-2", "--yes"), "--steps must be 1 or more"),
        (("snapshot", "prune", "--keep", "-1"), "--keep must be 0 or more, got -1"),
        # Alembic reads "" as "one step down" or a prefix of every revision.
        (("revert", "--to", "", "--yes"), "--to is empty"),
        (("revert", "--run", " ", "--yes"), "--run is empty"),
        (("upgrade", ""), "TARGET is empty"),
        (("reverse", "show", ""), "REV is empty"),
    ],
    ids=[
        "history-n-negative",
        "history-n-zero",
        "steps-zero",
        "steps-negative",
        "keep-negative",
        "revert-to-empty",
        "revert-run-blank",
        "upgrade-empty-target",
        "reverse-show-empty",
    ],
)
def test_a_meaningless_count_or_an_empty_revision_is_one_line_exit_2(
    project: ProjectFn, pg: Db, args: tuple[str, ...], expected: str
) -> None:
    ini = project("generic") / "alembic.ini"
    assert run_cli("upgrade", "gen0002", ini=ini, url=pg.url).returncode == 0
    before, versions, runs = pg.fingerprint(), pg.versions(), pg.runs()

    proc = run_cli(*args, ini=ini, url=pg.url)
    line = assert_fails(proc, 2)
    assert expected in line
    assert (pg.fingerprint(), pg.versions(), pg.runs()) == (before, versions, runs)


MIGRATION_QUOTES_THE_URL = '''"""quotes the url"""
import urllib.parse

from alembic import context, op

revision = "gen0004"
down_revision = "gen0003"


def upgrade() -> None:
    op.execute("CREATE TABLE half_done (id int)")
    url = context.config.get_main_option("sqlalchemy.url")
    password = urllib.parse.unquote(url.split(":")[2].rsplit("@", 1)[0])
    raise RuntimeError(
        f"bad {url} / {url.lower()} / {urllib.parse.quote_plus(password)} / {password}"
    )


def downgrade() -> None:
    pass
'''


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_password_quoted_by_a_failing_migration_is_scrubbed_in_history_too(
    project: ProjectFn,
    role: Role,  # noqa: F811  (the fixture imported above)
    debug: bool,
) -> None:
    root = project("generic")
    add_revision(root, "gen0004_quotes_the_url.py", MIGRATION_QUOTES_THE_URL)
    before = role.db.fingerprint()

    proc = run_cli("upgrade", ini=root / "alembic.ini", url=role.url, debug=debug)
    assert proc.returncode == 4, proc.stderr
    assert ("Traceback" in proc.stderr) == debug
    assert "RuntimeError: bad postgresql+psycopg://" in proc.stderr
    assert_no_password(proc.stdout + proc.stderr, PASSWORD)
    assert role.db.fingerprint() == before
    [run] = role.db.runs()
    assert run.status == "rolled_back"
    assert "bad postgresql+psycopg://" in (run.error or "")
    assert_no_password(json.dumps(run.__dict__, default=str, ensure_ascii=False), PASSWORD)
    assert_no_password(json.dumps(run.__dict__, default=str), PASSWORD)


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_percent_encoded_password_in_alembic_ini_needs_double_percent(
    project: ProjectFn,
    role: Role,  # noqa: F811  (the fixture imported above)
    debug: bool,
) -> None:
    """configparser reads '%40' as a broken interpolation and quotes the rest of the line."""
    root = project("generic")
    ini = root / "alembic.ini"
    text = ini.read_text()
    ini.write_text(text.replace("driver://user:pass@localhost/dbname", role.url))
    before = role.db.fingerprint()

    for command in COMMANDS:
        proc = run_cli(command, ini=ini, debug=debug)
        assert proc.returncode == 2, proc.stderr
        assert "error: sqlalchemy.url in " in proc.stderr
        assert "has a '%' that is not written '%%'" in proc.stderr
        encoded = urllib.parse.quote(PASSWORD, safe="")
        for start in range(len(encoded) - 6):  # no tail of it either
            assert encoded[start:] not in proc.stderr
        assert_no_password(proc.stdout + proc.stderr, PASSWORD)
    assert role.db.fingerprint() == before

    ini.write_text(text.replace("driver://user:pass@localhost/dbname", role.url.replace("%", "%%")))
    assert run_cli("upgrade", ini=ini).returncode == 0
    assert role.db.versions() == {"gen0003"}
