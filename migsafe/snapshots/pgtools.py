"""Finding pg_dump/pg_restore/psql, and handing them a connection without leaking the password.

A client tool older than the server refuses to dump it (or, worse, misses new object types),
so the tools are chosen by version, not just found on PATH. The password never goes on a
command line, where ``ps`` shows it to every user of the machine, nor into a file, which a
killed migsafe could not remove: each tool that connects gets it as ``PGPASSWORD`` in its
own environment, which only its owner (and root) can read. How tools are started (their
environment, their death with migsafe) is :mod:`~migsafe.snapshots.tool_process`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple, TypeVar

from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from migsafe.db.connection import parse_url, redact
from migsafe.errors import SnapshotToolError, UsageError
from migsafe.redaction import scrub as scrub_passwords
from migsafe.snapshots.tool_process import popen, run, tool_environ

__all__ = [
    "Finished",
    "LibpqInvocation",
    "PgTool",
    "find_tools",
    "libpq_invocation",
    "major_label",
    "parse_version",
    "require_tools",
    "run_writing",
    "scrub",
    "shown",
    "url_password",
]

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_BARE_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")  # SHOW server_version
_VERBS = {"pg_dump": "dump", "pg_restore": "restore into", "psql": "work with"}
_DEBIAN_ROOT = Path("/usr/lib/postgresql")
_T = TypeVar("_T")


@dataclass(frozen=True)
class PgTool:
    """One client program and the version it reports."""

    name: str
    path: Path
    version: str  # first line of --version, e.g. "pg_dump (PostgreSQL) 15.18 (Debian ...)"
    version_num: int  # same scale as server_version_num: 150018, 90624

    @property
    def major(self) -> str:
        return major_label(self.version_num)


def parse_version(text: str) -> int:
    """``--version`` output (or ``server_version``) as a ``server_version_num`` (0: unknown)."""
    match = _VERSION.search(text) or _BARE_VERSION.match(text.strip())
    if match is None:
        return 0
    first, second, third = (int(g) if g else 0 for g in match.groups())
    if first >= 10:  # since PostgreSQL 10 the major version is one number
        return first * 10000 + second
    return first * 10000 + second * 100 + third


def _major_key(version_num: int) -> int:
    return version_num // 10000 if version_num >= 100000 else version_num // 100


def major_label(version_num: int) -> str:
    """The major version as people write it: ``15``, or ``9.6`` before PostgreSQL 10."""
    if version_num >= 100000:
        return str(version_num // 10000)
    return f"{version_num // 10000}.{version_num // 100 % 100}"


def find_tools(name: str, *, bin_dir: Path | None = None) -> list[PgTool]:
    """Every usable copy of *name*: PATH, ``pg_config --bindir``, Debian's dirs newest first."""
    if bin_dir is not None:
        candidates = [bin_dir / name]
    else:
        candidates = []
        if found := shutil.which(name):
            candidates.append(Path(found))
        if config := _pg_config_bindir():
            candidates.append(config / name)
        debian = sorted(_DEBIAN_ROOT.glob("*/bin"), key=_dir_version, reverse=True)
        candidates.extend(d / name for d in debian)
    tools: list[PgTool] = []
    seen: set[Path] = set()
    for path in candidates:
        if path in seen or not os.access(path, os.X_OK):
            continue
        seen.add(path)
        with contextlib.suppress(OSError):
            stat = path.stat()
            if tool := _probe(name, str(path), stat.st_mtime_ns):
                tools.append(tool)
    return tools


def require_tools(
    server_version_num: int,
    names: Sequence[str] = ("pg_dump", "pg_restore", "psql"),
    *,
    bin_dir: Path | None = None,
) -> Mapping[str, PgTool]:
    """For each name, the first copy whose major version is at least the server's."""
    needed = _major_key(server_version_num)
    label = major_label(server_version_num)
    chosen: dict[str, PgTool] = {}
    for name in names:
        tools = find_tools(name, bin_dir=bin_dir)
        if not tools:
            where = f" in {bin_dir}" if bin_dir is not None else " on PATH or in pg_config --bindir"
            raise SnapshotToolError(f"{name} not found{where}", hint=_install_hint(label))
        fit = next((t for t in tools if _major_key(t.version_num) >= needed), None)
        if fit is None:
            best = max(tools, key=lambda t: t.version_num)
            raise SnapshotToolError(
                f"{name} {best.major} cannot {_VERBS.get(name, 'work with')} a PostgreSQL "
                f"{label} server; install postgresql-client-{label} or newer",
                hint=_install_hint(label),
            )
        chosen[name] = fit
    return chosen


class LibpqInvocation(NamedTuple):
    """What a libpq client needs: a password-free conninfo and its environment."""

    conninfo: str
    env: dict[str, str]


