"""Settings: one precedence order, read once, clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.errors import ConfigError, UsageError
from migsafe.settings import CliOptions, load_settings, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5s", 5.0), ("500ms", 0.5), ("2min", 120.0), ("1.5", 1.5), ("1h", 3600.0), (3, 3.0)],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text, option="--x") == seconds


@pytest.mark.parametrize("text", ["five", "5 parsecs", "-1s", ""])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text, option="--lock-timeout")


def _project(tmp_path: Path, pyproject: str | None = None) -> Path:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path


def test_precedence_cli_over_env_over_pyproject(tmp_path: Path) -> None:
    cwd = _project(
        tmp_path,
        '[tool.migsafe]\nlock-timeout = "9s"\nretries = 7\nverify = ["SELECT 1"]\n'
        'database-url = "sqlite:///from-toml.db"\n',
    )
    env = {"MIGSAFE_LOCK_TIMEOUT": "2s", "MIGSAFE_DATABASE_URL": "sqlite:///from-env.db"}
    s = load_settings(CliOptions(), environ=env, cwd=cwd, lock_timeout="1s")
    assert s.lock_timeout == 1.0
    assert s.retries == 7
    assert s.database_url == "sqlite:///from-env.db"
    assert s.verify == ("SELECT 1",)
    s = load_settings(CliOptions(database_url="sqlite:///cli.db"), environ=env, cwd=cwd)
    assert s.lock_timeout == 2.0
    assert s.database_url == "sqlite:///cli.db"


def test_cli_verify_adds_to_configured_checks(tmp_path: Path) -> None:
    cwd = _project(tmp_path, '[tool.migsafe]\nverify = ["SELECT 1"]\n')
    s = load_settings(CliOptions(), environ={}, cwd=cwd, verify=["SELECT 2"])
    assert s.verify == ("SELECT 1", "SELECT 2")


def test_missing_config_is_a_config_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(CliOptions(), environ={}, cwd=tmp_path)
    assert err.value.hint and "-c" in err.value.hint


def test_explicit_config_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(CliOptions(config=Path("nope.ini")), environ={}, cwd=tmp_path)


def test_a_command_that_needs_only_a_url_may_go_without_a_config(tmp_path: Path) -> None:
    """The flags commands: an empty directory and a URL from the environment are enough."""
    env = {"MIGSAFE_DATABASE_URL": "postgresql://ops@db/shop"}
    s = load_settings(CliOptions(), environ=env, cwd=tmp_path, require_config=False)
    assert (s.ini_file, s.toml_file, s.database_url) == (None, None, env["MIGSAFE_DATABASE_URL"])
    with pytest.raises(ConfigError, match="not found"):  # -c that is not there still is an error
        load_settings(
            CliOptions(config=Path("nope.ini")), environ=env, cwd=tmp_path, require_config=False
        )


def test_pyproject_only_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "migrations"\n')
    s = load_settings(CliOptions(), environ={}, cwd=tmp_path)
    assert s.ini_file is None and s.toml_file == (tmp_path / "pyproject.toml").resolve()


def test_bad_schema_name_is_refused(tmp_path: Path) -> None:
    cwd = _project(tmp_path, '[tool.migsafe]\nschema = "bad name; drop"\n')
    with pytest.raises(ConfigError):
        load_settings(CliOptions(), environ={}, cwd=cwd)


def test_negative_retries_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_settings(CliOptions(), environ={}, cwd=_project(tmp_path), retries=-1)


def test_reverse_settings_from_pyproject_env_and_cli(tmp_path: Path) -> None:
    cwd = _project(
        tmp_path,
        '[tool.migsafe]\nreverse = false\narchive-schema = "kept"\narchive-retention = "2d"\n',
    )
    s = load_settings(CliOptions(), environ={}, cwd=cwd)
    assert (s.reverse, s.archive_schema, s.archive_retention) == (False, "kept", 2 * 86400.0)
    assert s.allow_irreversible is False
    s = load_settings(
        CliOptions(), environ={"MIGSAFE_REVERSE": "yes"}, cwd=cwd, allow_irreversible=True
    )
    assert s.reverse is True and s.allow_irreversible is True
    (tmp_path / "d").mkdir()
    default = load_settings(CliOptions(), environ={}, cwd=_project(tmp_path / "d"))
    assert (default.reverse, default.archive_schema) == (True, "migsafe_archive")
    assert default.archive_retention == 7 * 86400.0


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"MIGSAFE_REVERSE": "maybe"}, ConfigError),
        ({"MIGSAFE_ARCHIVE_SCHEMA": "bad name"}, ConfigError),
        ({"MIGSAFE_ARCHIVE_RETENTION": "forever"}, UsageError),
    ],
)
def test_bad_reverse_settings_are_clear_errors(
    tmp_path: Path, env: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        load_settings(CliOptions(), environ=env, cwd=_project(tmp_path))


@pytest.mark.parametrize("spec", ["app_runtime", "app runtime:ctx", ":ctx", "pkg.mod:"])
def test_a_wrapper_must_name_module_and_attribute(tmp_path: Path, spec: str) -> None:
    cwd = _project(tmp_path, f'[tool.migsafe]\nwrapper = "{spec}"\n')
    with pytest.raises(ConfigError, match="wrapper must be"):
        load_settings(CliOptions(), environ={}, cwd=cwd)


def test_a_wrapper_is_read_from_the_project(tmp_path: Path) -> None:
    cwd = _project(tmp_path, '[tool.migsafe]\nwrapper = "myapp.runtime:app_context"\n')
    assert load_settings(CliOptions(), environ={}, cwd=cwd).wrapper == "myapp.runtime:app_context"
