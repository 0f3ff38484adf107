"""Starting the client tools: what they may see of migsafe's environment, and dying with it.

**Environment.** A deploy job's environment holds secrets the tools have no use for
(``MIGSAFE_DATABASE_URL``, ``DATABASE_URL``, cloud keys, an inherited ``PGPASSWORD``). Every
tool gets only what it may need: ``PATH``, ``HOME``, locale, time zone, temp directory, the
dynamic loader's paths, and libpq's ``PG*`` settings (``PGSSLMODE``, ``PGPASSFILE``...,
which also choose the version behind Debian's ``pg_wrapper``). A tool that connects also
gets what libpq's TLS and Kerberos layers read, and the password as ``PGPASSWORD``: the
URL's own, or else the inherited one (so that a URL without a password works as it does for
migsafe's own connections, which libpq gives the same variable). A tool that does not
connect (``--version``, ``pg_config``, ``pg_restore --list``, ``pg_restore -f -``) gets no
password at all. A kept variable whose value is a URL with a password is dropped too.

**Lifetime.** On Linux each tool is started through a few lines of Python that set
``PR_SET_PDEATHSIG`` to ``SIGKILL`` and then ``exec`` the tool (same process, so the setting
holds): if migsafe dies, whatever kills it, the kernel kills the tool. A psql killed that
way has not committed (see :mod:`~migsafe.snapshots.restore.pipe`). The setting fires when
the *thread* that started the process ends, so every tool is started and waited for by the
same call, in one thread: the thread outlives the tool. (A wrapper rather than
``preexec_fn``: Python code between fork and exec can deadlock on a lock another thread held,
and the wrapper keeps ``subprocess``'s fast spawn.) The tools stay in migsafe's process
group, so a Ctrl-C on the terminal reaches them too; a SIGTERM or SIGHUP to migsafe alone
becomes an ``Interrupted`` (a KeyboardInterrupt, see :mod:`migsafe.engine.interrupts`), on
which every caller kills its tool.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import IO

__all__ = ["popen", "run", "tool_environ"]

_KEEP = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "TMPDIR",
        "TZ",
        "LANG",
        "LANGUAGE",
        # The tools' shared libraries (libpq) may only be found through these.
        "LD_LIBRARY_PATH",
        "DYLD_LIBRARY_PATH",
        "DYLD_FALLBACK_LIBRARY_PATH",
        # Windows: processes need SYSTEMROOT; libpq looks for pgpass.conf under APPDATA.
        "SYSTEMROOT",
        "APPDATA",
    }
)
_KEEP_PREFIXES = ("LC_", "PG")
# What libpq's TLS (OpenSSL) and GSSAPI (Kerberos) layers read, for a tool that connects.
_KEEP_CONNECTING = frozenset(
    {
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "OPENSSL_CONF",
        "KRB5CCNAME",
        "KRB5_CONFIG",
        "KRB5_KTNAME",
        "KRB5_CLIENT_KTNAME",
    }
)
_URL_WITH_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s]*:[^/?#@\s]*@")

# Runs in the new process before the tool replaces it. Python ignores SIGPIPE and SIGXFSZ,
# and an ignored signal stays ignored across exec: the tool must get the default back (a
# pg_restore writing into a dead pipe must die; a full disk must show as SIGXFSZ).
_DIE_WITH_PARENT = """\
import os, signal, sys
parent, argv = int(sys.argv[1]), sys.argv[2:]
try:
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
except Exception:
    pass
if os.getppid() != parent:  # migsafe died before the line above ran
    os.kill(os.getpid(), signal.SIGKILL)
for s in (signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(s, signal.SIG_DFL)
os.umask(0o077)  # whatever a tool creates (pg_dump --file) is its owner's only
try:
    os.execv(argv[0], argv)
except OSError as exc:
    sys.stderr.write(f"{argv[0]}: {exc.strerror}\\n")
    os._exit(127)
"""

_File = int | IO[bytes] | None


def tool_environ(*, connects: bool, password: str | None = None) -> dict[str, str]:
    """The environment a tool runs with (see the module docstring).

    *password* is the URL's; for a tool that *connects* without one, an inherited
    ``PGPASSWORD`` is kept, as libpq would use it for migsafe's own connection.
    """
    # Not configuration: this passes the user's own environment on to the tools, filtered.
    inherited = os.environ
    env = {
        name: value
        for name, value in inherited.items()
        if (
            name in _KEEP
            or name.startswith(_KEEP_PREFIXES)
            or (connects and name in _KEEP_CONNECTING)
        )
        and name != "PGPASSWORD"
        and not _URL_WITH_PASSWORD.search(value)
    }
    if connects:
        given = password or inherited.get("PGPASSWORD")
        if given:
            env["PGPASSWORD"] = given
    return env


def popen(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    stdin: _File = subprocess.DEVNULL,
    stdout: _File = None,
    stderr: _File = None,
) -> subprocess.Popen[bytes]:
    """Start a tool that dies with migsafe; the caller must wait for it in this same thread."""
    return subprocess.Popen(
        _dying_with_us(argv), env=dict(env), stdin=stdin, stdout=stdout, stderr=stderr
    )


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout: float | None = None,
    stdin: _File = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool to the end and capture its output, like :func:`subprocess.run`.

    Whatever interrupts the wait (a timeout, KeyboardInterrupt) kills the tool first.
    """
    proc = popen(argv, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)


def _dying_with_us(argv: Sequence[str]) -> list[str]:
    if not sys.platform.startswith("linux") or not sys.executable:
        return list(argv)  # no PR_SET_PDEATHSIG there: see docs/snapshots.md
    # -I -S: no site packages, no PYTHON* variables; the new process only execs the tool.
    return [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *argv]
