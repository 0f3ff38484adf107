"""The one place that reads the environment and configuration files.

Precedence, highest first: command-line options > environment (``MIGSAFE_*``) >
``[tool.migsafe]`` in pyproject.toml > the Alembic configuration. Everything else in migsafe
receives the frozen :class:`Settings` explicitly.
"""

from __future__ import annotations

import configparser
import locale
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migsafe.errors import ConfigError, UsageError
from migsafe.redaction import remember_url

DEFAULT_LOCK_TIMEOUT = 5.0
DEFAULT_LOCK_WAIT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_SCHEMA = "migsafe"
DEFAULT_ARCHIVE_SCHEMA = "migsafe_archive"  # the same default as migsafe.reverse
DEFAULT_ARCHIVE_RETENTION = 7 * 86400.0  # `migsafe archive prune` keeps a week by default
DEFAULT_DATA_ARCHIVE_LIMIT = 1 << 30  # bytes of before-images one revision may keep: 1 GiB
DEFAULT_FLAGS_SCHEMA = "migsafe_flags"  # the same default as flags.backends.postgres
# gzip level 1: pg_dump -Fc spends most of its time compressing; level 1 is several times
# faster than the default 6 for a slightly larger file (see benchmarks/bench_snapshot.py).
DEFAULT_COMPRESSION = 1

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$")
_UNIT_SECONDS = {
    None: 1.0,
    "s": 1.0,
    "sec": 1.0,
    "ms": 0.001,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}


