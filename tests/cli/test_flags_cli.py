"""`migsafe flags ...` through the real CLI against a real PostgreSQL: every command, its JSON,
the audit it leaves, and bad input that exits with one line and changes nothing."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli.conftest import assert_fails, assert_ok, run_cli, show

Flags = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def ini(project: Callable[[str], Path]) -> Path:
    return project("generic") / "alembic.ini"


@pytest.fixture
def flags(ini: Path, pg_url: str) -> Flags:
    """``flags("create", "x")`` runs ``migsafe -c INI --database-url PG flags create x``."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli("flags", *args, ini=ini, url=pg_url, env=env)

    return run


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert_ok(proc)
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def audit_rows(pg_url: str, schema: str = "migsafe_flags") -> list[tuple[Any, ...]]:
    with psycopg.connect(_libpq(pg_url)) as conn:
        return conn.execute(
            f'SELECT flag, actor, at, old, new, reason FROM "{schema}".audit ORDER BY id'
        ).fetchall()


def store_state(pg_url: str) -> tuple[Any, ...]:
    """Features, audit and version: what 'nothing changed' is checked against."""
    with psycopg.connect(_libpq(pg_url)) as conn:
        features = conn.execute(
            "SELECT name, definition FROM migsafe_flags.features ORDER BY name"
        ).fetchall()
        audit = conn.execute("SELECT count(*) FROM migsafe_flags.audit").fetchone()
        version = conn.execute("SELECT version FROM migsafe_flags.state").fetchone()
    return features, audit, version


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_init_create_list_show_a_flag_created_off(flags: Flags, pg_url: str) -> None:
    initialised = as_json(flags("init", "--format", "json"))
    assert (initialised["flags"], initialised["trigger"]) == (0, "no-version-table")
    assert "no Alembic version table alembic_version yet" in flags("init").stdout
    created = flags("create", "new_checkout", "--description", "one-page checkout")
    assert_ok(created)
    assert "new_checkout" in created.stdout and "created (off, all)" in created.stdout

    listed = as_json(flags("list", "--format", "json"))
    (flag,) = listed["flags"]
    assert (flag["name"], flag["enabled"], flag["rollout"], flag["type"]) == (
        "new_checkout",
        False,
        "all",
        "release",
    )
    assert flag["description"] == "one-page checkout"
    text = flags("list")
    assert_ok(text)
    assert "new_checkout" in text.stdout and "off" in text.stdout

    shown = as_json(flags("show", "new_checkout", "--format", "json"))
    assert shown["flag"]["definition"]["enabled"] is False
    assert shown["last_change"]["change"] == "created (off, all)"
    assert_ok(flags("show", "new_checkout"))


def test_disable_enable_record_who_when_old_new_and_why(flags: Flags, pg_url: str) -> None:
    assert_ok(flags("create", "new_checkout", "--type", "kill-switch"))
    enabled = as_json(flags("enable", "new_checkout", "--actor", "ann", "--format", "json"))
    assert (enabled["changed"], enabled["change"], enabled["actor"]) == (True, "off -> on", "ann")
    disabled = flags("disable", "new_checkout", "--reason", "orders failing")
    assert_ok(disabled)
    assert "on -> off" in disabled.stdout
    again = as_json(flags("disable", "new_checkout", "--reason", "still", "--format", "json"))
    assert again["changed"] is False  # already off: nothing written

    rows = audit_rows(pg_url)
    assert [(r[0], r[5]) for r in rows] == [
        ("new_checkout", None),
        ("new_checkout", None),
        ("new_checkout", "orders failing"),
    ]
    _, actor, at, old, new, _ = rows[-1]
    assert actor and actor != "ann"  # the OS user when --actor is not given
    assert at is not None
    assert (old["enabled"], new["enabled"]) == (True, False)
    assert rows[1][1] == "ann"

    history = as_json(flags("history", "new_checkout", "--format", "json"))
    assert [e["change"] for e in history["entries"]] == [
        "created (off, all)",
        "off -> on",
        "on -> off",
    ]
    assert history["entries"][-1]["reason"] == "orders failing"
    text = flags("history", "new_checkout")
    assert_ok(text)
    assert "orders failing" in text.stdout


def test_rollout_is_a_sticky_flexible_rollout_grouped_by_the_flag_name(flags: Flags) -> None:
    assert_ok(flags("create", "new_checkout"))
    result = as_json(flags("rollout", "new_checkout", "10", "--format", "json"))
    assert result["change"] == "rollout all -> 10%"
    assert result["flag"]["enabled"] is False  # a rollout does not undo a kill switch
    (strategy,) = result["flag"]["definition"]["strategies"]
    assert strategy["name"] == "flexibleRollout"
    assert strategy["parameters"] == {
        "rollout": "10",
        "stickiness": "default",
        "groupId": "new_checkout",
    }
    text = flags("rollout", "new_checkout", "50")
    assert_ok(text)
    assert "is off" in text.stdout  # and says how to switch it on


