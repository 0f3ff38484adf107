"""Restore a PostgreSQL snapshot (a ``pg_dump -Fc`` archive) all or nothing.

In place, one transaction does everything: ``psql --single-transaction -v ON_ERROR_STOP=1``
reads a preamble (the drops), the script ``pg_restore -1 -f -`` writes from the archive (minus
its own BEGIN and COMMIT), and a postamble; any error rolls all of it back and the database is
exactly as before. A guard armed by the preamble and released by the postamble makes any
COMMIT before the end fail (see ``restore_sql``), so a half-done restore cannot be committed.

* ``full``: every user schema is dropped (CASCADE) except *keep_schemas*, where migsafe's
  own history lives and must outlive the restore, and all large objects are unlinked; then
  the dump re-creates everything. ``public`` is re-created first as it is now (owner, ACL,
  comment), because pg_dump 15+ assumes it exists. Objects outside any schema (roles,
  publications, event triggers whose function survives) are left alone; if the dump
  re-creates one that exists, the restore fails and changes nothing.
* ``tables``: only the snapshot's tables (and *drop_also*, the tables created since) are
  dropped and restored. Other tables' foreign keys into them are dropped and re-added (and
  validated) around the restore. Anything else depending on them (a view, a function over
  their row type, a partition...) makes the plan refuse before anything changes: a full
  snapshot is needed then.
* ``into``: a new database is created and the whole dump restored there; the original is
  not touched. On failure the new database is dropped again.

In-place restores refuse while other client sessions are connected to the database, except
ours and *exclude_pids* (the caller's own connections). With ``force`` they are terminated
first with ``pg_terminate_backend``: their open transactions roll back and their clients get
"terminating connection due to administrator command". A session that connects after that
can still make the restore wait for a lock (up to ``restore_sql.LOCK_TIMEOUT``, then it
fails and changes nothing).

The tools come from :mod:`~migsafe.snapshots.pgtools`: at least as new as the server, and the
password in a temporary PGPASSFILE, never on argv.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, ParamSpec, TypeVar

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from migsafe.engine.connection import parse_url, redact, unavailable
from migsafe.errors import (
    RestoreRefused,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotToolError,
    UsageError,
)
from migsafe.snapshots import restore_sql as q
from migsafe.snapshots.model import FULL, TABLES
from migsafe.snapshots.pgtools import (
    LibpqInvocation,
    PgTool,
    libpq_invocation,
    require_tools,
    scrub,
)
from migsafe.snapshots.restore_sql import QualifiedName, Session

__all__ = [
    "RestorePlan",
    "RestoreResult",
    "Session",
    "TocEntry",
    "list_dump",
    "plan_restore",
    "restore",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_APP = "migsafe restore"
_NOTHING_CHANGED = "nothing was changed (one transaction, rolled back)"


@dataclass(frozen=True)
class TocEntry:
    """One line of ``pg_restore --list``; *name* is pg_dump's tag (``"t t_pkey"``...)."""

    dump_id: int
    type: str  # "TABLE", "TABLE DATA", "FK CONSTRAINT", "SEQUENCE SET"...
    schema: str | None
    name: str
    owner: str | None


@dataclass(frozen=True)
class RestorePlan:
    """What an in-place restore will do, and the SQL it wraps around pg_restore's script."""

    database: str  # redacted URL
    mode: str
    drop_schemas: tuple[str, ...]
    drop_tables: tuple[str, ...]
    restore_tables: tuple[str, ...]  # every table the dump creates
    readd_foreign_keys: tuple[str, ...]  # "schema.table.constraint"
    drop_foreign_keys: tuple[str, ...]  # into tables created after the snapshot
    preamble: str
    postamble: str


@dataclass(frozen=True)
class RestoreResult:
    """What a restore dropped and restored, where, and how long it took."""

    database: str  # redacted URL of the database restored into
    mode: str
    into: str | None  # the database created, when not restored in place
    dropped_schemas: tuple[str, ...]
    dropped_tables: tuple[str, ...]
    restored_tables: tuple[str, ...]
    readded_foreign_keys: tuple[str, ...]
    dropped_foreign_keys: tuple[str, ...]
    terminated_sessions: tuple[Session, ...]
    duration: float  # seconds


