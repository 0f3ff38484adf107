"""`migsafe flags` with only a database URL, in an empty directory (issue 9).

The on-call engineer flipping the kill switch from a bastion host has a URL, not the app's
checkout: every `flags` command must work without an Alembic configuration, without env.py,
and the version table and revisions come from an option or from what the database knows.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from flags.backends.postgres import conninfo
from tests.cli.conftest import Db, assert_fails, assert_ok, run_cli
from tests.cli.test_flags_cli import store_state
from tests.cli.test_flags_cli_init import trigger_on
from tests.support.flag_watchers import watchers

Flags = Callable[..., subprocess.CompletedProcess[str]]
BOUND = 10.0  # seconds: twice the fallback poll; a bound, not a timing assertion


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A directory holding nothing at all: no alembic.ini, no pyproject.toml, no env.py."""
    here = tmp_path / "bastion"
    here.mkdir()
    return here


@pytest.fixture
def flags(empty: Path, pg_url: str) -> Flags:
    """``flags("list")`` runs ``migsafe --database-url PG flags list`` in the empty directory."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli("flags", *args, url=pg_url, cwd=empty, env=env)

    return run


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert_ok(proc)
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def test_every_flags_command_works_with_only_a_url_in_an_empty_directory(
    flags: Flags, empty: Path, pg_url: str, tmp_path: Path
) -> None:
    initialised = as_json(flags("init", "--format", "json"))
    assert (initialised["trigger"], initialised["version_table"]) == (
        "no-version-table",
        "alembic_version",
    )
    assert initialised["version_table_from"] == "default"
    assert_ok(flags("create", "new_checkout", "--description", "one-page checkout"))
    # The URL from the environment instead of the option: the same.
    enabled = run_cli(
        "flags", "enable", "new_checkout", cwd=empty, env={"MIGSAFE_DATABASE_URL": pg_url}
    )
    assert_ok(enabled)
    # 100%: a watcher asks without a userId, and any less would answer at random.
    assert as_json(flags("rollout", "new_checkout", "100", "--format", "json"))["changed"]
    required = as_json(flags("require", "new_checkout", "rev_42", "--format", "json"))
    assert required["flag"]["requires"] == "rev_42"
    assert as_json(flags("require", "new_checkout", "--clear", "--format", "json"))["changed"]

    listed = as_json(flags("list", "--format", "json"))
    assert [(f["name"], f["enabled"], f["rollout"]) for f in listed["flags"]] == [
        ("new_checkout", True, "100%")
    ]
    shown = as_json(flags("show", "new_checkout", "--format", "json"))
    assert shown["flag"]["description"] == "one-page checkout"

    exported = flags("export")
    assert_ok(exported)
    document = json.loads(exported.stdout)
    document["features"][0]["description"] = "imported back"
    file = tmp_path / "flags.json"
    file.write_text(json.dumps(document))
    imported = as_json(flags("import", str(file), "--format", "json"))
    assert imported["updated"] == ["new_checkout"]

    # The kill switch, seen by a client in another process.
    with watchers(pg_url, "new_checkout", 1) as group:
        assert group.current == [True]
        disabled = flags("disable", "new_checkout", "--reason", "orders failing")
        assert_ok(disabled)
        assert "on -> off" in disabled.stdout
        assert len(group.wait_all(False, BOUND)) == 1

    history = as_json(flags("history", "new_checkout", "--format", "json"))
    assert [e["change"] for e in history["entries"]][-1] == "on -> off"
    assert history["entries"][-1]["reason"] == "orders failing"
    assert list(empty.iterdir()) == []  # nothing written where it ran


def test_without_a_url_the_flags_commands_say_where_to_give_one(empty: Path) -> None:
    proc = run_cli("flags", "list", cwd=empty)
    line = assert_fails(proc, 2)
    assert "no database URL for the flags" in line
    assert "hint: pass --database-url or set MIGSAFE_DATABASE_URL" in proc.stderr


def test_the_other_commands_still_need_the_alembic_project(empty: Path, pg_url: str) -> None:
    proc = run_cli("status", url=pg_url, cwd=empty)
    assert "no Alembic configuration found" in assert_fails(proc, 2)


def test_init_finds_the_version_table_in_migsafe_history(
    project: Callable[[str], Path], empty: Path, flags: Flags, pg_url: str
) -> None:
    """env.py names meta.schema_versions; the runs migsafe recorded say so without env.py."""
    ini = project("custom_version_table") / "alembic.ini"
    Db(pg_url).execute("CREATE SCHEMA meta")  # Alembic needs the version table's schema
    assert_ok(run_cli("upgrade", ini=ini, url=pg_url))
    assert Db(pg_url).versions("schema_versions", "meta") == {"cvt0002"}

    result = as_json(flags("init", "--format", "json"))
    assert (result["trigger"], result["version_table"], result["version_table_from"]) == (
        "installed",
        "meta.schema_versions",
        "history",
    )
    assert trigger_on(pg_url, "meta.schema_versions")
    text = flags("init")
    assert "version table meta.schema_versions: the one migsafe's last recorded run used" in (
        text.stdout
    )


def test_the_version_table_option_names_it(empty: Path, flags: Flags, pg_url: str) -> None:
    with psycopg.connect(conninfo(pg_url)) as conn:
        conn.execute("CREATE SCHEMA ops")
        conn.execute("CREATE TABLE ops.versions (version_num varchar(32) PRIMARY KEY)")
        conn.execute("INSERT INTO ops.versions VALUES ('abc123')")

    proc = run_cli(
        "flags",
        "--version-table",
        "versions",
        "--version-table-schema",
        "ops",
        "init",
        "--format",
        "json",
        url=pg_url,
        cwd=empty,
    )
    result = as_json(proc)
    assert (result["trigger"], result["version_table"], result["version_table_from"]) == (
        "installed",
        "ops.versions",
        "option",
    )
    assert trigger_on(pg_url, "ops.versions")
    # require checks against that table's heads: a prefix of the head stands for it.
    assert_ok(flags("create", "x"))
    required = run_cli(
        "flags",
        "--version-table",
        "versions",
        "--version-table-schema",
        "ops",
        "require",
        "x",
        "abc",
        "--format",
        "json",
        url=pg_url,
        cwd=empty,
    )
    document = as_json(required)
    assert (document["flag"]["requires"], document["warnings"]) == ("abc123", [])


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--version-table", "", "init"), id="empty-name"),
        pytest.param(("--version-table", "x" * 64, "init"), id="longer-than-postgresql-keeps"),
        pytest.param(("--version-table-schema", "a\x01b", "create", "y"), id="control-char"),
    ],
)
def test_a_bad_version_table_option_is_exit_2(
    empty: Path, pg_url: str, args: tuple[str, ...]
) -> None:
    proc = run_cli("flags", *args, url=pg_url, cwd=empty)
    assert "--version-table" in assert_fails(proc, 2)


def test_require_without_the_scripts_checks_the_revision_against_the_database(
    project: Callable[[str], Path], flags: Flags, pg_url: str
) -> None:
    ini = project("generic") / "alembic.ini"
    assert_ok(run_cli("upgrade", "gen0002", ini=ini, url=pg_url))
    assert_ok(flags("create", "report"))

    # A revision migsafe recorded (a step of the upgrade, not the head): taken as it is.
    known = as_json(flags("require", "report", "gen0001", "--format", "json"))
    assert (known["flag"]["requires"], known["warnings"]) == ("gen0001", [])
    current = as_json(flags("require", "report", "gen0002", "--format", "json"))
    assert (current["flag"]["requires"], current["warnings"]) == ("gen0002", [])

    # Never seen (the next deploy's, or a typo): required as given, with a warning.
    unseen = flags("require", "report", "gen0003")
    assert_ok(unseen)
    assert "warning: gen0003 is not applied to this database and not in migsafe's history" in (
        unseen.stdout
    )
    document = as_json(flags("require", "report", "gen0004", "--format", "json"))
    assert document["flag"]["requires"] == "gen0004"
    assert len(document["warnings"]) == 1

    before = store_state(pg_url)
    for revision, message in (
        ("head", "cannot resolve revision 'head' without the project's Alembic scripts"),
        ("gen000", "revision prefix 'gen000' is ambiguous: gen0001, gen0002"),
    ):
        line = assert_fails(flags("require", "report", revision), 2)
        assert message in line, line
    assert store_state(pg_url) == before


def test_with_the_project_require_still_resolves_in_its_scripts(
    project: Callable[[str], Path], pg_url: str
) -> None:
    ini = project("generic") / "alembic.ini"
    assert_ok(run_cli("flags", "create", "x", ini=ini, url=pg_url))
    proc = run_cli("flags", "require", "x", "head", "--format", "json", ini=ini, url=pg_url)
    document = as_json(proc)
    assert (document["flag"]["requires"], document["warnings"]) == ("gen0003", [])
    unknown = run_cli("flags", "require", "x", "no_such_rev", ini=ini, url=pg_url)
    assert_fails(unknown, 2)
