"""One function per `migsafe flags` command. The CLI parses options, calls one, renders the result.

Flags live in the application's PostgreSQL database, in `settings.flags_schema`, through
`flags.backends.postgres.PostgresStore`: every change is one transaction that writes the
definition, its audit row (who, when, old, new, why) and the notification running clients
follow. Nothing here prints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import migsafe.flags_alembic as alembic
from migsafe.errors import DatabaseUnavailableError, FlagError, FlagNotFoundError
from migsafe.flags_results import (
    AuditRecord,
    FlagChange,
    FlagDetail,
    FlagHistory,
    FlagList,
    FlagSummary,
    ImportResult,
    InitResult,
    describe_change,
)
from migsafe.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from flags.backends.base import AuditEntry, FeatureUpdate
    from flags.backends.postgres import PostgresStore
    from migsafe.flags_effective import Effective

# `flags` (psycopg, the evaluation engine) is imported inside the functions, as the engine is
# in `migsafe.api`: the other commands must not pay for it at start-up.

FLAG_TYPES = ("release", "experiment", "operational", "kill-switch", "permission")
"""Unleash's feature types; the type is a label for people, evaluation ignores it."""

_NEW_NAME = re.compile(r"[A-Za-z0-9_.~-]{1,100}")  # URL-safe, as Unleash's admin API requires
# Names that exist elsewhere (an import, an Unleash server's export) may be any UTF-8, as in the
# client specification's own cases: only blanks and control characters are refused.
_NAME = re.compile(r"[^\s\x00-\x1f\x7f]{1,100}")


@dataclass(frozen=True)
class _Target:
    store: PostgresStore
    url: URL
    database: str  # redacted
    password: str | None


def os_user() -> str:
    """Who runs this process, from the OS account (not from the environment)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _target(settings: Settings) -> _Target:
    """The flag store of the configured database, which must be PostgreSQL.

    Needs only a URL (`--database-url`, MIGSAFE_DATABASE_URL): the Alembic project is read
    only when there is one and the URL is not given otherwise.
    """
    from migsafe.db.connection import is_sqlite, parse_url, redact

    parsed = parse_url(alembic.database_url(settings))
    if is_sqlite(parsed):
        raise FlagError(
            f"flags need PostgreSQL, and {redact(parsed)} is SQLite",
            hint="point --database-url at the application's PostgreSQL database",
        )
    from psycopg.conninfo import make_conninfo

    from flags.backends.postgres import PostgresStore

    # A libpq conninfo from the parsed parts, not the URL rendered again: SQLAlchemy renders
    # query values with `+` for a space, which libpq reads as a `+` (a ?password= breaks).
    query = {k: v for k, v in parsed.query.items() if isinstance(v, str)}
    password = None if parsed.password is None else str(parsed.password)
    parts: dict[str, str | int | None] = {
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        "user": parsed.username,
        "password": password,
        **query,
    }
    return _Target(
        store=PostgresStore(
            make_conninfo("", **{k: v for k, v in parts.items() if v not in (None, "")}),
            settings.flags_schema,
        ),
        url=parsed,
        database=redact(parsed),
        password=password or query.get("password"),
    )


def _writer(
    settings: Settings,
    version_table: str | None,
    version_table_schema: str | None,
    *,
    discover: bool = False,
) -> _Target:
    """The store, for a change: each write also re-checks the notify trigger on the version
    table, the one named, else (`discover`) the one in use, else `alembic_version`."""
    return _versioned(settings, version_table, version_table_schema, discover=discover)[0]


def _versioned(
    settings: Settings,
    version_table: str | None,
    version_table_schema: str | None,
    *,
    discover: bool,
) -> tuple[_Target, alembic.VersionTableChoice]:
    target = _target(settings)
    with _database(target):
        choice = alembic.version_table(
            settings, target.url, version_table, version_table_schema, discover=discover
        )
    target.store.version_table = choice.table
    return target, choice


@contextmanager
def _database(target: _Target) -> Iterator[None]:
    """Turn driver and store errors into migsafe's, without the password."""
    import psycopg

    from flags.backends.base import FlagExists, FlagNotFound
    from flags.errors import FlagDefinitionError, StoreTooNew

    def scrub(exc: BaseException) -> str:
        text = " ".join(str(exc).split())[:300]
        return text.replace(target.password, "***") if target.password else text

    try:
        yield
    except FlagNotFound as exc:
        raise FlagNotFoundError(f"no flag named {exc.name!r} in {target.store.schema}") from exc
    except FlagExists as exc:
        raise FlagError(
            f"flag {exc.name!r} already exists in {target.store.schema}; nothing was changed",
            hint=f"`migsafe flags show {exc.name}` shows it",
        ) from exc
    except FlagDefinitionError as exc:
        raise FlagError(f"invalid flag definition: {scrub(exc)}") from exc
    except StoreTooNew as exc:
        raise FlagError(f"{exc}; nothing was changed", hint=exc.hint) from exc
    except psycopg.OperationalError as exc:
        from migsafe.db.dberrors import connect_hint

        text = scrub(exc)
        raise DatabaseUnavailableError(
            f"cannot use the flags in {target.database}: {text}", hint=connect_hint(text, exc)
        ) from exc
    except psycopg.Error as exc:
        raise FlagError(
            f"flags in {target.database}: {scrub(exc)}; nothing was changed",
            hint="the database user needs rights on the flags schema (`migsafe flags init`)",
        ) from exc