def test_require_ties_a_flag_to_a_revision_and_clear_unties_it(flags: Flags) -> None:
    assert_ok(flags("create", "new_checkout"))
    required = as_json(flags("require", "new_checkout", "head", "--format", "json"))
    assert required["flag"]["requires"] == "gen0003"  # resolved in the project's scripts
    assert required["change"] == "requires nothing -> gen0003"
    listed = as_json(flags("list", "--format", "json"))
    assert listed["flags"][0]["requires"] == "gen0003"
    cleared = as_json(flags("require", "new_checkout", "--clear", "--format", "json"))
    assert cleared["flag"]["requires"] is None


def test_export_then_import_round_trips_and_import_reports_what_it_wrote(
    flags: Flags, tmp_path: Path, pg_url: str
) -> None:
    assert_ok(flags("create", "a"))
    assert_ok(flags("create", "b"))
    assert_ok(flags("rollout", "b", "25"))
    exported = flags("export")
    assert_ok(exported)
    document = json.loads(exported.stdout)
    assert [f["name"] for f in document["features"]] == ["a", "b"]
    assert document["version"] == 2

    document["features"][0]["enabled"] = True
    document["features"].append({**document["features"][1], "name": "c"})
    file = tmp_path / "flags.json"
    file.write_text(json.dumps(document))
    result = as_json(flags("import", str(file), "--reason", "sync", "--format", "json"))
    assert (result["created"], result["updated"], result["unchanged"]) == (["c"], ["a"], ["b"])
    assert [r[0] for r in audit_rows(pg_url)][-2:] == ["a", "c"]

    again = flags("import", str(file))
    assert_ok(again)
    assert "0 created, 0 updated, 3 unchanged" in again.stdout
    assert json.loads(flags("export", "--format", "json").stdout) == document


def test_import_takes_segments_and_export_gives_them_back(flags: Flags, tmp_path: Path) -> None:
    team = {"contextName": "plan", "operator": "IN", "values": ["team"]}
    document = {
        "version": 2,
        "features": [
            {"name": "teams", "enabled": True, "strategies": [{"name": "default", "segments": [3]}]}
        ],
        "segments": [{"id": 3, "name": "team plan", "constraints": [team]}],
    }
    file = tmp_path / "flags.json"
    file.write_text(json.dumps(document))
    imported = flags("import", str(file))
    assert_ok(imported)
    assert "1 created, 0 updated, 0 unchanged, segments: 1 created" in imported.stdout
    assert json.loads(flags("export").stdout) == document
    again = as_json(flags("import", str(file), "--format", "json"))
    assert again["segments"] == {"created": [], "updated": [], "unchanged": [3]}


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{"version": 2, "features": [{"enabled": true}]}', id="feature-without-name"),
        pytest.param(
            '{"version": 2, "features": [{"name": "ok", "enabled": true},'
            ' {"name": "bad", "enabled": "yes"}]}',
            id="second-feature-invalid",
        ),
        pytest.param(
            '{"version": 2, "features": [{"name": "x", "enabled": true},'
            ' {"name": "x", "enabled": false}]}',
            id="duplicate-name",
        ),
        pytest.param(
            '{"version": 2, "features": [{"name": "has space", "enabled": true}]}',
            id="bad-name",
        ),
    ],
)
def test_a_bad_import_file_exits_2_with_one_line_and_imports_nothing(
    flags: Flags, tmp_path: Path, pg_url: str, content: str
) -> None:
    assert_ok(flags("create", "existing"))
    before = store_state(pg_url)
    file = tmp_path / "flags.json"
    file.write_text(content)
    assert_fails(flags("import", str(file)), 2)
    failed = flags("import", str(file), "--format", "json")
    assert failed.returncode == 2, show(failed)
    assert json.loads(failed.stdout)["ok"] is False
    assert store_state(pg_url) == before


