"""Proving a snapshot can be restored, before a migration relies on it.

A quick verify reads the file back (checksum, archive table of contents, expected tables);
``restore=True`` goes all the way: restores it into a scratch database on the same server and
compares the schema fingerprint, row counts and table checksums with what was recorded when
the snapshot was taken. The result is recorded in the catalog as the snapshot's status.

Problems with the snapshot give a FAILED status; problems around it (no pg_restore, server
unreachable) raise instead, and leave the status as it was: they say nothing about the file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from migsafe.db.connection import connect, create_engine, parse_url
from migsafe.db.fingerprint import DEFAULT_EXCLUDE_SCHEMAS
from migsafe.db.scratch import create_scratch, drop_scratch
from migsafe.errors import SnapshotError
from migsafe.snapshots.checks import Check, compare_data, file_checks, n_tables
from migsafe.snapshots.model import Snapshot, SnapshotMode, SnapshotStatus
from migsafe.snapshots.model import SnapshotStore as Store
from migsafe.snapshots.pgdump import recorded_fingerprint
from migsafe.snapshots.pgtools import (
    PgTool,
    libpq_invocation,
    parse_version,
    require_tools,
    scrub,
    shown,
)
from migsafe.snapshots.results import VerifyOutcome
from migsafe.snapshots.sqlite import sqlite_checks
from migsafe.snapshots.toc import is_one_of, parse_line
from migsafe.snapshots.tool_process import run, tool_environ

__all__ = ["Check", "VerifyOutcome", "verify"]

# In a tables snapshot these point outside it (other tables, trigger functions): a scratch
# database cannot hold them, and the recorded schema hash leaves them out too. A TOC line
# reads "<dump id>; <catalog oid> <oid> <kind> <schema> <name> <owner>".
_SKIPPED_IN_TABLES_MODE = re.compile(r"^\d+; \d+ \d+ (FK CONSTRAINT|TRIGGER) ")


def verify(
    store: Store,
    snapshot: Snapshot,
    *,
    restore: bool = False,
    admin_url: str | None = None,
    bin_dir: Path | None = None,
) -> VerifyOutcome:
    """Check the snapshot (and with *restore*, restore it into a scratch database).

    *admin_url* names a database on the snapshot's server as a user who may create databases;
    by default the recorded URL's user on database ``postgres`` (password from ~/.pgpass).
    """
    path = store.local_path(snapshot)
    if snapshot.backend == "sqlite":
        checks = sqlite_checks(path, snapshot, restore=restore)
    else:
        checks = file_checks(path, snapshot)
        if all(c.ok for c in checks):
            checks += _archive_checks(path, snapshot, bin_dir)
        if restore and all(c.ok for c in checks):
            checks += _restore_checks(path, snapshot, admin_url, bin_dir)
    return _record(store, snapshot, checks, restore)


def _record(store: Store, snapshot: Snapshot, checks: list[Check], restore: bool) -> VerifyOutcome:
    failed = [c for c in checks if not c.ok]
    found = "; ".join(f"{c.name}: {c.detail}" for c in checks)
    if failed:
        status, detail = SnapshotStatus.FAILED, f"{failed[0].name}: {failed[0].detail}"
    elif restore:
        status, detail = SnapshotStatus.RESTORE_VERIFIED, found
    elif snapshot.status == SnapshotStatus.RESTORE_VERIFIED:  # the file is unchanged: still so
        status, detail = SnapshotStatus.RESTORE_VERIFIED, f"restore-verified before; {found}"
    else:
        status, detail = SnapshotStatus.VERIFIED, found
    updated = snapshot.with_status(status, detail)
    store.update(updated)
    return VerifyOutcome(ok=not failed, snapshot=updated, checks=tuple(checks))


# -- pg_dump archives -----------------------------------------------------------------------


def _pg_restore(snapshot: Snapshot, bin_dir: Path | None) -> PgTool:
    """A pg_restore at least as new as the pg_dump that wrote the archive, and the server."""
    needed = max(
        parse_version(snapshot.tool_version or ""), parse_version(snapshot.server_version or "")
    )
    return require_tools(needed, ("pg_restore",), bin_dir=bin_dir)["pg_restore"]


def _toc(tool: PgTool, path: Path) -> tuple[list[str] | None, str]:
    """The archive's table of contents (``pg_restore --list``), or None and the error."""
    res = run([str(tool.path), "--list", str(path)], env=tool_environ(connects=False), timeout=600)
    if res.returncode != 0:
        return None, res.stderr.decode(errors="replace").strip()[-1000:] or f"exit {res.returncode}"
    lines = res.stdout.decode(errors="replace").splitlines()
    return [line for line in lines if line and not line.startswith(";")], ""