@contextlib.contextmanager
def libpq_invocation(url: str | URL) -> Iterator[LibpqInvocation]:
    """A conninfo without the password, and the environment of a tool that connects with it.

    Query parameters of the URL (``sslmode``, ``sslrootcert``, ``options``...) become conninfo
    keywords. The password, if the URL has one, is the environment's ``PGPASSWORD``; without
    one, libpq finds it as for migsafe's own connection (``PGPASSWORD``, ``PGPASSFILE``,
    ``~/.pgpass``). A context manager because it once had a temporary passfile to remove; it
    leaves nothing behind now.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(f"{shown(parsed)} is not a PostgreSQL URL")
    params: dict[str, str] = {}
    for key, value in parsed.query.items():
        params[key] = value if isinstance(value, str) else ",".join(value)
    password = url_password(parsed)
    params.pop("password", None)
    keywords: dict[str, str | int | None] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "dbname": parsed.database,
        "connect_timeout": "10",
    }
    keywords.update(params)
    conninfo = make_conninfo("", **{k: v for k, v in keywords.items() if v not in (None, "")})
    if password and "\0" in password:
        raise UsageError("a password containing a NUL character cannot be given to the tools")
    yield LibpqInvocation(conninfo, tool_environ(connects=True, password=password))


def shown(url: URL) -> str:
    """The URL as migsafe shows and records it: redacted, a ``password`` parameter left out."""
    # redact() hides the password of the user part only.
    return redact(url.difference_update_query(["password"]))


def url_password(url: URL) -> str | None:
    """The URL's password: in its user part, or else a ``password`` query parameter."""
    password = url.password or url.query.get("password")
    if isinstance(password, tuple):
        password = password[0] if password else None
    return str(password) if password else None


@dataclass(frozen=True)
class Finished:
    """How a tool run ended: its exit status (negative: killed by that signal), its stderr."""

    returncode: int
    stderr: str


def run_writing(
    argv: Sequence[str],
    env: Mapping[str, str],
    out: Path,
    progress: Callable[[int], None] | None,
    meanwhile: Callable[[], _T],
) -> tuple[Finished, _T]:
    """Run a tool that writes *out*, reporting its size, and call *meanwhile* as it runs.

    *meanwhile* runs in this thread (the work that must overlap the tool's); *progress* is
    called from another with the file's size as it grows, and once more at the end. If either
    raises, the tool is killed and that exception propagates.
    """
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: it can never fill and block
        proc = popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        watcher = _SizeWatcher(proc, out, progress)
        try:
            result = meanwhile()
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            watcher.finish()
        if watcher.error is not None:
            raise watcher.error
        return Finished(proc.returncode, _read(stderr)), result


class _SizeWatcher:
    """Reports the growing output file's size from a thread until the tool exits.

    An exception from the callback kills the tool (a way to cancel) and is kept to re-raise.
    """

    def __init__(
        self, proc: subprocess.Popen[bytes], out: Path, progress: Callable[[int], None] | None
    ):
        self.proc, self.out, self.progress = proc, out, progress
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="migsafe-tool-progress")
        self._thread.daemon = True
        if progress is not None:
            self._thread.start()

    def _run(self) -> None:
        assert self.progress is not None
        last = -1
        try:
            while True:
                done = self.proc.poll() is not None or self._stop.is_set()
                try:
                    size = self.out.stat().st_size
                except FileNotFoundError:
                    size = 0
                if size != last:
                    self.progress(size)
                    last = size
                if done:
                    return
                self._stop.wait(0.1)
        except BaseException as exc:
            self.error = exc
            self.proc.kill()

    def finish(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _read(f: IO[bytes]) -> str:
    f.seek(0)
    return f.read().decode("utf-8", errors="replace")


def scrub(text: str, url: str | URL) -> str:
    """*text* (a tool's stderr, an error) with the URL's password replaced by ``***``.

    Also in the forms it takes on the way: percent-encoded as in the URL (either case of hex,
    ``+`` for a space, partly or fully), or backslash-escaped as in a conninfo value.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    return scrub_passwords(text, [url_password(parsed)])


def _install_hint(label: str) -> str:
    return (
        f"install the PostgreSQL {label} client tools (Debian/Ubuntu: apt-get install "
        f"postgresql-client-{label}; macOS: brew install libpq) or put their bin directory "
        "on PATH"
    )


def _dir_version(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def _pg_config_bindir() -> Path | None:
    # One process launch per pg_config found on PATH; asked several times per snapshot.
    pg_config = shutil.which("pg_config")
    return _bindir_of(pg_config) if pg_config else None


@functools.lru_cache(maxsize=8)
def _bindir_of(pg_config: str) -> Path | None:
    try:
        res = run([pg_config, "--bindir"], env=tool_environ(connects=False), timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    out = res.stdout.decode(errors="replace").strip()
    return Path(out) if out and res.returncode == 0 else None


@functools.lru_cache(maxsize=64)
def _probe(name: str, path: str, _mtime_ns: int) -> PgTool | None:
    """Run ``--version`` once per binary (cached while the file is unchanged)."""
    try:
        out = run([path, "--version"], env=tool_environ(connects=False), timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    line = (out.stdout.decode(errors="replace").strip().splitlines() or [""])[0]
    num = parse_version(line)
    if out.returncode != 0 or num == 0:
        return None
    return PgTool(name=name, path=Path(path), version=line, version_num=num)
