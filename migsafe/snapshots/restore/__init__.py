"""Restore a PostgreSQL snapshot (a ``pg_dump -Fc`` archive) all or nothing.

In place, one transaction does everything: ``psql --single-transaction -v ON_ERROR_STOP=1``
reads a preamble (the drops), the script ``pg_restore -1 -f -`` writes from the archive (minus
its own BEGIN and COMMIT), and a postamble; any error rolls all of it back and the database is
exactly as before. A guard armed by the preamble and released by the postamble makes any
COMMIT before the end fail (see :mod:`.wrap`), so a half-done restore cannot be committed.

* ``full``: every user schema is dropped (CASCADE) except *keep_schemas*, where migsafe's
  own history, the flags and their audit, and the archive live and must outlive the restore
  (see :mod:`~migsafe.snapshots.kept`), and all large objects are unlinked; then the dump
  re-creates everything. Triggers of restored tables that call a kept function (the flags
  notify trigger on the version table) are re-created as they are now. ``public`` is
  re-created first as it is now (owner, ACL, comment), because pg_dump 15+ assumes it
  exists. Objects outside any schema (roles, publications, event triggers whose function
  survives) are left alone; if the dump re-creates one that exists, the restore fails and
  changes nothing.
* ``tables``: only the snapshot's tables (and *drop_also*, the tables created since) are
  dropped and restored. Other tables' foreign keys into them are dropped and re-added (and
  validated, but for migsafe's own tables': ``NOT VALID``) around the restore. Anything
  else depending on them (a view, a function over their row type, a partition...) makes
  the plan refuse before anything changes: a full snapshot is needed then.
* ``into``: a new database is created and the whole dump restored there; the original is
  not touched. On failure the new database is dropped again. The dump's *kept_triggers*
  (whose function is in a schema snapshots leave out) are left out of the copy.

In-place restores refuse while other client sessions are connected to the database, except
ours and *exclude_pids* (the caller's own connections). With ``force`` they are terminated
first with ``pg_terminate_backend``: their open transactions roll back and their clients get
"terminating connection due to administrator command". A session that connects after that
can still make the restore wait for a lock (up to ``wrap.LOCK_TIMEOUT``, then it
fails and changes nothing).

The tools come from :mod:`~migsafe.snapshots.pgtools`: at least as new as the server, and the
password in their own environment, never on argv; they die with migsafe.

This module is the API and the ``into`` path; the parts of an in-place restore live in
:mod:`~migsafe.snapshots.toc` (the archive's contents), :mod:`~migsafe.snapshots.restore.plan`
(what to drop and restore, with :mod:`~migsafe.snapshots.restore.catalog` and
:mod:`~migsafe.snapshots.restore.wrap`) and :mod:`~migsafe.snapshots.restore.pipe` (running it).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from migsafe.db.connection import parse_url, redact
from migsafe.db.dberrors import privilege_error
from migsafe.errors import RestoreRefused, SnapshotError, UsageError
from migsafe.snapshots.kept import DEFAULT_KEPT_SCHEMAS
from migsafe.snapshots.model import KeptTrigger, SnapshotMode
from migsafe.snapshots.pgtools import PgTool, libpq_invocation, scrub
from migsafe.snapshots.restore import catalog as q
from migsafe.snapshots.restore.catalog import OtherSession
from migsafe.snapshots.restore.connection import client_tools, connect, db_call, tool_env
from migsafe.snapshots.restore.pipe import copy_script as _copy_script
from migsafe.snapshots.restore.pipe import run_in_one_transaction
from migsafe.snapshots.restore.plan import RestorePlan, check_mode, make_plan, qualified
from migsafe.snapshots.toc import TocEntry, list_dump, read_toc, tables_in, use_list
from migsafe.snapshots.tool_output import first_lines
from migsafe.snapshots.tool_process import run

__all__ = [
    "OtherSession",
    "RestorePlan",
    "RestoreResult",
    "TocEntry",
    "list_dump",
    "plan_restore",
    "restore",
]


@dataclass(frozen=True)
class RestoreResult:
    """What a restore dropped and restored, where, and how long it took."""

    database: str  # redacted URL of the database restored into
    mode: SnapshotMode
    into: str | None  # the database created, when not restored in place
    dropped_schemas: tuple[str, ...]
    dropped_tables: tuple[str, ...]
    restored_tables: tuple[str, ...]
    readded_foreign_keys: tuple[str, ...]
    dropped_foreign_keys: tuple[str, ...]
    terminated_sessions: tuple[OtherSession, ...]
    duration: float  # seconds
    kept_schemas: tuple[str, ...] = ()  # left as they are (in place), or not in the copy
    recreated_triggers: tuple[str, ...] = ()  # "schema.table.trigger", kept as they were
    dropped_triggers: tuple[str, ...] = ()  # of kept tables, whose function the dump lacks


def restore(
    url: str,
    dump_file: Path,
    *,
    mode: SnapshotMode,
    tables: Sequence[str],
    drop_also: Sequence[str] = (),
    into: str | None = None,
    force: bool = False,
    keep_schemas: Sequence[str] = DEFAULT_KEPT_SCHEMAS,
    kept_triggers: Sequence[KeptTrigger] = (),
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
    dropped by a ``tables`` restore. *keep_schemas* are never touched in place;
    *kept_triggers* (recorded at dump time) are left out of a restore *into* a new database.
    Refusals and failures leave the database unchanged.
    """
    started = time.monotonic()
    parsed = _postgres_url(url)
    if into is not None:
        check_mode(mode)
        return _restore_into(parsed, into, dump_file, mode, tables, kept_triggers, bin_dir, started)
    with libpq_invocation(parsed) as libpq:
        with connect(parsed, libpq) as conn:
            tools = client_tools(conn, bin_dir)
            toc = read_toc(tools["pg_restore"], dump_file)
            plan = make_plan(conn, parsed, toc, mode, tables, drop_also, keep_schemas)
            sessions = [] if wait_for_others else db_call(q.other_sessions, conn, exclude_pids)
            if sessions and not force:
                shown = "; ".join(s.describe() for s in sessions)
                raise RestoreRefused(
                    f"{len(sessions)} other session(s) connected to {plan.database}: {shown}",
                    hint="close them, or restore with force to terminate them",
                )
            db_call(q.terminate, conn, sessions)
        # _copy_script is looked up here, when called: tests replace it on this module.
        run_in_one_transaction(parsed, libpq, tools, dump_file, plan, copy=_copy_script)
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
        kept_schemas=plan.kept_schemas,
        recreated_triggers=plan.recreated_triggers,
        dropped_triggers=plan.dropped_triggers,
    )


