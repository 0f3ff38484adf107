"""Drive the user's unmodified ``env.py`` on a connection that migsafe owns.

Alembic's ``env.py`` builds its own engine and connection and hands it to
``context.configure()``. To guard the transaction, migsafe needs its own connection in there.
It does not edit or monkeypatch anything global: it runs ``env.py`` inside its own
:class:`~alembic.runtime.environment.EnvironmentContext` whose ``configure`` (the attribute that
``from alembic import context`` proxies to) swaps the connection for migsafe's and passes every
other option through unchanged (``version_table``, ``target_metadata``, ``render_as_batch``...).
The connection is also put in ``config.attributes["connection"]``, the documented way to share a
connection with env.py, so env.py files written for that never open a second one.

When migsafe's connection is already inside a transaction, Alembic treats it as an external
transaction and leaves BEGIN/COMMIT to migsafe: that is the transactional guard.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TextIO

import sqlalchemy as sa
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy.engine import URL

from migsafe.engine.connection import same_driver
from migsafe.engine.project import Project, user_frame
from migsafe.errors import DatabaseUnavailableError, ProjectError

MigrationsFn = Callable[[tuple[str, ...], MigrationContext], Iterable[Any]]
StepCallback = Callable[[MigrationInfo, frozenset[str]], None]

DEFAULT_VERSION_TABLE = "alembic_version"


class EnvPyError(ProjectError):
    """env.py could not be driven; the message names the line to change."""


@dataclass
class EnvCall:
    """What one run of env.py told us."""

    configure_calls: int = 0
    fn_called: bool = False
    version_table: str = DEFAULT_VERSION_TABLE
    version_table_schema: str | None = None
    their_url: URL | None = None
    options: dict[str, Any] = field(default_factory=dict)


def run_env(
    project: Project,
    fn: MigrationsFn,
    *,
    connection: sa.Connection | None,
    as_sql: bool = False,
    dialect_url: str | URL | None = None,
    output_buffer: TextIO | None = None,
    starting_rev: tuple[str, ...] | None = None,
    dont_mutate: bool = False,
    on_step_applied: StepCallback | None = None,
) -> EnvCall:
    """Execute env.py once with ``fn`` as the migrations function.

    ``connection=None`` in online mode means: use the connection env.py builds itself (only for
    read-only probes when migsafe has no URL of its own yet).
    """
    call = EnvCall()
    opts: dict[str, Any] = {"fn": _tracking(fn, call), "as_sql": as_sql, "dont_mutate": dont_mutate}
    if output_buffer is not None:
        opts["output_buffer"] = output_buffer
    if starting_rev is not None:
        opts["starting_rev"] = list(starting_rev) or None
    env = EnvironmentContext(project.config, project.script, **opts)
    configure = functools.partial(
        _configure, call, env.configure, project, connection, as_sql, dialect_url, on_step_applied
    )

    # An attribute of our own EnvironmentContext instance: what env.py's
    # ``context.configure`` resolves to while this context is installed.
    env.configure = configure  # type: ignore[method-assign]
    attributes = project.config.attributes
    if connection is not None:
        attributes["connection"] = connection
    try:
        # The application's runtime (an instance set, a context entered) around env.py, as
        # the application's own `alembic upgrade` entry point would provide it.
        wrapper = project.wrapper() if project.wrapper is not None else nullcontext()
        with wrapper, env, _quiet_context_lines():
            project.script.run_env()
    except (EnvPyError, KeyboardInterrupt):
        raise
    except BaseException as exc:
        if call.fn_called or call.configure_calls or isinstance(exc, SystemExit):
            raise  # from Alembic or the migrations, on migsafe's connection: the guard's call
        if isinstance(exc, sa.exc.DBAPIError):
            # Before configure(): env.py's own engine failed (migsafe's connection had not).
            orig = getattr(exc, "orig", exc)
            text = " ".join(str(orig).split())[:300]
            raise DatabaseUnavailableError(
                f"env.py's own database connection failed{user_frame(exc)}: {text}",
                hint="env.py connects by itself before migsafe's connection takes over; check "
                "the URL it builds (sqlalchemy.url or the settings it reads)",
            ) from exc
        raise EnvPyError(
            f"env.py failed before it ran the migrations{user_frame(exc)}: "
            f"{type(exc).__name__}: {_one_line(exc)}",
            hint="migsafe runs env.py unchanged, as `alembic upgrade` would; see docs/env-py.md",
        ) from exc
    finally:
        if connection is not None and attributes.get("connection") is connection:
            del attributes["connection"]
    if call.configure_calls == 0:
        raise EnvPyError(
            f"{project.env_py} never called context.configure()",
            hint="env.py must call context.configure(connection=...) and context.run_migrations()",
        )
    if not call.fn_called:
        raise EnvPyError(
            f"{project.env_py} called context.configure() but never context.run_migrations()",
            hint="env.py must call context.run_migrations() (inside context.begin_transaction())",
        )
    return call


def _configure(
    call: EnvCall,
    original_configure: Callable[..., None],
    project: Project,
    connection: sa.Connection | None,
    as_sql: bool,
    dialect_url: str | URL | None,
    on_step_applied: StepCallback | None,
    /,
    *args: Any,
    **kw: Any,
) -> None:
    """What env.py's ``context.configure()`` does under migsafe: one call only, migsafe's
    connection (on the driver env.py would use), the version table noted, migsafe's
    on_version_apply callback added to env.py's own. migsafe's arguments are positional-only:
    env.py's keywords (``connection=``, ``url=``...) are its own."""
    if args:
        kw.setdefault("connection", args[0])
    call.configure_calls += 1
    if call.configure_calls > 1:
        raise EnvPyError(
            "env.py called context.configure() more than once (a multi-database env.py); "
            "migsafe guards one database per run",
            hint=f"run migsafe once per database, or split {project.env_py}",
        )
    theirs = kw.pop("connection", None)
    their_url = kw.pop("url", None)
    if theirs is not None:
        call.their_url = getattr(getattr(theirs, "engine", None), "url", None)
        _same_driver_or_refuse(theirs, connection, project)
    elif their_url is not None:
        call.their_url = sa.engine.make_url(their_url)
    given = kw.pop("on_version_apply", None) or []
    callbacks: list[Any] = [given] if callable(given) else list(given)
    if on_step_applied is not None:
        callbacks = [
            *callbacks,
            lambda *, step, heads, **_: on_step_applied(step, frozenset(heads)),
        ]
    call.version_table = kw.get("version_table") or DEFAULT_VERSION_TABLE
    call.version_table_schema = kw.get("version_table_schema")
    call.options = {k: v for k, v in kw.items() if isinstance(v, str | int | bool | None)}
    if as_sql:
        # Alembic iterates on_version_apply: a list of callbacks works.
        original_configure(
            url=dialect_url or their_url,
            on_version_apply=callbacks,
            **kw,
        )
        return
    conn = connection if connection is not None else theirs
    if conn is None:
        raise EnvPyError(
            "env.py called context.configure() without a connection in online mode",
            hint="env.py must pass connection=... to context.configure() when online",
        )
    original_configure(
        connection=conn,
        on_version_apply=callbacks,
        **kw,
    )


