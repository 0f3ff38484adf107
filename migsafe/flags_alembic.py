"""What the `flags` commands know of the Alembic project: its version table, its revisions.

With the project at hand (an Alembic configuration), as before: `flags init` runs env.py
read-only to learn the version table, and `flags require` resolves a revision in the scripts.
Without it (an operator on a bastion host with only a URL), nothing of the project is loaded:

- the version table is the one `--version-table`/`--version-table-schema` name, else, for
  `flags init` and `flags require`, the one migsafe's newest recorded run used (its plan holds
  `version_table` and `version_table_schema`), else `alembic_version` in the default schema.
  The other change commands only re-check the notify trigger on it, as they always have on
  `alembic_version`: they do not pay a lookup (the kill switch stays one connection);
- a revision for `flags require` is checked against what the database knows: its current
  heads and every revision in migsafe's history. A unique prefix of one of those stands for
  it; a revision the database has never seen is kept as given, with a warning, since it may be
  the next deploy's (the flag then stays off until exactly that revision is applied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migsafe.errors import ConfigError, FlagError, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from flags.backends.alembic_version import VersionTable
    from flags.backends.postgres import PostgresStore
    from flags.revisions import RevisionRule

DEFAULT_VERSION_TABLE = "alembic_version"

# Alembic's symbolic and relative revisions: they mean something only in the scripts.
_SYMBOLIC = re.compile(r"(heads?|base|current)([+-]\d+)?|[+-]\d+|.*[@:].*")


@dataclass(frozen=True)
class VersionTableChoice:
    """The version table the flags commands use, and where that came from.

    `source`: `option`, `env.py`, `history` (migsafe's newest run) or `default`.
    """

    table: VersionTable
    source: str

    @property
    def qualified(self) -> str:
        schema, name = self.table.schema, self.table.name
        return name if schema is None else f"{schema}.{name}"


def has_project(settings: Settings) -> bool:
    """Whether an Alembic configuration was found (`-c`, ./alembic.ini, [tool.alembic])."""
    return settings.ini_file is not None or settings.toml_file is not None


def database_url(settings: Settings) -> str:
    """The URL of the flags' database: the settings', else the Alembic configuration's."""
    if settings.database_url:
        return settings.database_url
    if not has_project(settings):
        raise ConfigError(
            "no database URL for the flags, and no Alembic configuration here to take one from",
            hint="pass --database-url or set MIGSAFE_DATABASE_URL",
        )
    from migsafe.engine.project import Project, load_config

    url = Project.url_of(load_config(settings))
    if not url:
        raise ConfigError(
            "no database URL for the flags",
            hint="pass --database-url, set MIGSAFE_DATABASE_URL, or sqlalchemy.url in alembic.ini",
        )
    return url


def version_table(
    settings: Settings,
    url: URL,
    name: str | None,
    schema: str | None,
    *,
    discover: bool,
) -> VersionTableChoice:
    """The version table: `name`/`schema` if given, else (`discover`) the one in use, else
    `alembic_version`.

    `discover` finds the table in use: with the project at hand by running its env.py, without
    it from migsafe's history.
    """
    from flags.backends.alembic_version import VersionTable

    if name is not None or schema is not None:
        for option, value in (("--version-table", name), ("--version-table-schema", schema)):
            if value is not None and not _identifier(value):
                raise UsageError(
                    f"{option}: {value!r} is not a table or schema name",
                    hint="1-63 bytes, no control characters",
                )
        return VersionTableChoice(VersionTable(name or DEFAULT_VERSION_TABLE, schema), "option")
    if not discover:
        return VersionTableChoice(VersionTable(), "default")
    if has_project(settings):
        return VersionTableChoice(project_version_table(settings), "env.py")
    recorded = _recorded_version_table(settings, url)
    if recorded is not None:
        return VersionTableChoice(VersionTable(*recorded), "history")
    return VersionTableChoice(VersionTable(), "default")


def read_version_table(
    settings: Settings, url: URL, name: str | None, schema: str | None
) -> VersionTableChoice:
    """For commands that only read (`list`, `show`): the version table named, else the one
    migsafe's newest run used, else `alembic_version`; env.py is not run for it."""
    if name is not None or schema is not None:
        return version_table(settings, url, name, schema, discover=False)
    from flags.backends.alembic_version import VersionTable

    recorded = _recorded_version_table(settings, url)
    if recorded is not None:
        return VersionTableChoice(VersionTable(*recorded), "history")
    return VersionTableChoice(VersionTable(), "default")


def revision_rule(settings: Settings) -> RevisionRule:
    """What "applied" means for a flag's required revision, as the app's client judges it:
    a head or an ancestor, with the project's scripts at hand; else the heads exactly."""
    from flags.revisions import ExactHeads, ScriptHistory

    if not has_project(settings):
        return ExactHeads()
    from flags.errors import FlagConfigError
    from migsafe.engine.project import load_project
    from migsafe.errors import MigsafeError

    try:
        return ScriptHistory(load_project(settings).script)
    except (MigsafeError, FlagConfigError):
        return ExactHeads()  # a project that does not load: judged as a client without it


def _identifier(value: str) -> bool:
    # PostgreSQL truncates a longer name to 63 bytes: the trigger would go on another table.
    return 0 < len(value.encode()) <= 63 and not re.search(r"[\x00-\x1f\x7f]", value)


def project_version_table(settings: Settings) -> VersionTable:
    """The Alembic version table of the project, as its env.py configures it.

    env.py may pass `version_table=`/`version_table_schema=` to `context.configure`; the
    only way to know is to run it, read-only, as every migsafe command does.
    """
    from flags.backends.alembic_version import VersionTable
    from migsafe.engine.session import open_session

    session = open_session(settings, application_name="migsafe-flags", read_only=True)
    try:
        return VersionTable(session.versions.name, session.versions.schema)
    finally:
        session.close()


def _recorded_version_table(settings: Settings, url: URL) -> tuple[str, str | None] | None:
    """The version table migsafe's newest recorded run used; None if there is none to read."""
    import sqlalchemy as sa

    from migsafe.db.connection import connect, create_engine
    from migsafe.engine.history import History

    engine = create_engine(url, application_name="migsafe-flags")
    try:
        with connect(engine) as conn:  # unreachable: exit 3, as the flags' own connection
            try:
                return History(engine, settings.schema).recorded_version_table(conn)
            except sa.exc.DBAPIError:
                return None  # no rights on migsafe's schema: the default is the best guess
    finally:
        engine.dispose()


def _recorded_revisions(settings: Settings, url: URL) -> set[str]:
    import sqlalchemy as sa

    from migsafe.db.connection import connect, create_engine
    from migsafe.engine.history import History

    engine = create_engine(url, application_name="migsafe-flags")
    try:
        with connect(engine) as conn:
            try:
                return History(engine, settings.schema).recorded_revisions(conn)
            except sa.exc.DBAPIError:
                return set()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ResolvedRevision:
    """The revision a flag will require, and anything the operator should know about it."""

    revision: str
    warnings: tuple[str, ...] = ()


def resolve_revision(
    settings: Settings, store: PostgresStore, url: URL, revision: str
) -> ResolvedRevision:
    """The full id of `revision`: in the project's scripts if at hand, else in the database."""
    if has_project(settings):
        from migsafe.engine.project import get_script, load_project

        return ResolvedRevision(get_script(load_project(settings), revision).revision)
    return _resolve_in_database(settings, store, url, revision)


def _resolve_in_database(
    settings: Settings, store: PostgresStore, url: URL, revision: str
) -> ResolvedRevision:
    from flags.backends.alembic_version import read_heads

    if not revision.strip() or _SYMBOLIC.fullmatch(revision) or not _identifier(revision):
        raise FlagError(
            f"cannot resolve revision {revision!r} without the project's Alembic scripts",
            hint="give the revision's id, or run from the project (or pass -c alembic.ini)",
        )
    with store.connect() as conn:
        heads = read_heads(conn, store.version_table) or frozenset()
    known = set(heads) | _recorded_revisions(settings, url)
    if revision in known:
        return ResolvedRevision(revision)
    matches = sorted(r for r in known if r.startswith(revision))
    if len(matches) == 1:
        return ResolvedRevision(matches[0])
    if matches:
        raise FlagError(
            f"revision prefix {revision!r} is ambiguous: {', '.join(matches)}",
            hint="give more of the revision's id",
        )
    return ResolvedRevision(
        revision,
        warnings=(
            f"{revision} is not applied to this database and not in migsafe's history; without "
            "the project's scripts it cannot be checked: it is required as given, and clients "
            "hold the flag off until exactly this revision is applied",
        ),
    )