def restore(
    url: str,
    dump_file: Path,
    *,
    mode: str,
    tables: Sequence[str],
    drop_also: Sequence[str] = (),
    into: str | None = None,
    force: bool = False,
    keep_schemas: Sequence[str] = ("migsafe",),
    exclude_pids: Collection[int] = (),
    bin_dir: Path | None = None,
    wait_for_others: bool = False,
) -> RestoreResult:
    """Restore *dump_file* into the database at *url* (or into a new database *into*).

    Other sessions on the database: refused (named) by default, terminated with *force*, or,
    with *wait_for_others* (the pre-backup guard restoring a failed migration's tables while
    the application stays up), left alone: the restore queues for its locks, at most the
    lock timeout its transaction sets.

    *tables* are the snapshot's ``"schema.table"`` names: what ``tables`` mode restores (in
    ``full`` mode the dump decides). *drop_also* names tables created since the snapshot,
    dropped by a ``tables`` restore. Refusals and failures leave the database unchanged.
    """
    started = time.monotonic()
    parsed = _postgres_url(url)
    if into is not None:
        _check_mode(mode)
        return _restore_into(parsed, into, dump_file, mode, tables, bin_dir, started)
    with libpq_invocation(parsed) as libpq:
        with _connect(parsed, libpq) as conn:
            tools = _tools(conn, bin_dir)
            toc = _list(tools["pg_restore"], dump_file)
            plan = _plan(conn, parsed, toc, mode, tables, drop_also, keep_schemas)
            sessions = [] if wait_for_others else _db_call(q.other_sessions, conn, exclude_pids)
            if sessions and not force:
                shown = "; ".join(s.describe() for s in sessions)
                raise RestoreRefused(
                    f"{len(sessions)} other session(s) connected to {plan.database}: {shown}",
                    hint="close them, or restore with force to terminate them",
                )
            _db_call(q.terminate, conn, sessions)
        _run_in_one_transaction(parsed, libpq, tools, dump_file, plan)
    return RestoreResult(
        database=plan.database,
        mode=mode,
        into=None,
        dropped_schemas=plan.drop_schemas,
        dropped_tables=plan.drop_tables,
        restored_tables=plan.restore_tables,
        readded_foreign_keys=plan.readd_foreign_keys,
        dropped_foreign_keys=plan.drop_foreign_keys,
        terminated_sessions=tuple(sessions),
        duration=time.monotonic() - started,
    )


def plan_restore(
    url: str,
    dump_file: Path,
    *,
    mode: str,
    tables: Sequence[str],
    drop_also: Sequence[str] = (),
    keep_schemas: Sequence[str] = ("migsafe",),
    bin_dir: Path | None = None,
) -> RestorePlan:
    """What :func:`restore` would do in place, changing nothing (for ``--dry-run``)."""
    parsed = _postgres_url(url)
    with libpq_invocation(parsed) as libpq, _connect(parsed, libpq) as conn:
        toc = _list(_tools(conn, bin_dir)["pg_restore"], dump_file)
        return _plan(conn, parsed, toc, mode, tables, drop_also, keep_schemas)


def list_dump(dump_file: Path, *, bin_dir: Path | None = None) -> list[TocEntry]:
    """The table of contents of a custom-format archive (``pg_restore --list``)."""
    return _list(require_tools(0, ("pg_restore",), bin_dir=bin_dir)["pg_restore"], dump_file)