def _archive_checks(path: Path, snapshot: Snapshot, bin_dir: Path | None) -> list[Check]:
    toc, error = _toc(_pg_restore(snapshot, bin_dir), path)
    if toc is None:
        return [Check("archive", False, f"pg_restore --list cannot read it: {error}")]
    checks = [Check("archive", True, f"{len(toc)} entries")]
    entries = [f"{line} " for line in toc]
    missing = [
        f"{kind} {table}"
        for table in snapshot.tables
        for kind in ("TABLE", "TABLE DATA")
        if (kind == "TABLE" or table in snapshot.row_counts)
        and not any(
            f" {kind} {schema} {name} " in e for schema, name in _splits(table) for e in entries
        )
    ]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        checks.append(Check("tables", False, f"missing from the archive: {shown}"))
    else:
        checks.append(Check("tables", True, f"{n_tables(len(snapshot.tables))} present"))
    return checks


def _splits(table: str) -> Iterator[tuple[str, str]]:
    """Every (schema, name) a ``"schema.name"`` could stand for: either may contain dots."""
    for i, char in enumerate(table):
        if char == ".":
            yield table[:i], table[i + 1 :]


def _restore_checks(
    path: Path, snapshot: Snapshot, admin_url: str | None, bin_dir: Path | None
) -> list[Check]:
    tool = _pg_restore(snapshot, bin_dir)
    admin = parse_url(admin_url) if admin_url else _default_admin(snapshot)
    try:
        with _scratch_database(admin, snapshot) as (scratch, superuser):
            if snapshot.mode == SnapshotMode.TABLES:
                _create_schemas(scratch, snapshot.tables)
            error = _restore_into(tool, path, scratch, snapshot, superuser)
            if error is not None:
                return [Check("restore", False, error)]
            restored = Check("restore", True, f"restored into scratch database {scratch.database}")
            engine = create_engine(scratch, application_name="migsafe verify")
            try:
                with connect(engine) as conn, conn.begin():
                    found = recorded_fingerprint(
                        conn,
                        tables=snapshot.tables if snapshot.mode == SnapshotMode.TABLES else None,
                        # What the dump left out; older entries: what they were compared with.
                        exclude_schemas=snapshot.kept_schemas or DEFAULT_EXCLUDE_SCHEMAS,
                        leave_out=snapshot.kept_triggers,
                    )
            finally:
                engine.dispose()
    except (psycopg.Error, sa.exc.DBAPIError) as exc:
        # Trouble with the server, not with the snapshot: raise, leave its status alone.
        reason = scrub(" ".join(str(getattr(exc, "orig", exc)).split()), admin)
        raise SnapshotError(f"restore verification on {shown(admin)} failed: {reason}") from exc
    checks = [restored]
    if snapshot.schema_fingerprint is None:
        checks.append(Check("schema", True, "skipped: no schema fingerprint was recorded"))
    elif not superuser:
        checks.append(
            Check("schema", True, "skipped: as a non-superuser, owners and grants are not restored")
        )
    elif found.schema != snapshot.schema_fingerprint:
        checks.append(Check("schema", False, "the restored schema differs from the recorded one"))
    else:
        checks.append(Check("schema", True, "matches"))
    return checks + compare_data(snapshot, found)


