"""Running an in-place restore: ``pg_restore | psql`` in one transaction.

psql (``--single-transaction -v ON_ERROR_STOP=1``) reads the plan's preamble, the script
``pg_restore -1 -f -`` writes from the archive minus its own BEGIN and COMMIT, and the plan's
postamble. Any error, in either tool or in between, rolls all of it back.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from sqlalchemy.engine import URL

from migsafe.errors import SnapshotCorrupt, SnapshotError, SnapshotToolError
from migsafe.snapshots.pgtools import LibpqInvocation, PgTool, scrub
from migsafe.snapshots.restore.connection import tool_env
from migsafe.snapshots.restore.plan import RestorePlan
from migsafe.snapshots.tool_output import first_lines, psql_error
from migsafe.snapshots.tool_process import popen, tool_environ

__all__ = ["CopyScript", "copy_script", "run_in_one_transaction"]

#: Copies pg_restore's script to psql; None if it went through, else what was wrong with it.
CopyScript = Callable[[IO[bytes], IO[bytes]], str | None]

_NOTHING_CHANGED = "nothing was changed (one transaction, rolled back)"


def run_in_one_transaction(
    url: URL,
    libpq: LibpqInvocation,
    tools: Mapping[str, PgTool],
    dump_file: Path,
    plan: RestorePlan,
    *,
    copy: CopyScript | None = None,
) -> None:
    """Pipe preamble + ``pg_restore -1 -f -`` + postamble into ``psql --single-transaction``.

    psql commits when its input ends, so on every failure path it is killed *before* its
    stdin is closed: the server then sees a dropped connection and rolls back. If migsafe
    itself is killed, both tools die with it (see :mod:`~migsafe.snapshots.tool_process`);
    should psql see its input end first, the guard of the preamble fails its COMMIT.
    *copy* replaces :func:`copy_script` (a test seam).
    """
    psql = [str(tools["psql"].path), "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1"]
    psql += ["--single-transaction", "-d", libpq.conninfo, "-f", "-"]
    # -1: one BEGIN/COMMIT around the whole script, which copy_script removes; without it
    # the script COMMITs after the large objects, half-way through psql's transaction.
    script = [str(tools["pg_restore"].path), "--single-transaction", "-f", "-", str(dump_file)]
    with tempfile.TemporaryFile() as psql_err, tempfile.TemporaryFile() as script_err:
        consumer = popen(
            psql,
            env=tool_env(libpq),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
        )
        try:
            # pg_restore -f - only reads the archive: it gets no password.
            producer = popen(
                script,
                env=tool_environ(connects=False),
                stdout=subprocess.PIPE,
                stderr=script_err,
            )
        except BaseException:
            consumer.kill()
            consumer.wait()
            raise
        problem: str | None = "interrupted"
        try:
            problem = _feed(consumer, producer, plan, copy or copy_script)
        finally:
            if problem is not None:
                consumer.kill()  # before its stdin closes
            _close(consumer.stdin)
            stopped_by_us = producer.poll() is None
            if stopped_by_us:
                producer.kill()
            _close(producer.stdout)
            producer.wait()
            consumer.wait()
        if problem is None and consumer.returncode == 0:
            return
        if producer.returncode != 0 and not stopped_by_us:
            script_err.seek(0)
            raise SnapshotCorrupt(
                f"pg_restore could not read {dump_file}; {_NOTHING_CHANGED}: "
                f"{first_lines(script_err.read())}"
            )
        if problem not in (None, _PSQL_STOPPED):
            raise SnapshotToolError(f"unexpected pg_restore output ({problem}); {_NOTHING_CHANGED}")
        psql_err.seek(0)
        raise SnapshotError(
            f"restore into {plan.database} failed; {_NOTHING_CHANGED}: "
            f"{scrub(psql_error(psql_err.read()), url)}"
        )


_PSQL_STOPPED = "psql stopped"
_TAIL = 4096  # more than pg_restore writes after its final COMMIT


def _feed(
    consumer: subprocess.Popen[bytes],
    producer: subprocess.Popen[bytes],
    plan: RestorePlan,
    copy: CopyScript,
) -> str | None:
    """None if all of the script reached psql, else why not."""
    assert consumer.stdin is not None and producer.stdout is not None
    try:
        consumer.stdin.write(plan.preamble.encode())
        problem = copy(producer.stdout, consumer.stdin)
        if producer.wait() != 0:
            return "pg_restore failed"
        if problem is not None:
            return problem
        consumer.stdin.write(plan.postamble.encode())
        consumer.stdin.flush()
    except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP)
        return _PSQL_STOPPED
    return None


def copy_script(src: IO[bytes], dst: IO[bytes]) -> str | None:
    """Copy pg_restore's single-transaction script without its own BEGIN and COMMIT.

    They are found by position, not by content (a function body may hold such a line): the
    BEGIN is the first statement, after comments and ``\\restrict``; the COMMIT the last,
    before comments and ``\\unrestrict``. Anything else is reported, never guessed at.
    """
    while (line := src.readline()) != b"BEGIN;\n":
        if not _trivia(line):
            return "no BEGIN at the start of the script" if line else "empty script"
        dst.write(line)
    held = b""
    while chunk := src.read(1 << 16):
        held += chunk
        if len(held) > _TAIL:
            dst.write(held[:-_TAIL])
            held = held[-_TAIL:]
    end = held.rfind(b"\nCOMMIT;\n")
    after = held[end + len(b"\nCOMMIT;\n") :]
    if end < 0 or not all(map(_trivia, after.splitlines(keepends=True))):
        return "no COMMIT at the end of the script"  # e.g. pg_restore stopped half-way
    dst.write(held[: end + 1])
    dst.write(after)
    return None


def _trivia(line: bytes) -> bool:
    """Blank, a comment, or psql's (un)restrict meta-command around a dump script."""
    text = line.strip()
    return not text or text.startswith((b"--", b"\\restrict ", b"\\unrestrict "))


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(BrokenPipeError):
            stream.close()