def _list(pg_restore: PgTool, dump_file: Path) -> list[TocEntry]:
    if not dump_file.is_file():
        raise SnapshotError(f"snapshot file {dump_file} does not exist")
    res = subprocess.run(
        [str(pg_restore.path), "--list", str(dump_file)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    if res.returncode != 0:
        raise SnapshotCorrupt(
            f"{pg_restore.version} cannot read {dump_file}: {_first_lines(res.stderr)}",
            hint="the file is damaged, or was written by a newer pg_dump than this pg_restore",
        )
    lines = res.stdout.decode("utf-8", errors="replace").splitlines()
    return [e for e in map(_toc_entry, lines) if e is not None]


def _tables_in(toc: Sequence[TocEntry]) -> tuple[str, ...]:
    return tuple(f"{e.schema}.{e.name}" for e in toc if e.type == "TABLE")


# --- planning -----------------------------------------------------------------------------


def _plan(
    conn: q.Conn,
    url: URL,
    toc: Sequence[TocEntry],
    mode: str,
    tables: Sequence[str],
    drop_also: Sequence[str],
    keep_schemas: Sequence[str],
) -> RestorePlan:
    _check_mode(mode)
    in_dump = _tables_in(toc)
    schemas: list[str] = []
    dropped: list[QualifiedName] = []
    fks: list[q.ForeignKey] = []
    readd: list[q.ForeignKey] = []
    if mode == FULL:
        _check_full_dump(toc, keep_schemas)
        schemas = _db_call(q.user_schemas, conn, keep_schemas)
        public = _db_call(q.public_schema, conn) if "public" in schemas else None
        preamble, postamble = q.full_preamble(schemas, public), q.postamble()
    else:
        restored = [_qualified(t) for t in tables]
        _check_tables_dump(in_dump, tables)
        extra = [n for n in map(_qualified, drop_also) if n not in restored]
        dropped = _db_call(q.existing_tables, conn, restored + extra)
        blockers = _db_call(q.blocking_dependents, conn, dropped)
        if blockers:
            shown = "; ".join(f"{dep} depends on {ref}" for dep, ref in blockers[:10])
            more = f" (and {len(blockers) - 10} more)" if len(blockers) > 10 else ""
            raise SnapshotError(
                f"cannot restore only the tables {', '.join(tables)}: {shown}{more}",
                hint="restore a full snapshot instead, or drop the dependent objects first",
            )
        fks = _db_call(q.referencing_foreign_keys, conn, dropped)
        readd = [fk for fk in fks if fk.references in restored]
        preamble, postamble = q.tables_preamble(fks, dropped), q.postamble(readd)
    return RestorePlan(
        database=redact(url),
        mode=mode,
        drop_schemas=tuple(schemas),
        drop_tables=tuple(f"{s}.{t}" for s, t in dropped),
        restore_tables=in_dump,
        readd_foreign_keys=tuple(fk.qualified for fk in readd),
        drop_foreign_keys=tuple(fk.qualified for fk in fks if fk not in readd),
        preamble=preamble.as_string(conn),
        postamble=postamble.as_string(conn),
    )


def _check_mode(mode: str) -> None:
    if mode not in (FULL, TABLES):
        raise UsageError(f"unknown snapshot mode {mode!r}", hint=f"use {FULL!r} or {TABLES!r}")


def _check_full_dump(toc: Sequence[TocEntry], keep_schemas: Sequence[str]) -> None:
    kept = sorted(
        {e.name for e in toc if e.type == "SCHEMA" and e.name in keep_schemas}
        | {e.schema for e in toc if e.schema is not None and e.schema in keep_schemas}
    )
    if kept:
        raise SnapshotError(
            f"the dump holds schema {', '.join(kept)}, which a restore keeps as it is",
            hint="take full snapshots with pg_dump --exclude-schema for those schemas",
        )


def _check_tables_dump(in_dump: Sequence[str], tables: Sequence[str]) -> None:
    if not tables:
        raise UsageError("a tables-mode restore needs the snapshot's table names")
    missing, extra = sorted(set(tables) - set(in_dump)), sorted(set(in_dump) - set(tables))
    if missing or extra:
        raise SnapshotError(
            f"the dump does not match the snapshot's tables: missing {missing or '-'}, "
            f"unexpected {extra or '-'}",
            hint="is this the snapshot file its catalog entry describes?",
        )


def _qualified(name: str) -> QualifiedName:
    schema, dot, table = name.partition(".")
    if not dot or not schema or not table:
        raise UsageError(f'table name {name!r} is not schema-qualified ("schema.table")')
    return schema, table


# --- executing ----------------------------------------------------------------------------


def _run_in_one_transaction(
    url: URL,
    libpq: LibpqInvocation,
    tools: Mapping[str, PgTool],
    dump_file: Path,
    plan: RestorePlan,
) -> None:
    """Pipe preamble + ``pg_restore -1 -f -`` + postamble into ``psql --single-transaction``.

    psql commits when its input ends, so on every failure path it is killed *before* its
    stdin is closed: the server then sees a dropped connection and rolls back.
    """
    psql = [str(tools["psql"].path), "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1"]
    psql += ["--single-transaction", "-d", libpq.conninfo, "-f", "-"]
    # -1: one BEGIN/COMMIT around the whole script, which _copy_script removes; without it
    # the script COMMITs after the large objects, half-way through psql's transaction.
    script = [str(tools["pg_restore"].path), "--single-transaction", "-f", "-", str(dump_file)]
    with tempfile.TemporaryFile() as psql_err, tempfile.TemporaryFile() as script_err:
        consumer = subprocess.Popen(
            psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=_env(libpq)
        )
        try:
            producer = subprocess.Popen(
                script, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=script_err
            )
        except BaseException:
            consumer.kill()
            consumer.wait()
            raise
        problem: str | None = "interrupted"
        try:
            problem = _feed(consumer, producer, plan)
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
                f"{_first_lines(script_err.read())}"
            )
        if problem not in (None, _PSQL_STOPPED):
            raise SnapshotToolError(f"unexpected pg_restore output ({problem}); {_NOTHING_CHANGED}")
        psql_err.seek(0)
        raise SnapshotError(
            f"restore into {plan.database} failed; {_NOTHING_CHANGED}: "
            f"{scrub(_psql_error(psql_err.read()), url)}"
        )


_PSQL_STOPPED = "psql stopped"
_TAIL = 4096  # more than pg_restore writes after its final COMMIT


def _feed(
    consumer: subprocess.Popen[bytes], producer: subprocess.Popen[bytes], plan: RestorePlan
) -> str | None:
    """None if all of the script reached psql, else why not."""
    assert consumer.stdin is not None and producer.stdout is not None
    try:
        consumer.stdin.write(plan.preamble.encode())
        problem = _copy_script(producer.stdout, consumer.stdin)
        if producer.wait() != 0:
            return "pg_restore failed"
        if problem is not None:
            return problem
        consumer.stdin.write(plan.postamble.encode())
        consumer.stdin.flush()
    except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP)
        return _PSQL_STOPPED
    return None


