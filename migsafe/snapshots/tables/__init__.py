"""Which tables pending migrations touch, so ``--backup=tables`` dumps (and restores) only those.

The migrations' offline SQL (Alembic ``--sql`` mode) is read with PostgreSQL's own parser
(pglast). Only what they *write* matters: a restore puts back the tables that were written or
altered and drops the tables that were created; tables that are only read (the sources of an
``INSERT ... SELECT``, an ``UPDATE ... FROM``, a foreign key's target) come back unchanged.
Functions called inside a statement's expressions are assumed to write nothing beyond it.

Tables in migsafe's own schemas (history, flags, archive: see
:mod:`~migsafe.snapshots.kept`) are never dumped: a restore leaves them as they are. The flags
notify trigger ``flags init`` puts on the version table is migsafe's own too, and writes
nothing (it only calls ``pg_notify``): it does not force a full dump the way a trigger of the
application's does.

Whenever a statement cannot be pinned to tables (a DO block, a function, a view, a sequence no
table owns, SQL that does not parse, a revision offline mode could not render) the decision
falls back to a full dump and says why: a full dump is slower, never wrong.

Names are ``"schema.table"`` as the catalog spells them, unquoted (``public.Order Lines``),
like :attr:`Snapshot.tables <migsafe.snapshots.model.Snapshot.tables>`: split at the first dot.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from migsafe.snapshots.database import Database
from migsafe.snapshots.kept import kept_schemas
from migsafe.snapshots.model import SnapshotMode
from migsafe.snapshots.tables.catalog import _Catalog
from migsafe.snapshots.tables.chain import ExistsFn, OwnerFn, TablesFn, _Chain
from migsafe.snapshots.tables.names import Name, _fmt, _split
from migsafe.snapshots.tables.walker import _read_revision


@dataclass(frozen=True)
class TablesDecision:
    """What ``--backup=tables`` dumps before the run, and what a restore drops."""

    mode: SnapshotMode  # TABLES, or FULL when the tables cannot be told (see reasons)
    tables: tuple[str, ...]  # existing tables to dump, always with the version table
    created: tuple[str, ...]  # tables the migrations create (absent now; dropped on restore)
    reasons: tuple[str, ...]  # why FULL, or notes; one line each


def touched_tables(
    sql_by_revision: Mapping[str, str | None],
    *,
    notes: Sequence[str],
    version_table: str,
    version_table_schema: str | None,
    search_path_schema: str = "public",
    kept: Collection[str] = (),
    existing: ExistsFn | None = None,
    dependents: TablesFn | None = None,
    owner: OwnerFn | None = None,
    referencing: TablesFn | None = None,
) -> TablesDecision:
    """Decide the tables to dump for the revisions' SQL, in the order they will run.

    ``notes`` are render_sql's (why a revision has no SQL). The callbacks read the live
    catalog: ``existing(name)`` whether a table exists now; ``owner(name)`` the table an index
    or sequence belongs to; ``referencing(tables)`` tables whose foreign keys point at them
    (dumped too: restoring a table means dropping it, which their constraints would block);
    ``dependents(tables)`` objects a table-level restore would drop or miss (views, triggers...),
    which force a full dump. Without a callback, tables are assumed to exist, and what needs
    the catalog (which table ``DROP INDEX ix`` is on) falls back to a full dump. Tables in the
    *kept* schemas (migsafe's own) are never dumped, nor dropped by a restore.
    """
    vt: Name = (version_table_schema or search_path_schema, version_table)
    chain = _Chain(search_path_schema, _cached(existing), owner, vt)
    full: list[str] = []
    for revision, sql in sql_by_revision.items():
        problem = _read_revision(chain, sql, notes)
        if problem:
            full.append(f"revision {revision}: cannot tell which tables it touches: {problem}")
    chain.missing.pop(vt, None)  # from base: Alembic creates it before the first revision
    if vt not in chain.created:
        if chain.exists_now(vt):
            chain.tables.setdefault(vt)
        else:
            chain.created.setdefault(vt)
    if full:
        return TablesDecision(SnapshotMode.FULL, (), (), tuple(full))
    extra = _foreign_key_closure(chain, referencing, kept)
    own = [n for n in (*chain.tables, *chain.created) if n[0] in kept]
    for name in own:
        chain.tables.pop(name, None)
        chain.created.pop(name, None)
    tables = sorted(_fmt(n) for n in chain.tables)
    blockers = dependents(tables) if dependents is not None else []
    if blockers:
        why = [f"cannot restore table by table: {b}" for b in blockers]
        return TablesDecision(SnapshotMode.FULL, (), (), tuple(why))
    return TablesDecision(
        SnapshotMode.TABLES,
        tuple(tables),
        tuple(sorted(_fmt(n) for n in chain.created if n not in chain.tables)),
        tuple(
            [f"{_fmt(n)} is dumped too: its foreign keys point at a dumped table" for n in extra]
            + [f"{_fmt(n)} does not exist now, so there is nothing to dump" for n in chain.missing]
            + [
                f"{_fmt(n)} is not dumped: it is migsafe's own, which a restore never touches"
                for n in own
            ]
        ),
    )


def tables_for_sql(
    db: Database,
    sql_by_revision: Mapping[str, str | None],
    *,
    notes: Sequence[str],
    version_table: str,
    version_table_schema: str | None,
) -> TablesDecision:
    """The decision for the revisions' offline SQL, checked on *db*'s live catalog.

    The engine renders the SQL (``engine.backup.tables_for_plan``); a catalog that cannot be
    read means a full dump, with the reason.
    """
    if db.is_sqlite:
        reason = "SQLite has no table-level dump; the database file is copied whole"
        return TablesDecision(SnapshotMode.FULL, (), (), (reason,))
    try:
        with db.aux() as conn:
            catalog = _Catalog(conn, flags_schema=db.settings.flags_schema)
            return touched_tables(
                sql_by_revision,
                notes=notes,
                version_table=version_table,
                version_table_schema=version_table_schema,
                search_path_schema=catalog.current_schema(),
                kept=kept_schemas(db.settings),
                existing=catalog.existing,
                dependents=catalog.dependents,
                owner=catalog.owner,
                referencing=catalog.referencing,
            )
    except sa.exc.DBAPIError as exc:
        detail = " ".join(str(exc.orig or exc).split())[:300]
        return TablesDecision(SnapshotMode.FULL, (), (), (f"cannot read the catalog: {detail}",))


def _cached(existing: ExistsFn | None) -> ExistsFn | None:
    if existing is None:
        return None
    seen: dict[str, bool] = {}

    def check(name: str) -> bool:
        if name not in seen:
            seen[name] = existing(name)
        return seen[name]

    return check


def _foreign_key_closure(
    chain: _Chain, referencing: TablesFn | None, kept: Collection[str]
) -> list[Name]:
    """Add the tables whose foreign keys point at dumped tables, until none is left.

    Not migsafe's own (an archived table's foreign keys): a restore re-adds those.
    """
    added: list[Name] = []
    while referencing is not None:
        found = referencing(sorted(_fmt(n) for n in chain.tables))
        new = [n for n in map(_split, found) if n not in chain.tables and n[0] not in kept]
        if not new:
            break
        for name in new:
            chain.tables[name] = None
            added.append(name)
    return added
