"""What a statement really did, read back from PostgreSQL in its own transaction.

For the rehearsal: the table locks this session holds (``pg_locks`` for its own backend: what
the statements so far took, held to commit) and each table's ``relfilenode``, which changes
when PostgreSQL rewrites the table (a type change, a volatile default, ``CLUSTER``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from migsafe.check.locks import LockMode
from migsafe.lint.live import REGCLASS

_OWN_LOCKS = sa.text(
    """
    SELECT c.oid::regclass::text AS name, l.mode
    FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
      AND c.relkind IN ('r', 'p', 'm')
      AND c.relnamespace <> 'pg_catalog'::regnamespace
    """
)

_FILENODES = sa.text(
    "SELECT c.oid::regclass::text AS name, pg_relation_filenode(c.oid) AS node "
    "FROM pg_class c WHERE c.oid = ANY (CAST(:oids AS oid[]))"
)


def held_locks(conn: sa.Connection) -> dict[str, LockMode]:
    """The strongest lock this session holds on each table (schema-qualified where
    ``search_path`` would not find it)."""
    held: dict[str, LockMode] = {}
    for name, mode_name in conn.execute(_OWN_LOCKS):
        mode = LockMode.from_pg(mode_name)
        if mode is not None:
            held[name] = max(held.get(name, mode), mode)
    return held


def filenodes(conn: sa.Connection, tables: Iterable[str]) -> dict[str, int]:
    """``relfilenode`` of each of ``tables`` that exists (by ``to_regclass``)."""
    oids = []
    for table in tables:
        oid = conn.execute(sa.text(f"SELECT {REGCLASS}::oid"), {"name": table}).scalar()
        if oid is not None:
            oids.append(int(oid))
    if not oids:
        return {}
    return {str(n): int(f) for n, f in conn.execute(_FILENODES, {"oids": oids}) if f is not None}


def rewritten(before: Mapping[str, int], after: Mapping[str, int]) -> set[str]:
    """The tables whose storage was replaced between two readings (dropped ones are not)."""
    return {name for name, node in before.items() if name in after and after[name] != node}