def _copy_script(src: IO[bytes], dst: IO[bytes]) -> str | None:
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


def _restore_into(
    url: URL,
    name: str,
    dump_file: Path,
    mode: str,
    tables: Sequence[str],
    bin_dir: Path | None,
    started: float,
) -> RestoreResult:
    """Create database *name* like the original and ``pg_restore -1`` the dump into it."""
    with libpq_invocation(url) as libpq, _connect(url, libpq) as conn:
        pg_restore = _tools(conn, bin_dir)["pg_restore"]
        toc = _list(pg_restore, dump_file)
        refused = RestoreRefused(
            f"database {name!r} already exists", hint="choose a new name for the copy, or drop it"
        )
        if _db_call(q.database_exists, conn, name):
            raise refused
        try:
            conn.execute(_db_call(q.create_database_like_current, conn, name))
        except psycopg.errors.DuplicateDatabase as exc:
            raise refused from exc
        except psycopg.Error as exc:
            raise SnapshotError(f"cannot create database {name!r}: {exc}") from exc
    new = url.set(database=name)
    try:
        _restore_copy(new, pg_restore, dump_file, mode, tables)
    except BaseException as exc:
        _drop_copy(url, name, exc)
        raise
    return RestoreResult(
        database=redact(new),
        mode=mode,
        into=name,
        dropped_schemas=(),
        dropped_tables=(),
        restored_tables=_tables_in(toc),
        readded_foreign_keys=(),
        dropped_foreign_keys=(),
        terminated_sessions=(),
        duration=time.monotonic() - started,
    )


def _restore_copy(
    new: URL, pg_restore: PgTool, dump_file: Path, mode: str, tables: Sequence[str]
) -> None:
    with libpq_invocation(new) as libpq:
        schemas = sorted({s for s, _ in map(_qualified, tables)} - {"public"})
        if mode == TABLES and schemas:  # a tables dump does not create its schemas
            with _connect(new, libpq) as conn:
                for s in schemas:
                    _db_call(conn.execute, sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(s)))
        argv = [str(pg_restore.path), "--no-password", "--exit-on-error", "--single-transaction"]
        argv += ["--dbname", libpq.conninfo, str(dump_file)]
        res = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, env=_env(libpq))
    if res.returncode != 0:
        raise SnapshotError(
            f"restore into {redact(new)} failed: {scrub(_first_lines(res.stderr), new)}",
            hint="the new database was dropped again; the original was not touched",
        )


def _drop_copy(url: URL, name: str, cause: BaseException) -> None:
    try:
        with libpq_invocation(url) as libpq, _connect(url, libpq) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    except (psycopg.Error, SnapshotError) as exc:
        raise SnapshotError(
            f"restore into the new database {name!r} failed ({cause}), and it could not be "
            f"dropped again: {exc}",
            hint=f"drop database {name!r} by hand; the original database was not touched",
        ) from cause


def _postgres_url(url: str) -> URL:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(f"cannot restore a pg_dump snapshot into {redact(parsed)}")
    return parsed


# --- the database -------------------------------------------------------------------------


def _connect(url: URL, libpq: LibpqInvocation) -> q.Conn:
    """Our own session, for planning: same conninfo as the tools, password passed in-process."""
    password = url.password or url.query.get("password")
    try:
        conn = psycopg.connect(
            libpq.conninfo,
            password=password if isinstance(password, str) else None,
            application_name=_APP,
            autocommit=True,
        )
    except psycopg.Error as exc:
        raise unavailable(url, exc) from exc
    try:
        q.inspection_session(conn)
    except psycopg.Error as exc:
        conn.close()
        raise SnapshotError(f"cannot prepare a session on {redact(url)}: {exc}") from exc
    return conn


