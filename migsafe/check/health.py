"""Sessions on the target database that would make a plan wait for its locks, right now.

A migration's ``ALTER TABLE`` waits for every session holding a conflicting lock on the table,
and while it waits, every query that arrives after it waits behind it: one session idle in
transaction since lunch can stop the application when the deploy starts. This reads
``pg_locks`` and ``pg_stat_activity`` for the tables a plan touches and names each session that
holds a lock the plan's would conflict with. Query texts are not read: they may hold secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from migsafe.check.locks import LockMode, conflicts
from migsafe.lint.live import REGCLASS

_HOLDERS = sa.text(
    """
    SELECT a.pid, a.usename, a.application_name, a.state,
           extract(epoch FROM now() - coalesce(a.xact_start, a.query_start)) AS age,
           l.relation::bigint AS oid, l.mode
    FROM pg_locks l
    JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()
      AND l.relation = ANY (CAST(:oids AS oid[]))
    ORDER BY age DESC NULLS LAST, a.pid
    """
)


@dataclass(frozen=True)
class Blocker:
    """A session that holds a lock the plan's lock on ``table`` would wait for."""

    pid: int
    user: str | None
    application: str | None
    state: str | None  # "idle in transaction", "active"...
    age_seconds: float | None  # since its transaction (else its query) began
    table: str
    held: LockMode
    wanted: LockMode

    def describe(self) -> str:
        who = f"user {self.user or '?'}"
        if self.application:
            who += f", application {self.application!r}"
        if self.state:
            who += f", {self.state}"
            if self.age_seconds is not None:
                who += f" for {_age(self.age_seconds)}"
        return (
            f"pid {self.pid} ({who}) holds {self.held.pg_name} on {self.table}; the plan needs "
            f"{self.wanted.pg_name} there and would wait for it, with every query after it"
        )


def blockers(conn: sa.Connection, needed: Mapping[str, LockMode]) -> list[Blocker]:
    """The sessions holding locks that conflict with ``needed`` (table -> the plan's lock)."""
    oids: dict[int, tuple[str, LockMode]] = {}
    for table, mode in needed.items():
        oid = conn.execute(sa.text(f"SELECT {REGCLASS}::oid"), {"name": table}).scalar()
        if oid is not None:
            oids[int(oid)] = (table, mode)
    if not oids:
        return []
    rows = conn.execute(_HOLDERS, {"oids": list(oids)}).mappings().all()
    found: list[Blocker] = []
    for row in rows:
        held = LockMode.from_pg(row["mode"])
        table, wanted = oids[int(row["oid"])]
        if held is None or not conflicts(wanted, held):
            continue
        found.append(
            Blocker(
                pid=int(row["pid"]),
                user=row["usename"],
                application=row["application_name"] or None,
                state=row["state"],
                age_seconds=float(row["age"]) if row["age"] is not None else None,
                table=table,
                held=held,
                wanted=wanted,
            )
        )
    return found


def _age(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
