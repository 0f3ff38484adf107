"""What every api function shares: privilege errors named, blank names refused, confirmation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

from migsafe.errors import ConfirmationRequired, MigsafeError, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from migsafe.engine.plan import Plan


ConfirmFn = Callable[["Plan"], bool]


_P = ParamSpec("_P")


_R = TypeVar("_R")


def privileges_named(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """A privilege the URL's role lacks (SQLSTATE 42501), wherever a command meets it before
    it changed anything (the version table, migsafe's schema, CREATE DATABASE), becomes one
    line naming the privilege and the object (exit 3) rather than a driver's traceback. A
    failed migration is the guard's to report (exit 4) and is passed on as it is."""

    @functools.wraps(fn)
    def named(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except MigsafeError:
            raise
        except Exception as exc:
            from migsafe.db.dberrors import privilege_error  # imports psycopg

            settings = args[0] if args and isinstance(args[0], Settings) else None
            denied = privilege_error(exc, role_of(settings))
            if denied is None:
                raise
            raise denied from exc

    return named


def not_blank(value: str | None, option: str, *, hint: str | None = None) -> None:
    """An empty revision or run id is a usage error: Alembic reads ``''`` as a prefix of every
    revision, or as "one step down", which is never what was meant."""
    if value is not None and not value.strip():
        raise UsageError(
            f"{option} is empty",
            hint=hint
            or "give a revision id (or a unique prefix of one), head or base; `migsafe status` "
            "lists them",
        )


def role_of(settings: Settings | None) -> str | None:
    """The user name of the settings' URL, when it names one."""
    if settings is None or not settings.database_url:
        return None
    try:
        user = urlsplit(settings.database_url).username
    except ValueError:
        return None
    return unquote(user) if user else None


def confirm_plan(plan: Plan, yes: bool, confirm: ConfirmFn | None) -> None:
    if not plan.steps or yes:
        return
    if confirm is None:
        raise ConfirmationRequired(
            "revert needs confirmation", hint="review the plan with --dry-run, then pass --yes"
        )
    if not confirm(plan):
        raise ConfirmationRequired("revert cancelled; nothing changed")