def test_an_import_that_fails_half_way_in_the_database_changes_nothing(
    flags: Flags, tmp_path: Path, pg_url: str
) -> None:
    assert_ok(flags("create", "existing"))
    before = store_state(pg_url)
    # A definition the parser accepts but PostgreSQL refuses (a NUL in a jsonb string), after
    # a valid one: the first must be rolled back with it.
    document = {
        "version": 2,
        "features": [
            {"name": "first", "enabled": True, "strategies": [{"name": "default"}]},
            {"name": "second", "enabled": True, "description": "nul \u0000 here"},
        ],
    }
    file = tmp_path / "flags.json"
    file.write_text(json.dumps(document))
    proc = flags("import", str(file))
    assert proc.returncode != 0, show(proc)
    assert "Traceback" not in proc.stderr, show(proc)
    assert store_state(pg_url) == before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("show", "nope"), id="show"),
        pytest.param(("enable", "nope"), id="enable"),
        pytest.param(("disable", "nope", "--reason", "x"), id="disable"),
        pytest.param(("rollout", "nope", "10"), id="rollout"),
        pytest.param(("require", "nope", "gen0001"), id="require"),
        pytest.param(("history", "nope"), id="history"),
    ],
)
def test_an_unknown_flag_is_one_line_exit_2(flags: Flags, args: tuple[str, ...]) -> None:
    assert_ok(flags("init"))
    line = assert_fails(flags(*args), 2)
    assert "no flag named 'nope'" in line
    document = json.loads(flags(*args, "--format", "json").stdout)
    assert (document["ok"], document["exit_code"]) == (False, 2)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("create", "has space"), id="bad-name"),
        pytest.param(("create", "x", "--type", "nonsense"), id="bad-type"),
        pytest.param(("rollout", "existing", "101"), id="rollout-over-100"),
        pytest.param(("rollout", "existing", "ten"), id="rollout-not-a-number"),
        pytest.param(("disable", "existing"), id="disable-without-reason"),
        pytest.param(("disable", "existing", "--reason", " "), id="disable-blank-reason"),
        pytest.param(("require", "existing", "no_such_rev"), id="unknown-revision"),
        pytest.param(("require", "existing"), id="require-without-revision"),
        pytest.param(("create", "existing"), id="create-twice"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    flags: Flags, pg_url: str, args: tuple[str, ...]
) -> None:
    assert_ok(flags("create", "existing"))
    before = store_state(pg_url)
    assert_fails(flags(*args), 2)
    assert store_state(pg_url) == before


def test_sqlite_is_refused_with_exit_2(ini: Path, tmp_path: Path) -> None:
    proc = run_cli("flags", "list", ini=ini, url=f"sqlite:///{tmp_path / 'x.db'}")
    assert "flags need PostgreSQL" in assert_fails(proc, 2)


def test_an_unreachable_database_is_exit_3(ini: Path, unused_port: int) -> None:
    url = f"postgresql+psycopg://someone:s3cret-pw@127.0.0.1:{unused_port}/db"
    proc = run_cli("flags", "list", ini=ini, url=url)
    assert_fails(proc, 3)
    assert "s3cret-pw" not in proc.stdout + proc.stderr


@pytest.fixture
def url_with_password(pg_url: str) -> Iterator[tuple[str, str]]:
    """A URL of the test database that carries a password, and that password."""
    url = make_url(pg_url)
    if url.password:
        yield pg_url, str(url.password)
        return
    role, password = f"flags_{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    with psycopg.connect(_libpq(pg_url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        conn.execute(f'GRANT CREATE, CONNECT ON DATABASE "{url.database}" TO {role}')
    yield url.set(username=role, password=password).render_as_string(hide_password=False), password
    with psycopg.connect(_libpq(pg_url), autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
        conn.execute(f"DROP ROLE {role}")


def test_the_schema_comes_from_settings_and_no_password_is_shown_or_recorded(
    ini: Path, pg_url: str, url_with_password: tuple[str, str]
) -> None:
    url, password = url_with_password
    env = {"MIGSAFE_FLAGS_SCHEMA": "ops_flags"}
    outputs = []
    for args in (
        ("create", "x"),
        ("enable", "x", "--reason", "test"),
        ("list", "--format", "json"),
        ("show", "x"),
        ("history", "x", "--format", "json"),
        ("export",),
        ("show", "nope"),
    ):
        proc = run_cli("flags", *args, ini=ini, url=url, env=env)
        outputs.append(proc.stdout + proc.stderr)
    listed = json.loads(outputs[2])
    assert listed["schema"] == "ops_flags"
    assert "***" in listed["database"]
    rows = audit_rows(pg_url, schema="ops_flags")
    assert len(rows) == 2
    assert all(password not in out for out in outputs)
    assert password not in json.dumps([list(r) for r in rows], default=str)
    assert not audit_rows_exist(pg_url, "migsafe_flags")


def audit_rows_exist(pg_url: str, schema: str) -> bool:
    with psycopg.connect(_libpq(pg_url)) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'audit'", (schema,)
        ).fetchone()
    return row is not None


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