def _check_name(name: str, *, new: bool = False) -> None:
    """Refuse a name no flag can have; a new flag's must also be URL-safe, as Unleash's are."""
    if not (_NEW_NAME if new else _NAME).fullmatch(name):
        raise FlagError(
            f"invalid flag name {name!r}",
            hint="use 1-100 letters, digits and _ . ~ - (Unleash's URL-safe names)"
            if new
            else "a flag name is 1-100 characters, without blanks or control characters",
        )


def _features(target: _Target) -> tuple[int, dict[str, dict[str, Any]]]:
    version, document = target.store.load()
    return version, {str(f["name"]): dict(f) for f in document["features"]}


def _get(target: _Target, name: str) -> dict[str, Any]:
    _check_name(name)
    _, features = _features(target)
    if name not in features:
        raise FlagNotFoundError(f"no flag named {name!r} in {target.store.schema}")
    return features[name]


def _update(
    target: _Target,
    command: str,
    name: str,
    change: Callable[[dict[str, Any]], Mapping[str, Any]],
    *,
    actor: str,
    reason: str | None,
    warnings: tuple[str, ...] = (),
) -> FlagChange:
    """Apply `change` to flag `name` under the store's row lock; describe what happened.

    The store reads the definition once the lock is held, so a change made meanwhile by
    someone else (a `disable`, say) is the one `change` builds on: never lost, never undone.
    """
    _check_name(name)
    with _database(target):
        update: FeatureUpdate = target.store.update(name, change, actor=actor, reason=reason)
    return FlagChange(
        database=target.database,
        schema=target.store.schema,
        command=command,
        flag=FlagSummary.of(update.new),
        old=update.old,
        changed=update.changed,
        version=update.version,
        actor=actor,
        reason=reason,
        warnings=warnings,
    )


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        at=entry.at.astimezone(UTC).isoformat(timespec="milliseconds"),
        actor=entry.actor,
        reason=entry.reason,
        change=describe_change(entry.old, entry.new),
        old=entry.old,
        new=entry.new,
    )


# -- commands ---------------------------------------------------------------------------------