def _tools(conn: q.Conn, bin_dir: Path | None) -> Mapping[str, PgTool]:
    """pg_restore and psql at least as new as the server."""
    version = _db_call(q.server_version_num, conn)
    return require_tools(version, ("pg_restore", "psql"), bin_dir=bin_dir)


def _db_call(fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    try:
        return fn(*args, **kwargs)
    except psycopg.Error as exc:
        raise SnapshotError(f"cannot plan the restore: {exc}") from exc


def _env(libpq: LibpqInvocation) -> dict[str, str]:
    return {**libpq.env, "PGAPPNAME": _APP, "PGCLIENTENCODING": "UTF8"}


# --- reading the tools' output ----------------------------------------------------------------

# Longest first, so "TABLE DATA" wins over "TABLE".
_TOC_TYPES = sorted(
    """ACCESS METHOD|ACL|AGGREGATE|BLOB|BLOB DATA|BLOBS|CAST|CHECK CONSTRAINT|COLLATION|COMMENT|
    CONSTRAINT|CONVERSION|DATABASE|DATABASE PROPERTIES|DEFAULT|DEFAULT ACL|DOMAIN|ENCODING|
    EVENT TRIGGER|EXTENSION|FK CONSTRAINT|FOREIGN DATA WRAPPER|FOREIGN SERVER|FOREIGN TABLE|
    FUNCTION|INDEX|INDEX ATTACH|LARGE OBJECT|LARGE OBJECTS|MATERIALIZED VIEW|
    MATERIALIZED VIEW DATA|OPERATOR|OPERATOR CLASS|OPERATOR FAMILY|POLICY|PROCEDURAL LANGUAGE|
    PROCEDURE|PUBLICATION|PUBLICATION TABLE|PUBLICATION TABLES IN SCHEMA|ROW SECURITY|RULE|
    SCHEMA|SEARCHPATH|SECURITY LABEL|SEQUENCE|SEQUENCE OWNED BY|SEQUENCE SET|SERVER|SHELL TYPE|
    STATISTICS|STATISTICS DATA|STDSTRINGS|SUBSCRIPTION|SUBSCRIPTION TABLE|TABLE|TABLE ATTACH|
    TABLE DATA|TEXT SEARCH CONFIGURATION|TEXT SEARCH DICTIONARY|TEXT SEARCH PARSER|
    TEXT SEARCH TEMPLATE|TRANSFORM|TRIGGER|TYPE|USER MAPPING|VIEW""".replace("\n", "").split("|"),
    key=len,
    reverse=True,
)
_TOC_LINE = re.compile(r"^(\d+); \d+ \d+ (.*)$")


def _toc_entry(line: str) -> TocEntry | None:
    """Parse ``"217; 1259 16498 TABLE public accounts postgres"``; None for comments.

    Fields are separated by single spaces and not quoted, so a schema or owner name with a
    space in it cannot be told apart; the tag (*name*) may contain spaces.
    """
    m = _TOC_LINE.match(line)
    if m is None:
        return None
    rest = m.group(2)
    kind = next((t.strip() for t in _TOC_TYPES if rest.startswith(t.strip() + " ")), None)
    if kind is None:
        kind = rest.split(" ", 1)[0]
    fields = rest[len(kind) + 1 :].split(" ")
    schema = fields[0] if fields[0] not in ("", "-") else None
    name = " ".join(fields[1:-1]) if len(fields) > 2 else (fields[1] if len(fields) > 1 else "")
    owner = fields[-1] if len(fields) > 2 and fields[-1] else None
    return TocEntry(int(m.group(1)), kind, schema, name, owner)


def _psql_error(stderr: bytes) -> str:
    """The ERROR psql stopped at, with its DETAIL/HINT, without the ``psql:<stdin>:N:``."""
    lines = [
        re.sub(r"^psql:[^:]*:\d+: ", "", line)
        for line in stderr.decode("utf-8", errors="replace").splitlines()
    ]
    start = next((i for i, line in enumerate(lines) if "ERROR:" in line or "FATAL:" in line), 0)
    return " ".join(" ".join(lines[start : start + 3]).split())[:1000] or "psql failed"


def _first_lines(stderr: bytes) -> str:
    text = stderr.decode("utf-8", errors="replace")
    return " ".join(" ".join(text.splitlines()[:3]).split())[:1000] or "no message"


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(BrokenPipeError):
            stream.close()
