"""PostgreSQL snapshots: ``pg_dump -Fc`` of the database, or of some tables, into a store.

What the catalog records (schema fingerprint, per-table checksums and row counts) must describe
exactly the rows pg_dump wrote, or ``verify --restore`` would compare against a different
instant. So migsafe opens a ``REPEATABLE READ`` transaction, exports its snapshot, hands it to
pg_dump (``--snapshot``) and computes the fingerprints in that same transaction while pg_dump
runs: both read the database as of one moment, whatever writers do meanwhile.

migsafe's own schemas (history, flags, archive: *exclude_schemas*, see
:mod:`~migsafe.snapshots.kept`) are never in a snapshot. A trigger on a dumped table whose
function lives in one of them (the flags notify trigger on the version table) is dumped with
its table, since pg_dump cannot leave it out; the entry names it (``kept_triggers``) so that
a restore can tell it from the data, and the fingerprints leave it out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import signal
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection

from migsafe.db.connection import connect, create_engine, parse_url
from migsafe.db.fingerprint import (
    Fingerprint,
    data_fingerprint,
    description_hash,
    schema_description,
)
from migsafe.errors import SnapshotError, SnapshotStoreError, UsageError
from migsafe.snapshots.identity import read_postgres
from migsafe.snapshots.kept import DEFAULT_KEPT_SCHEMAS
from migsafe.snapshots.model import KeptTrigger, Snapshot, SnapshotMode, SnapshotStore
from migsafe.snapshots.pgtools import (
    libpq_invocation,
    require_tools,
    run_writing,
    scrub,
    shown,
)

__all__ = ["dump", "recorded_fingerprint", "sha256_file"]

Progress = Callable[[int], None]

# pg_dump's words for a full disk or an unwritable output file: the store's fault, exit 3.
_STORE_FAILURES = (
    "No space left on device",
    "Disk quota exceeded",
    "File too large",
    "Read-only file system",
    "Permission denied",
)

_NO_TIMEOUTS = (
    "SELECT pg_catalog.set_config('statement_timeout', '0', true), "
    "pg_catalog.set_config('idle_in_transaction_session_timeout', '0', true)"
)

# User relations with, for a sequence, the table that owns it (serial or identity column).
_RELATIONS = text(
    """SELECT n.nspname, c.relname, c.relkind::text,
        (SELECT tn.nspname || '.' || t.relname
         FROM pg_catalog.pg_depend d
         JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
         WHERE c.relkind = 'S' AND d.objid = c.oid AND d.deptype IN ('a', 'i')
           AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
         LIMIT 1)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                      WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND e.objid = c.oid AND e.deptype = 'e')"""
)

# A requested name, resolved like SQL would (quoting, search_path), with leaf partitions.
_RESOLVE = text(
    """SELECT n.nspname, c.relname, c.relkind::text
    FROM pg_catalog.pg_partition_tree(pg_catalog.to_regclass(:name)) p
    JOIN pg_catalog.pg_class c ON c.oid = p.relid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    UNION ALL
    SELECT n.nspname, c.relname, c.relkind::text
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = pg_catalog.to_regclass(:name) AND c.relkind <> 'p'"""
)

# Triggers on tables outside the excluded schemas that call a function inside one of them.
_KEPT_TRIGGERS = text(
    """SELECT n.nspname, c.relname, g.tgname
    FROM pg_catalog.pg_trigger g
    JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    WHERE NOT g.tgisinternal
      AND pn.nspname = ANY(CAST(:excluded AS text[]))
      AND n.nspname <> ALL(CAST(:excluded AS text[]))
    ORDER BY 1, 2, 3"""
)


def dump(
    url: str,
    store: SnapshotStore,
    *,
    tables: Sequence[str] | None = None,
    snapshot_id: str,
    run_id: str | None = None,
    revisions: Sequence[str] = (),
    compression: int = 1,
    exclude_schemas: Collection[str] = DEFAULT_KEPT_SCHEMAS,
    progress: Progress | None = None,
    bin_dir: Path | None = None,
) -> Snapshot:
    """Dump the database (or *tables*, with their owned sequences) and register the snapshot.

    *exclude_schemas* (migsafe's own) are never dumped; a table in one of them is refused.
    On any failure the partial file is removed and nothing is registered; the database is
    only read. *progress* gets the dump file's size from a helper thread; raising in it
    stops pg_dump. *bin_dir* pins where pg_dump is taken from (else PATH and friends).
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(f"pg_dump snapshots need a PostgreSQL database, not {shown(parsed)}")
    if not 0 <= compression <= 9:
        raise UsageError(f"compression must be 0 to 9, got {compression}")
    if tables is not None and not tables:
        raise UsageError("a tables snapshot needs at least one table")
    engine = create_engine(parsed, application_name="migsafe snapshot")
    temp: Path | None = None
    try:
        with connect(engine) as conn:
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with conn.begin():
                snapshot, temp = _dump_in_snapshot(
                    conn,
                    parsed,
                    store,
                    tables=tables,
                    snapshot_id=snapshot_id,
                    run_id=run_id,
                    revisions=tuple(revisions),
                    compression=compression,
                    exclude_schemas=tuple(exclude_schemas),
                    progress=progress,
                    bin_dir=bin_dir,
                )
        # Registered only once the transaction has ended well, never before.
        return store.commit(snapshot, temp)
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(SnapshotError):  # the first error is the one to report
                store.discard(temp)
        if isinstance(exc, sa.exc.DBAPIError):
            detail = scrub(" ".join(str(exc.orig).split()), parsed)
            raise SnapshotError(f"snapshot of {shown(parsed)} failed: {detail[:500]}") from exc
        raise
    finally:
        engine.dispose()


def _dump_in_snapshot(
    conn: Connection,
    url: URL,
    store: SnapshotStore,
    *,
    tables: Sequence[str] | None,
    snapshot_id: str,
    run_id: str | None,
    revisions: tuple[str, ...],
    compression: int,
    exclude_schemas: tuple[str, ...],
    progress: Progress | None,
    bin_dir: Path | None,
) -> tuple[Snapshot, Path]:
    """Run pg_dump on this transaction's snapshot; the entry and its unregistered file."""
    # pg_dump lifts these limits for itself; this session waits on pg_dump, idle in its
    # transaction, and the snapshot pg_dump reads lives only as long as that transaction.
    conn.execute(text(_NO_TIMEOUTS))
    exported = conn.execute(text("SELECT pg_catalog.pg_export_snapshot()")).scalar_one()
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    version_num, server_version = conn.execute(
        text(
            "SELECT pg_catalog.current_setting('server_version_num')::int, "
            "pg_catalog.current_setting('server_version')"
        )
    ).one()
    pg_dump = require_tools(version_num, ("pg_dump",), bin_dir=bin_dir)["pg_dump"]
    system, database, database_oid = read_postgres(conn)
    relations = _relations(conn)
    if tables is None:
        selection = [f"--exclude-schema={_pattern(s)}" for s in exclude_schemas]
        held = sorted(
            (s, n) for s, n, kind, _ in relations if kind in ("r", "p") and s not in exclude_schemas
        )
    else:
        held = _resolve_tables(conn, tables, exclude_schemas)
        keys = {_key(t) for t in held}
        sequences = sorted((s, n) for s, n, kind, owner in relations if owner in keys)
        # pg_dump >= 10 adds owned sequences itself; naming them keeps that explicit.
        selection = [f"--table={_pattern(*t)}" for t in (*held, *sequences)]
    held_keys = [_key(t) for t in held]
    kept_triggers = _kept_triggers(conn, held, exclude_schemas)

    temp = store.temp_path(snapshot_id)
    try:
        with libpq_invocation(url) as libpq:
            argv = [
                str(pg_dump.path),
                "--format=custom",
                f"--compress={compression}",
                "--no-password",
                # The store fsyncs the file once, on commit (the option is PostgreSQL 10+).
                *(["--no-sync"] if pg_dump.version_num >= 100000 else []),
                f"--snapshot={exported}",
                f"--file={temp}",
                *selection,
                f"--dbname={libpq.conninfo}",
            ]
            finished, recorded = run_writing(
                argv,
                libpq.env,
                temp,
                progress,
                lambda: recorded_fingerprint(
                    conn,
                    tables=None if tables is None else held_keys,
                    exclude_schemas=exclude_schemas,
                    leave_out=kept_triggers,
                ),
            )
        if finished.returncode != 0:
            raise _failure(finished.returncode, finished.stderr, temp, url)
        size, digest = temp.stat().st_size, sha256_file(temp)
        snapshot = Snapshot(
            id=snapshot_id,
            database=shown(url),
            backend="postgresql",
            mode=SnapshotMode.FULL if tables is None else SnapshotMode.TABLES,
            tables=tuple(held_keys),
            revisions=revisions,
            created_at=created_at,
            file=temp.name,
            size=size,
            sha256=digest,
            server_version=server_version,
            tool_version=pg_dump.version,
            compression=compression,
            run_id=run_id,
            schema_fingerprint=recorded.schema,
            table_checksums=dict(recorded.tables),
            row_counts=dict(recorded.row_counts),
            kept_schemas=exclude_schemas,
            kept_triggers=kept_triggers,
            source_system=system,
            source_database=database,
            source_database_oid=database_oid,
        )
        return snapshot, temp
    except BaseException:
        store.discard(temp)
        raise


def recorded_fingerprint(
    conn: Connection,
    *,
    tables: Collection[str] | None,
    exclude_schemas: Collection[str] = DEFAULT_KEPT_SCHEMAS,
    leave_out: Sequence[KeptTrigger] = (),
) -> Fingerprint:
    """What a snapshot records, and what ``verify --restore`` recomputes on its restored copy.

    A full snapshot records the whole database's fingerprint but for *leave_out*, triggers
    whose function the dump does not hold (a copy restored elsewhere cannot have them). A
    tables snapshot records only its tables and their owned sequences; their foreign keys
    and triggers are left out of the schema hash, since they point at objects (tables,
    functions) the snapshot does not hold.
    """
    if tables is None:
        desc = schema_description(conn, exclude_schemas=exclude_schemas)
        for t in leave_out:
            desc.get("relations", {}).get(f"{t.schema}.{t.table}", {}).get("triggers", {}).pop(
                t.name, None
            )
        hashes, counts = data_fingerprint(conn, exclude_schemas=exclude_schemas)
        return Fingerprint(schema=description_hash(desc), tables=hashes, row_counts=counts)
    keep = set(tables)
    others = [
        key
        for schema, name, _kind, owner in _relations(conn)
        if (key := f"{schema}.{name}") not in keep and owner not in keep
    ]
    desc = schema_description(conn, exclude_schemas=(), exclude_tables=others)
    relations = {}
    for key, rel in desc.get("relations", {}).items():
        if key in keep:
            constraints = {n: c for n, c in rel["constraints"].items() if c["type"] != "f"}
            relations[key] = {**rel, "constraints": constraints, "triggers": {}}
    scoped = {"relations": relations, "sequences": desc.get("sequences", {})}
    blob = json.dumps(["tables/1", scoped], sort_keys=True, separators=(",", ":"), default=str)
    hashes, counts = data_fingerprint(conn, exclude_schemas=(), exclude_tables=others)
    return Fingerprint(
        schema=hashlib.sha256(blob.encode("utf-8")).hexdigest(),
        tables={k: v for k, v in hashes.items() if k in keep},
        row_counts={k: v for k, v in counts.items() if k in keep},
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- pg_dump's failures ---------------------------------------------------------------------


def _failure(returncode: int, stderr: str, out: Path, url: URL) -> SnapshotError:
    detail = scrub(stderr.strip(), url)[-2000:] or "(no message)"
    if returncode == -signal.SIGXFSZ:
        return SnapshotStoreError(
            f"snapshot directory {out.parent} is not writable: file size limit exceeded",
            hint="raise the file size limit (ulimit -f) or the snapshot cannot be written",
        )
    if returncode < 0:
        name = signal.Signals(-returncode).name
        said = f": {detail}" if stderr.strip() else ""
        return SnapshotError(f"pg_dump was killed by {name}; no snapshot was registered{said}")
    if any(words in detail for words in _STORE_FAILURES) and "output file" in detail:
        return SnapshotStoreError(
            f"snapshot directory {out.parent} is not writable: {detail}",
            hint="free some space, prune old snapshots, or point the snapshot directory elsewhere",
        )
    return SnapshotError(f"pg_dump failed (exit {returncode}): {detail}")


# -- choosing what to dump --------------------------------------------------------------------


def _relations(conn: Connection) -> list[tuple[str, str, str, str | None]]:
    """(schema, name, relkind, ``"schema.table"`` owning a sequence) of each user relation."""
    return [(s, n, kind, owner) for s, n, kind, owner in conn.execute(_RELATIONS)]


def _resolve_tables(
    conn: Connection, names: Sequence[str], excluded: Collection[str]
) -> list[tuple[str, str]]:
    """(schema, table) of each requested table (a partitioned one brings its partitions)."""
    held: set[tuple[str, str]] = set()
    for name in names:
        rows = conn.execute(_RESOLVE, {"name": name}).all()
        if not rows:
            raise UsageError(
                f"table {name!r} does not exist", hint="name it as schema.table, e.g. public.users"
            )
        for schema, rel, kind in rows:
            if kind not in ("r", "p"):
                raise UsageError(f"{name!r} is not a table; only tables can be snapshotted")
            if schema in excluded:
                raise UsageError(
                    f"table {name!r} is in schema {schema}, migsafe's own: snapshots leave it "
                    "out and a restore never touches it",
                    hint="flags, their audit and migsafe's history outlive every restore",
                )
            held.add((schema, rel))
    return sorted(held)


def _kept_triggers(
    conn: Connection, held: Sequence[tuple[str, str]], excluded: Collection[str]
) -> tuple[KeptTrigger, ...]:
    """Triggers on the dumped tables whose function lives in an excluded schema."""
    dumped = set(held)
    rows = conn.execute(_KEPT_TRIGGERS, {"excluded": list(excluded)}).all()
    return tuple(KeptTrigger(s, t, g) for s, t, g in rows if (s, t) in dumped)


def _key(table: tuple[str, str]) -> str:
    return f"{table[0]}.{table[1]}"


def _pattern(*parts: str) -> str:
    """A pg_dump name pattern matching exactly these names: each part double-quoted."""
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)
