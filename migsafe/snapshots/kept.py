"""What a snapshot restore never touches: migsafe's own state in the application's database.

A snapshot is the application's data. Feature flags (their definitions, segments and audit,
in ``Settings.flags_schema``), migsafe's history, journal and stored reverses
(``Settings.schema``) and the data reverse scripts keep (``Settings.archive_schema``) record
what happened and what operators decided; rolling them back with the data would undo a kill
switch thrown while a migration failed, and erase the record of that failure. So:

* snapshots leave those schemas out (``pg_dump --exclude-schema``): a copy restored
  ``--into`` a new database holds none of them;
* an in-place restore keeps them as they are; a dump that holds one (taken by an older
  migsafe) is refused in place, and can still be restored ``--into`` a new database;
* triggers on application tables that call a function in one of those schemas (the flags
  notify trigger ``flags init`` puts on the version table) belong to the flags, not the
  data: an in-place restore re-creates them as they are now; a restore ``--into`` a new
  database leaves them out, since their function is not there.

SQLite has no schemas; its restore keeps migsafe's own tables (history, journal, reverses,
``migsafe_archive__*``) instead, see :mod:`~migsafe.snapshots.sqlite`. Flags are
PostgreSQL-only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from flags.backends.alembic_version import FUNCTION as FLAGS_NOTIFY_FUNCTION

if TYPE_CHECKING:
    from migsafe.settings import Settings

__all__ = [
    "DEFAULT_KEPT_SCHEMAS",
    "FLAGS_NOTIFY_FUNCTION",
    "LEFT_AS_THEY_ARE",
    "in_kept_schema",
    "kept_schemas",
]

#: migsafe's own schemas under the default settings (history, flags, archive).
DEFAULT_KEPT_SCHEMAS: tuple[str, ...] = ("migsafe", "migsafe_flags", "migsafe_archive")

#: What every in-place restore says it did not touch.
LEFT_AS_THEY_ARE = "flags, their audit and migsafe's history were left as they are"


def kept_schemas(settings: Settings) -> tuple[str, ...]:
    """The schemas a restore never touches under *settings*: history, flags, archive."""
    return _unique((settings.schema, settings.flags_schema, settings.archive_schema))


def in_kept_schema(name: str, kept: Collection[str]) -> bool:
    """Whether ``"schema.table"`` lives in one of the *kept* schemas."""
    return name.partition(".")[0] in kept


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))