def _default_admin(snapshot: Snapshot) -> URL:
    # The recorded URL is redacted: its "***" is not the password, libpq must find it.
    # (URL.set() cannot clear a field, so the URL is rebuilt without one.)
    recorded = make_url(snapshot.database)
    return URL.create(
        recorded.drivername,
        username=recorded.username,
        host=recorded.host,
        port=recorded.port,
        database="postgres",
        query=recorded.query,
    )


@contextmanager
def _scratch_database(admin: URL, snapshot: Snapshot) -> Iterator[tuple[URL, bool]]:
    """A new empty database (from template0) on the admin URL's server; always dropped (after
    a crash, by the next scratch database made: migsafe.db.scratch)."""
    short = "".join(ch for ch in snapshot.id.lower() if ch.isalnum())[:16]
    prefix = f"migsafe_verify_{short}"
    engine = create_engine(admin, application_name="migsafe verify").execution_options(
        isolation_level="AUTOCOMMIT"
    )
    try:
        with connect(engine) as conn:
            raw = _driver(conn)
            row = raw.execute(
                "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user"
            )
            superuser = bool((row.fetchone() or (False,))[0])
            try:
                name = create_scratch(raw, prefix)
            except psycopg.Error as exc:
                reason = scrub(str(exc), admin)
                raise SnapshotError(
                    f"cannot create a scratch database on {shown(admin)}: {reason}",
                    hint="restore verification needs a user allowed to CREATE DATABASE",
                ) from exc
            try:
                yield admin.set(database=name), superuser
            finally:
                drop_scratch(raw, name)
    finally:
        engine.dispose()


def _driver(conn: sa.Connection) -> psycopg.Connection[tuple[object, ...]]:
    raw = conn.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise SnapshotError("restore verification needs the psycopg driver")
    return raw


def _create_schemas(scratch: URL, tables: Sequence[str]) -> None:
    """A tables archive does not create the schemas its tables live in."""
    schemas = sorted({t.split(".", 1)[0] for t in tables})
    engine = create_engine(scratch).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with connect(engine) as conn:
            raw = _driver(conn)
            for schema in schemas:
                raw.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                )
    finally:
        engine.dispose()


def _restore_into(
    tool: PgTool, path: Path, scratch: URL, snapshot: Snapshot, superuser: bool
) -> str | None:
    """Run pg_restore into the scratch database; its error text, or None on success."""
    # The list of a tables snapshot reaches pg_restore as its stdin, from a file that has no
    # name: nothing is left in the temp directory if migsafe is killed.
    with tempfile.TemporaryFile() as listing, libpq_invocation(scratch) as libpq:
        argv = [str(tool.path), "--exit-on-error", "--no-password"]
        if not superuser:
            argv += ["--no-owner", "--no-privileges"]
        if snapshot.mode == SnapshotMode.TABLES or snapshot.kept_triggers:
            toc, error = _toc(tool, path)
            if toc is None:
                return error
            # Triggers whose function is in a schema snapshots leave out cannot be restored
            # into a scratch database (nor were they fingerprinted).
            keep = [e for e in toc if not is_one_of(parse_line(e), snapshot.kept_triggers)]
            if snapshot.mode == SnapshotMode.TABLES:
                keep = [e for e in keep if not _SKIPPED_IN_TABLES_MODE.match(e)]
            listing.write(("\n".join(keep) + "\n").encode("utf-8"))
            listing.seek(0)
            argv.append("--use-list=/dev/stdin")
        argv += [f"--dbname={libpq.conninfo}", str(path)]
        res = run(argv, env=libpq.env, stdin=listing)
    if res.returncode != 0:
        stderr = res.stderr.decode(errors="replace").strip()
        return "pg_restore failed: " + scrub(stderr, scratch)[-1500:]
    return None