def plan_restore(
    url: str,
    dump_file: Path,
    *,
    mode: SnapshotMode,
    tables: Sequence[str],
    drop_also: Sequence[str] = (),
    keep_schemas: Sequence[str] = DEFAULT_KEPT_SCHEMAS,
    bin_dir: Path | None = None,
) -> RestorePlan:
    """What :func:`restore` would do in place, changing nothing (for ``--dry-run``)."""
    parsed = _postgres_url(url)
    with libpq_invocation(parsed) as libpq, connect(parsed, libpq) as conn:
        toc = read_toc(client_tools(conn, bin_dir)["pg_restore"], dump_file)
        return make_plan(conn, parsed, toc, mode, tables, drop_also, keep_schemas)


def _restore_into(
    url: URL,
    name: str,
    dump_file: Path,
    mode: SnapshotMode,
    tables: Sequence[str],
    kept_triggers: Sequence[KeptTrigger],
    bin_dir: Path | None,
    started: float,
) -> RestoreResult:
    """Create database *name* like the original and ``pg_restore -1`` the dump into it."""
    with libpq_invocation(url) as libpq, connect(url, libpq) as conn:
        pg_restore = client_tools(conn, bin_dir)["pg_restore"]
        toc = read_toc(pg_restore, dump_file)
        refused = RestoreRefused(
            f"database {name!r} already exists", hint="choose a new name for the copy, or drop it"
        )
        if db_call(q.database_exists, conn, name):
            raise refused
        try:
            conn.execute(db_call(q.create_database_like_current, conn, name))
        except psycopg.errors.DuplicateDatabase as exc:
            raise refused from exc
        except psycopg.Error as exc:
            denied = privilege_error(exc, conn.info.user)
            if denied is not None:  # no CREATEDB: say so, with the fix
                denied.message = f"cannot create database {name!r}: {denied.message}"
                raise denied from exc
            reason = " ".join(str(exc).splitlines()[0].split()) if str(exc) else type(exc).__name__
            raise SnapshotError(f"cannot create database {name!r}: {reason}") from exc
    new = url.set(database=name)
    try:
        listing = use_list(toc, kept_triggers) if kept_triggers else None
        _restore_copy(new, pg_restore, dump_file, mode, tables, listing)
    except BaseException as exc:
        _drop_copy(url, name, exc)
        raise
    return RestoreResult(
        database=redact(new),
        mode=mode,
        into=name,
        dropped_schemas=(),
        dropped_tables=(),
        restored_tables=tables_in(toc),
        readded_foreign_keys=(),
        dropped_foreign_keys=(),
        terminated_sessions=(),
        duration=time.monotonic() - started,
        dropped_triggers=tuple(f"{t.schema}.{t.table}.{t.name}" for t in kept_triggers),
    )


def _restore_copy(
    new: URL,
    pg_restore: PgTool,
    dump_file: Path,
    mode: SnapshotMode,
    tables: Sequence[str],
    listing: str | None,
) -> None:
    # The list reaches pg_restore on its stdin from a file without a name: nothing is left
    # in the temp directory if migsafe is killed.
    with libpq_invocation(new) as libpq, tempfile.TemporaryFile() as listed:
        schemas = sorted({s for s, _ in map(qualified, tables)} - {"public"})
        if mode == SnapshotMode.TABLES and schemas:  # a tables dump does not create its schemas
            with connect(new, libpq) as conn:
                for s in schemas:
                    db_call(conn.execute, sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(s)))
        argv = [str(pg_restore.path), "--no-password", "--exit-on-error", "--single-transaction"]
        if listing is not None:  # minus the triggers whose function the copy cannot have
            listed.write(listing.encode("utf-8"))
            listed.seek(0)
            argv.append("--use-list=/dev/stdin")
        argv += ["--dbname", libpq.conninfo, str(dump_file)]
        res = run(argv, env=tool_env(libpq), stdin=listed)
    if res.returncode != 0:
        raise SnapshotError(
            f"restore into {redact(new)} failed: {scrub(first_lines(res.stderr), new)}",
            hint="the new database was dropped again; the original was not touched",
        )


def _drop_copy(url: URL, name: str, cause: BaseException) -> None:
    try:
        with libpq_invocation(url) as libpq, connect(url, libpq) as conn:
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