def _same_driver_or_refuse(theirs: Any, ours: sa.Connection | None, project: Project) -> None:
    """The migrations run on the driver env.py chose: never on another one in its place.

    migsafe's connection uses the URL's driver. When env.py builds its engine on another
    driver (its own URL, or a rewritten one), SQL written for that driver (``$1`` for asyncpg,
    a literal ``%`` in ``exec_driver_sql``) would meet a driver it was not written for.
    """
    dialect = getattr(theirs, "dialect", None)
    if ours is None or dialect is None or dialect.name != ours.dialect.name:
        return  # env.py's connection goes elsewhere: docs/env-py.md, "make them agree"
    if not same_driver(dialect, ours.dialect):
        raise EnvPyError(
            f"env.py connects with the driver {dialect.driver!r} but the database URL names "
            f"{ours.dialect.driver!r}; migsafe runs the migrations on the driver env.py uses "
            "and does not switch drivers",
            hint=f"name env.py's driver in the URL ({dialect.name}+{dialect.driver}://...), "
            f"or build env.py's engine from sqlalchemy.url ({project.env_py})",
        )


class _ContextLines(logging.Filter):
    """Drop Alembic's "Context impl ..." / "Will assume ... DDL" lines.

    migsafe runs env.py two or three times per command, and on SQLite "Will assume
    non-transactional DDL" is wrong under migsafe's guard. The user's other log lines pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith("Context impl") or message.startswith("Will assume"))


@contextmanager
def _quiet_context_lines() -> Iterator[None]:
    logger = logging.getLogger("alembic.runtime.migration")
    noise = _ContextLines()
    logger.addFilter(noise)
    try:
        yield
    finally:
        logger.removeFilter(noise)


def _tracking(fn: MigrationsFn, call: EnvCall) -> MigrationsFn:
    def wrapped(heads: Any, context: MigrationContext) -> Iterable[Any]:
        call.fn_called = True
        return fn(tuple(heads or ()), context)

    return wrapped


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def probe(project: Project, connection: sa.Connection | None) -> tuple[tuple[str, ...], EnvCall]:
    """Read the current heads, and learn the version table and URL env.py uses."""
    found: list[tuple[str, ...]] = []

    def read_heads(heads: tuple[str, ...], _ctx: MigrationContext) -> list[Any]:
        found.append(heads)
        return []

    call = run_env(project, read_heads, connection=connection, dont_mutate=True)
    return (found[0] if found else ()), call