def parse_duration(text: str | float | int, *, option: str) -> float:
    """Parse ``5s``, ``500ms``, ``2min`` or a bare number of seconds."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _DURATION.match(text)
        if not match:
            raise UsageError(
                f"{option}: cannot read duration {text!r}",
                hint="use a number of seconds or a unit, e.g. 5s, 500ms, 2min, 30d",
            )
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0:
        raise UsageError(f"{option}: duration must not be negative")
    return seconds


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.I)


def parse_size(text: str | float | int, *, option: str) -> int:
    """Parse ``1GB``, ``500MB``, ``64kB`` or a bare number of bytes (units are powers of
    1024, as PostgreSQL's own memory settings read them)."""
    if isinstance(text, int | float):
        size = float(text)
    else:
        match = _SIZE.match(text)
        if not match:
            raise UsageError(
                f"{option}: cannot read size {text!r}",
                hint="use a number of bytes or a unit, e.g. 500MB, 1GB",
            )
        unit = (match.group(2) or "b").lower()[0]
        size = float(match.group(1)) * 1024 ** "bkmgt".index(unit)
    if size < 0:
        raise UsageError(f"{option}: size must not be negative")
    return int(size)


@dataclass(frozen=True)
class CliOptions:
    """Global options as given on the command line (None: not given)."""

    config: Path | None = None
    database_url: str | None = None
    debug: bool = False
    x_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where and how to run."""

    ini_file: Path | None
    toml_file: Path | None
    database_url: str | None
    debug: bool = False
    schema: str = DEFAULT_SCHEMA
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    statement_timeout: float | None = None
    retries: int = DEFAULT_RETRIES
    lock_wait: float = DEFAULT_LOCK_WAIT
    verify: tuple[str, ...] = ()
    x_args: tuple[str, ...] = ()  # Alembic's -x KEY=VALUE, for env.py's get_x_argument()
    snapshot_dir: Path | None = None  # None: <project>/.migsafe/snapshots
    snapshot_compression: int = DEFAULT_COMPRESSION
    flags_schema: str = DEFAULT_FLAGS_SCHEMA
    # Generated reverse scripts (docs/reverse.md): on by default; kept data goes to this schema.
    reverse: bool = True
    archive_schema: str = DEFAULT_ARCHIVE_SCHEMA
    archive_retention: float = DEFAULT_ARCHIVE_RETENTION
    data_archive_limit: int = DEFAULT_DATA_ARCHIVE_LIMIT
    # Keep before-images of the rows a migration writes (reverse/rows); off: data changes are
    # irreversible again (covered by --backup, --allow-irreversible or a tested downgrade()).
    capture_rows: bool = True
    allow_irreversible: bool = False
    # "package.module:factory": a context manager migsafe enters around every env.py run
    # (an application's runtime that env.py needs), imported from the project's sys.path.
    wrapper: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def snapshots_path(self) -> Path:
        return self.snapshot_dir or self.project_dir / ".migsafe" / "snapshots"

    @property
    def project_dir(self) -> Path:
        anchor = self.ini_file or self.toml_file
        assert anchor is not None
        return anchor.parent


def _flag(value: Any, *, option: str) -> bool:
    """A boolean setting from TOML (true/false) or the environment ("1", "true", "no"...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{option} must be true or false, not {value!r}")


def _verify_queries(queries: tuple[str, ...]) -> tuple[str, ...]:
    """The --verify queries, none of them blank (an empty statement returns no row: a check
    that could only fail, after the migrations ran)."""
    for query in queries:
        if not query.strip():
            raise UsageError(
                "a verify query is empty",
                hint="--verify takes a query whose first column is true when the check holds, "
                "e.g. --verify 'SELECT count(*) = 0 FROM orders WHERE total IS NULL'",
            )
    return queries


def _has_tool_section(pyproject: Path, tool: str) -> bool:
    return tool in _read_toml(pyproject).get("tool", {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
            hint="TOML files are UTF-8; save it as UTF-8",
        ) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def check_ini(path: Path) -> None:
    """Refuse, in one line, an ini file Alembic could not read.

    Alembic reads it with configparser in the locale's encoding and would fail with a
    traceback on bytes that do not decode or on text that is not ini. The line of the
    problem is named, never its content (it may hold a URL with a password).
    """
    encoding = locale.getpreferredencoding(False)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not {encoding} text: byte 0x{data[exc.start]:02x} on line {line}",
            hint=f"an Alembic config is read in the locale's encoding ({encoding}); save it "
            "in that encoding (e.g. UTF-8), or check that -c names your alembic.ini",
        ) from exc
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        raise ConfigError(
            f"{path} is not an ini file: line {exc.lineno} comes before any [section]",
            hint="an Alembic config starts with [alembic]; check that -c names your alembic.ini",
        ) from exc
    except configparser.ParsingError as exc:
        lines = ", ".join(str(lineno) for lineno, _ in exc.errors[:5])
        raise ConfigError(
            f"{path} is not an ini file: cannot read line {lines}",
            hint="each line is `key = value`, a [section] or a comment",
        ) from exc
    except configparser.Error as exc:  # duplicate sections or options
        raise ConfigError(f"{path}: {' '.join(str(exc.message).split())}") from exc


def locate_config(
    explicit: Path | None, cwd: Path, *, required: bool = True
) -> tuple[Path | None, Path | None]:
    """Find the Alembic configuration: ``-c FILE``, else ./alembic.ini, else pyproject.toml.

    Not ``required`` (the ``flags`` commands, which need only a URL): ``(None, None)`` when
    there is none; a ``-c FILE`` that is not there is still an error.
    """
    if explicit is not None:
        path = explicit if explicit.is_absolute() else cwd / explicit
        if path.is_dir():
            raise ConfigError(
                f"-c {explicit} is a directory, not a config file",
                hint=f"pass the file itself, e.g. -c {explicit / 'alembic.ini'}",
            )
        if not path.is_file():
            raise ConfigError(
                f"config file not found: {explicit}",
                hint="pass -c with the path of your alembic.ini (or pyproject.toml)",
            )
        if path.suffix == ".toml":
            if not _has_tool_section(path, "alembic"):
                raise ConfigError(f"{explicit} has no [tool.alembic] section")
            return None, path.resolve()
        check_ini(path)
        sibling = path.parent / "pyproject.toml"
        toml = (
            sibling.resolve()
            if sibling.is_file() and _has_tool_section(sibling, "alembic")
            else None
        )
        return path.resolve(), toml
    ini = cwd / "alembic.ini"
    pyproject = cwd / "pyproject.toml"
    has_toml = pyproject.is_file() and _has_tool_section(pyproject, "alembic")
    if ini.is_file():
        check_ini(ini)
        return ini.resolve(), pyproject.resolve() if has_toml else None
    if has_toml:
        return None, pyproject.resolve()
    if not required:
        return None, None
    raise ConfigError(
        f"no Alembic configuration found in {cwd} (looked for alembic.ini and "
        "[tool.alembic] in pyproject.toml)",
        hint="run migsafe from your project's root or pass -c path/to/alembic.ini",
    )


def load_settings(
    cli: CliOptions,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    require_config: bool = True,
    **overrides: Any,
) -> Settings:
    """Resolve settings once, from CLI options, environment and config files.

    ``require_config=False``: no Alembic configuration is not an error (``ini_file`` and
    ``toml_file`` are then None), for commands that need only the database URL.
    """
    env = os.environ if environ is None else environ
    here = Path.cwd() if cwd is None else cwd
    ini_file, toml_file = locate_config(cli.config, here, required=require_config)
    anchor_dir = (ini_file or toml_file or here).parent
    tool: dict[str, Any] = {}
    for candidate in (toml_file, anchor_dir / "pyproject.toml", here / "pyproject.toml"):
        if candidate is not None and candidate.is_file():
            tool = dict(_read_toml(candidate).get("tool", {}).get("migsafe", {}))
            if tool:
                break

    def pick(name: str, env_name: str, default: Any) -> Any:
        if overrides.get(name) is not None:
            return overrides[name]
        if env.get(env_name):
            return env[env_name]
        key = name.replace("_", "-")
        if key in tool:
            return tool[key]
        if name in tool:
            return tool[name]
        return default

    database_url = cli.database_url or env.get("MIGSAFE_DATABASE_URL") or tool.get("database-url")
    remember_url(database_url)  # scrubbed from whatever is shown from now on, parseable or not
    statement_timeout = pick("statement_timeout", "MIGSAFE_STATEMENT_TIMEOUT", None)
    try:
        retries = int(pick("retries", "MIGSAFE_RETRIES", DEFAULT_RETRIES))
    except ValueError as exc:
        raise UsageError(f"--retries: not a whole number: {exc}") from exc
    if retries < 0:
        raise UsageError("--retries must be 0 or more")
    verify_cfg = tool.get("verify", [])
    if isinstance(verify_cfg, str):
        verify_cfg = [verify_cfg]
    if not isinstance(verify_cfg, list) or not all(isinstance(v, str) for v in verify_cfg):
        raise ConfigError("[tool.migsafe] verify must be a list of SQL strings")
    schema = str(pick("schema", "MIGSAFE_SCHEMA", DEFAULT_SCHEMA))
    flags_schema = str(pick("flags_schema", "MIGSAFE_FLAGS_SCHEMA", DEFAULT_FLAGS_SCHEMA))
    archive_schema = str(pick("archive_schema", "MIGSAFE_ARCHIVE_SCHEMA", DEFAULT_ARCHIVE_SCHEMA))
    for value in (schema, flags_schema, archive_schema):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]{0,62}", value):
            raise ConfigError(f"schema name {value!r} is not a plain identifier")
    snapshot_dir = pick("snapshot_dir", "MIGSAFE_SNAPSHOT_DIR", None)
    try:
        compression = int(
            pick("snapshot_compression", "MIGSAFE_SNAPSHOT_COMPRESSION", DEFAULT_COMPRESSION)
        )
    except ValueError as exc:
        raise UsageError(f"snapshot compression must be a number 0-9: {exc}") from exc
    if not 0 <= compression <= 9:
        raise UsageError("snapshot compression must be between 0 and 9")
    wrapper = pick("wrapper", "MIGSAFE_WRAPPER", None)
    if wrapper is not None and not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", str(wrapper)):
        raise ConfigError(
            f"wrapper must be 'package.module:name', not {wrapper!r}",
            hint="[tool.migsafe] wrapper names a context manager factory, e.g. "
            "'myapp.runtime:app_context'",
        )
    return Settings(
        ini_file=ini_file,
        toml_file=toml_file,
        database_url=database_url,
        debug=cli.debug,
        schema=schema,
        lock_timeout=parse_duration(
            pick("lock_timeout", "MIGSAFE_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT),
            option="--lock-timeout",
        ),
        statement_timeout=(
            None
            if statement_timeout is None
            else parse_duration(statement_timeout, option="--statement-timeout")
        ),
        retries=retries,
        lock_wait=parse_duration(
            pick("lock_wait", "MIGSAFE_LOCK_WAIT", DEFAULT_LOCK_WAIT), option="--lock-wait"
        ),
        verify=_verify_queries(tuple(verify_cfg) + tuple(overrides.get("verify") or ())),
        snapshot_dir=(anchor_dir / Path(snapshot_dir)) if snapshot_dir else None,
        snapshot_compression=compression,
        flags_schema=flags_schema,
        reverse=_flag(pick("reverse", "MIGSAFE_REVERSE", True), option="reverse"),
        capture_rows=_flag(
            pick("capture_rows", "MIGSAFE_CAPTURE_ROWS", True), option="capture-rows"
        ),
        archive_schema=archive_schema,
        archive_retention=parse_duration(
            pick("archive_retention", "MIGSAFE_ARCHIVE_RETENTION", DEFAULT_ARCHIVE_RETENTION),
            option="archive retention",
        ),
        data_archive_limit=parse_size(
            pick("data_archive_limit", "MIGSAFE_DATA_ARCHIVE_LIMIT", DEFAULT_DATA_ARCHIVE_LIMIT),
            option="data archive limit",
        ),
        allow_irreversible=bool(overrides.get("allow_irreversible")),
        x_args=cli.x_args,
        wrapper=str(wrapper) if wrapper is not None else None,
        extra=tool,
    )