def flags_init(
    settings: Settings,
    *,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> InitResult:
    """Create the flags tables if missing; put the notify trigger on the Alembic version table."""
    target, choice = _versioned(settings, version_table, version_table_schema, discover=True)
    with _database(target):
        trigger = target.store.init()
        _, features = _features(target)
    return InitResult(
        target.database,
        target.store.schema,
        len(features),
        str(trigger),
        version_table=choice.qualified,
        version_table_from=choice.source,
    )


def flags_create(
    settings: Settings,
    name: str,
    *,
    description: str | None = None,
    type: str = "release",
    actor: str | None = None,
    reason: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagChange:
    """Create a flag, off, on for everyone once enabled."""
    _check_name(name, new=True)
    if type not in FLAG_TYPES:
        raise FlagError(f"unknown flag type {type!r}", hint=f"one of {', '.join(FLAG_TYPES)}")
    target = _writer(settings, version_table, version_table_schema)
    definition: dict[str, Any] = {
        "name": name,
        "type": type,
        "description": description or "",
        "enabled": False,
        "stale": False,
        "impressionData": False,
        "strategies": [{"name": "default", "parameters": {}, "constraints": []}],
        "variants": [],
    }
    who = actor or os_user()
    with _database(target):
        # One INSERT that does nothing if the name is taken: no window between a check and
        # the write where a concurrent create could slip in and then be overwritten.
        version = target.store.create(definition, actor=who, reason=reason)
    return FlagChange(
        database=target.database,
        schema=target.store.schema,
        command="create",
        flag=FlagSummary.of(definition),
        old=None,
        changed=True,
        version=version,
        actor=who,
        reason=reason,
    )


def flags_list(
    settings: Settings,
    *,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagList:
    """List the flags: stored on or off, what apps see now and why, and the revision each
    requires."""
    target = _target(settings)
    with _database(target):
        version, features, states = _as_apps_see(
            settings, target, version_table, version_table_schema
        )
    flags = tuple(FlagSummary.of(features[name], states.get(name)) for name in sorted(features))
    return FlagList(target.database, target.store.schema, version, flags)


def flags_show(
    settings: Settings,
    name: str,
    *,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagDetail:
    """Show one flag's definition, what apps see of it now, and its last change."""
    target = _target(settings)
    _check_name(name)
    with _database(target):
        _, features, states = _as_apps_see(settings, target, version_table, version_table_schema)
        if name not in features:
            raise FlagNotFoundError(f"no flag named {name!r} in {target.store.schema}")
        entries = target.store.history(name)
    last = _record(entries[-1]) if entries else None
    summary = FlagSummary.of(features[name], states.get(name))
    return FlagDetail(target.database, target.store.schema, summary, last)


def _as_apps_see(
    settings: Settings,
    target: _Target,
    version_table: str | None,
    version_table_schema: str | None,
) -> tuple[int, dict[str, dict[str, Any]], dict[str, Effective]]:
    """The flags and each one's state as a client evaluates it now: one snapshot (the
    document and the version table's heads, as clients read them) through the clients' own
    engine and revision gate."""
    from migsafe.flags_effective import effective_states

    choice = alembic.read_version_table(settings, target.url, version_table, version_table_schema)
    target.store.version_table = choice.table
    snapshot = target.store.snapshot()
    features = {str(f["name"]): dict(f) for f in snapshot.document["features"]}
    states = effective_states(
        snapshot.document,
        snapshot.heads,
        alembic.revision_rule(settings),
        version_table=choice.qualified,
        audit=target.store.history,
    )
    return snapshot.version, features, states


def flags_export(settings: Settings) -> dict[str, Any]:
    """Print every flag as an Unleash client-features document (what `import` reads)."""
    target = _target(settings)
    with _database(target):
        _, document = target.store.load()
    return document


def flags_import(
    settings: Settings,
    path: Path,
    *,
    actor: str | None = None,
    reason: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> ImportResult:
    """Create or replace flags from a client-features JSON file; all or nothing."""
    from flags.errors import FlagConfigError, FlagDefinitionError
    from flags.jsonfile import read_json_file
    from flags.parsing import parse_client_features

    try:
        # Bounded: at most 50 MB, UTF-8, JSON, nested at most 64 levels (flags.jsonfile).
        raw = read_json_file(path)
    except (FlagConfigError, FlagDefinitionError) as exc:
        raise FlagError(str(exc), hint="nothing was imported") from exc
    try:
        parse_client_features(raw)
    except FlagDefinitionError as exc:
        raise FlagError(
            f"{path}: not a client-features document: {exc}", hint="nothing was imported"
        ) from exc
    assert isinstance(raw, dict)  # parse_client_features accepts only an object
    # Stored as given, not as parsed: what `export` gives back is the file, key for key.
    incoming: list[dict[str, Any]] = [dict(f) for f in raw.get("features") or []]
    segments: list[dict[str, Any]] = [dict(s) for s in raw.get("segments") or []]
    names = [str(f["name"]) for f in incoming]
    for name in names:
        _check_name(name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FlagError(f"{path} defines {', '.join(duplicates)} more than once")
    ids = [int(s["id"]) for s in segments]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise FlagError(f"{path} defines segment {', '.join(map(str, twice))} more than once")
    target = _writer(settings, version_table, version_table_schema)
    who = actor or os_user()
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    segments_written: list[int] = []
    version: int | None = None
    with _database(target), target.store.connect() as conn, conn.transaction():
        # One transaction: every flag and segment of the file, or (on any error) none of them.
        from flags.backends.postgres import load_state

        _, document = load_state(conn, target.store.schema)
        existing_segments = {int(s["id"]) for s in document["segments"]}
        for segment in segments:
            written = target.store.upsert_segment(segment, actor=who, reason=reason, conn=conn)
            if written is not None:
                segments_written.append(int(segment["id"]))
                version = written
        current = {str(f["name"]): f for f in document["features"]}
        for feature in incoming:
            name = str(feature["name"])
            old = current.get(name)
            if old is not None and dict(old) == feature:
                unchanged.append(name)
                continue
            (updated if old is not None else created).append(name)
            version = target.store.upsert(feature, actor=who, reason=reason, conn=conn)
    return ImportResult(
        database=target.database,
        schema=target.store.schema,
        source=str(path),
        created=tuple(created),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        version=version,
        actor=who,
        segments_created=tuple(i for i in segments_written if i not in existing_segments),
        segments_updated=tuple(i for i in segments_written if i in existing_segments),
        segments_unchanged=tuple(i for i in ids if i not in segments_written),
    )


def flags_disable(
    settings: Settings,
    name: str,
    *,
    reason: str,
    actor: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagChange:
    """Switch a flag off for every running process (the kill switch)."""
    if not reason.strip():
        raise FlagError("--reason must say why the flag is switched off")
    target = _writer(settings, version_table, version_table_schema)
    return _set_enabled(target, name, False, "disable", actor=actor, reason=reason)


def flags_enable(
    settings: Settings,
    name: str,
    *,
    actor: str | None = None,
    reason: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagChange:
    """Switch a flag on (for the users its rollout selects)."""
    target = _writer(settings, version_table, version_table_schema)
    return _set_enabled(target, name, True, "enable", actor=actor, reason=reason)


def _set_enabled(
    target: _Target,
    name: str,
    enabled: bool,
    command: str,
    *,
    actor: str | None,
    reason: str | None,
) -> FlagChange:
    return _update(
        target,
        command,
        name,
        lambda definition: {**definition, "enabled": enabled},
        actor=actor or os_user(),
        reason=reason,
    )


def flags_rollout(
    settings: Settings,
    name: str,
    percent: int,
    *,
    actor: str | None = None,
    reason: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagChange:
    """Turn a flag on for PCT% of users, sticky per user (does not enable a flag that is off)."""
    if not 0 <= percent <= 100:
        raise FlagError(f"rollout must be a percentage from 0 to 100, not {percent}")
    strategy = {
        "name": "flexibleRollout",
        # `default` stickiness: userId, else sessionId, else random; groupId = the flag's
        # name, so a user's bucket is the same at 10% and at 50% (it only grows).
        "parameters": {"rollout": str(percent), "stickiness": "default", "groupId": name},
        "constraints": [],
    }
    return _update(
        _writer(settings, version_table, version_table_schema),
        "rollout",
        name,
        lambda definition: {**definition, "strategies": [strategy]},
        actor=actor or os_user(),
        reason=reason,
    )


def flags_require(
    settings: Settings,
    name: str,
    revision: str | None,
    *,
    actor: str | None = None,
    reason: str | None = None,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> FlagChange:
    """Tie a flag to an Alembic revision: off wherever the database lacks it (--clear unties it).

    Without the project's scripts, REV is checked against the database's heads and migsafe's
    history instead; one never seen there is required as given, with a warning.
    """
    from flags.revisions.requirement import with_required_revision

    _check_name(name)
    # Without the scripts, REV is checked against the heads: they must be read from the
    # version table in use (with the project, its scripts decide and env.py is not run).
    discover = not alembic.has_project(settings)
    target = _writer(settings, version_table, version_table_schema, discover=discover)
    required: str | None = None
    warnings: tuple[str, ...] = ()
    if revision is not None:
        with _database(target):
            resolved = alembic.resolve_revision(settings, target.store, target.url, revision)
        required, warnings = resolved.revision, resolved.warnings
    return _update(
        target,
        "require",
        name,
        lambda definition: with_required_revision(definition, required),
        actor=actor or os_user(),
        reason=reason,
        warnings=warnings,
    )


def flags_history(settings: Settings, name: str) -> FlagHistory:
    """Show every recorded change of a flag: who, when, what, and why."""
    _check_name(name)
    target = _target(settings)
    with _database(target):
        entries = target.store.history(name)
        if not entries:
            _get(target, name)  # unknown flag: the same error as the other commands
    return FlagHistory(
        target.database, target.store.schema, name, tuple(_record(e) for e in entries)
    )
