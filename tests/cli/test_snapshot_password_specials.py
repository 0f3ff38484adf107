"""A password full of URL specials works with every snapshot command and is never shown.

The role is created here with a password holding ``@ / : % # ? & = + space ' " \\`` and
non-ASCII, written percent-encoded in the URL, as a user must. pg_dump, pg_restore and psql
must all get it right (the commands succeed), and it must appear nowhere migsafe writes:
output, errors, the history, the catalog, files left in the store or the temp directory. Not
raw, not percent-encoded (either case of hex), not JSON-escaped.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.cli.conftest import Db, assert_fails, assert_ok, run_cli
from tests.support.pg import TEMPLATE_DB, PgServer

PASSWORD = "p@ss/w:rd%41#frag?q&k=v +x 'single' \"double\" back\\slash ünï€"


@dataclass(frozen=True)
class Role:
    name: str
    url: str  # the password percent-encoded, as a user writes it
    db: Db


def spellings(password: str) -> set[str]:
    """Every way the password could be written out."""
    encoded = urllib.parse.quote(password, safe="")
    return {
        password,
        encoded,
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded),
        urllib.parse.quote(password),  # "/" left as it is
        urllib.parse.quote_plus(password, safe=""),
        json.dumps(password)[1:-1],  # in JSON output, non-ASCII escaped
        json.dumps(password, ensure_ascii=False)[1:-1],
        password.replace("\\", "\\\\").replace("'", "\\'"),  # a conninfo value
    }


@pytest.fixture
def role(pg_server: PgServer) -> Iterator[Role]:
    """A login role with the special password, owning a fresh database cloned from the template.

    Superuser, so that a full restore in place and verify's scratch database are allowed:
    this test is about the password, not about privileges.
    """
    suffix = uuid.uuid4().hex[:10]
    name, dbname = f"migsafe_special_{suffix}", f"migsafe_special_{suffix}"
    with pg_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(PASSWORD)
            )
        )
    pg_server.create_database(dbname, template=TEMPLATE_DB)
    with pg_server.connect() as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(dbname), sql.Identifier(name)
            )
        )
    url = (
        f"postgresql+psycopg://{name}:{urllib.parse.quote(PASSWORD, safe='')}"
        f"@{pg_server.host}:{pg_server.port}/{dbname}"
    )
    try:
        yield Role(name, url, Db(url))
    finally:
        pg_server.drop_database(dbname)
        with pg_server.connect() as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_the_role_really_has_that_password(role: Role, pg_server: PgServer) -> None:
    """The fixture itself: psycopg logs in with the decoded password, not with another."""
    dbname = role.url.rsplit("/", 1)[1]
    common = {"host": pg_server.host, "port": pg_server.port, "dbname": dbname}
    with psycopg.connect(user=role.name, password=PASSWORD, **common) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (role.name,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(user=role.name, password=PASSWORD[:-1], **common)


@pytest.mark.parametrize("given", ["option", "environment"])
def test_every_snapshot_command_works_and_never_shows_the_password(
    project: Callable[[str], Path], role: Role, tmp_path: Path, given: str
) -> None:
    root = project("generic")
    ini = root / "alembic.ini"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    url: str | None = role.url
    if given == "environment":
        env["MIGSAFE_DATABASE_URL"] = role.url
        url = None
    outputs: list[str] = []

    def migsafe(*args: str, code: int = 0) -> str:
        proc = run_cli(*args, ini=ini, url=url, env=env, timeout=120)
        outputs.extend([proc.stdout, proc.stderr])
        if code:
            assert_fails(proc, code)
        else:
            assert_ok(proc)
        return proc.stdout

    role.db.execute(
        "CREATE TABLE public.things (id int PRIMARY KEY, note text)",
        "INSERT INTO public.things VALUES (1, 'one'), (2, 'two')",
    )
    snapshot_id = json.loads(migsafe("snapshot", "create", "--format", "json"))["id"]
    at_snapshot = role.db.fingerprint()
    verify = ("snapshot", "verify", snapshot_id, "--restore", "--format", "json")
    verified = json.loads(migsafe(*verify))
    assert verified["snapshot"]["status"] == "restore-verified", verified

    role.db.execute("DELETE FROM public.things WHERE id = 2", "CREATE TABLE public.later (id int)")
    migsafe("snapshot", "restore", snapshot_id, "--yes")
    assert role.db.fingerprint() == at_snapshot

    migsafe("upgrade", "--backup")
    assert role.db.versions() == {"gen0003"}
    migsafe("snapshot", "list")
    migsafe("snapshot", "list", "--format", "json")
    migsafe("history")
    migsafe("history", "--format", "json")

    # Errors that name the database: another session in the way of a restore.
    with psycopg.connect(role.url.replace("postgresql+psycopg", "postgresql")):
        refused = migsafe("snapshot", "restore", snapshot_id, "--yes", code=2)
    assert refused == ""

    written = [*outputs]
    store = root / ".migsafe" / "snapshots"
    written += [p.read_text() for p in store.glob("*.json")]
    assert len(list(store.glob("*.json"))) == 2  # snapshot create and upgrade --backup
    with role.db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM migsafe.migsafe_history").all()
    assert len(rows) >= 4
    written += [repr(tuple(row)) for row in rows]
    for path in [*store.iterdir(), *temp.rglob("*")]:
        if path.is_file():
            written.append(path.read_bytes().decode("utf-8", errors="replace"))
    for text in written:
        for spelled in spellings(PASSWORD):
            assert spelled not in text, f"the password ({spelled!r}) is in:\n{text[:2000]}"
    assert any("***" in text for text in outputs)  # the URL was shown, redacted


def test_a_connection_error_does_not_show_the_password(
    project: Callable[[str], Path], role: Role
) -> None:
    root = project("generic")
    url = role.url.rsplit("/", 1)[0] + "/no_such_database"
    proc = run_cli("snapshot", "create", ini=root / "alembic.ini", url=url)
    line = assert_fails(proc, 3)
    assert "no_such_database" in line
    for spelled in spellings(PASSWORD):
        assert spelled not in proc.stdout + proc.stderr


def test_a_password_given_as_a_query_parameter_is_never_shown(
    project: Callable[[str], Path], role: Role
) -> None:
    """libpq also reads ``?password=``: shown URLs and the history must hide it there too."""
    root = project("generic")
    ini = root / "alembic.ini"
    without = role.url.split("@", 1)[1]
    url = (
        f"postgresql+psycopg://{role.name}@{without}"
        f"?password={urllib.parse.quote(PASSWORD, safe='')}"
    )
    outputs: list[str] = []
    for args in (
        ("status",),
        ("upgrade",),
        ("status",),
        ("history", "--format", "json"),
        ("flags", "init"),
        ("flags", "list"),
        ("flags", "list", "--format", "json"),
    ):
        proc = run_cli(*args, ini=ini, url=url, timeout=120)
        assert_ok(proc)
        outputs.extend([proc.stdout, proc.stderr])
    assert role.db.versions() == {"gen0003"}
    with role.db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM migsafe.migsafe_history").all()
    written = [*outputs, *(repr(tuple(row)) for row in rows)]
    for text in written:
        for spelled in spellings(PASSWORD):
            assert spelled not in text, f"the password ({spelled!r}) is in:\n{text[:2000]}"
    assert any("password=***" in text for text in outputs)  # the URL was shown, redacted
