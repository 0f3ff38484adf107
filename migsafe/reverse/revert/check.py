"""After a revert, before its commit: the schema must be the one recorded before the upgrade.

Whichever way each revision was undone (its stored reverse, its own ``downgrade()``), the
result is compared with the fingerprint taken before the upgrade; a difference rolls the
whole revert back. So an inexact ``downgrade()`` (an enum type it leaves behind) is refused
when it runs, instead of passing silently and making every later revert fail on its leftover.

The refusal says what differs: the description behind the fingerprint is stored with the
run, and :func:`~migsafe.db.fingerprint.wording.worded_differences` turns the two into
lines naming each object (``table "public.users": column "nickname" is missing``): the first
few in the error line, up to :data:`SHOWN_IN_SECTION` under a titled section above it (like
pytest-alembic's failure reports). The two fingerprints go with the error, for the history.
A run recorded before descriptions were stored can only show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from migsafe.db.fingerprint import description_hash
from migsafe.db.fingerprint.wording import capped, worded_differences
from migsafe.engine.runner import fingerprint_scope
from migsafe.engine.session import Session
from migsafe.errors import ReverseMismatch
from migsafe.reverse import store
from migsafe.reverse.store import ReverseSource

if TYPE_CHECKING:
    from migsafe.reverse.revert.stored import StoredRevert

SHOWN_IN_LINE = 3
SHOWN_IN_SECTION = 20
MISMATCH = "the schema after the revert differs from the one recorded before the upgrade"


def check_schema(conn: sa.Connection, session: Session, chosen: StoredRevert) -> None:
    """Raise :class:`ReverseMismatch`, saying what differs, unless the schema on *conn* is
    the one recorded before the oldest revision undone."""
    expected = chosen.expected_schema
    if expected is None:
        return
    description = fingerprint_scope(session).describe(conn)
    got = description_hash(description)
    if got == expected:
        return
    oldest = chosen.rows[-1]
    recorded = (
        store.schema_before_description(conn, session.history.schema, oldest.id)
        if oldest.id is not None
        else None
    )
    ways = [
        f"{u.row.revision}: "
        + (
            "its generated reverse"
            if u.way == store.ReverseSource.GENERATED
            else f"its own downgrade() ({u.why})"
        )
        for u in chosen.undo
    ]
    own = [u.row.revision for u in chosen.undo if u.way == ReverseSource.DOWNGRADE]
    if recorded is None:
        error = ReverseMismatch(
            f"{MISMATCH} (fingerprint {got[:12]} instead of {expected[:12]}; run "
            f"{oldest.run_id} was recorded without the description that would say what "
            "differs)",
            hint=_hint(own, listed=False),
        )
        error.sections = (("how each revision was undone", tuple(ways)),)
        raise error
    if own and description.get("dialect") == "sqlite":
        # SQLite keeps a table's CREATE TABLE text as typed, and ALTER TABLE or a batch
        # rebuild in a downgrade() rewrites it (the name comes back quoted, an added column
        # lands last): such text cannot come back exactly; what it defines (columns, types,
        # NOT NULL, defaults, keys, indexes, foreign keys) must.
        recorded, description = _without_table_text(recorded), _without_table_text(description)
    lines = worded_differences(recorded, description)
    if not lines:
        return
    error = ReverseMismatch(f"{MISMATCH}: {_summary(lines)}", hint=_hint(own, listed=True))
    error.fingerprints = (expected, got)
    error.sections = (
        (
            f"schema after the revert, against the one recorded before {oldest.revision} "
            f"(run {oldest.run_id}): {len(lines)} difference(s)",
            capped(lines, SHOWN_IN_SECTION),
        ),
        ("how each revision was undone", tuple(ways)),
    )
    raise error


def _hint(own: Sequence[str], *, listed: bool) -> str:
    listed_text = " (what differs is listed above)" if listed else ""
    if own:
        return (
            f"{', '.join(own)}: undone by its own downgrade(), which does not bring the "
            f"schema back exactly{listed_text}: fix it, or go back with --from-snapshot"
        )
    return (
        "something changed the schema outside the migrations since they were applied"
        f"{listed_text}; --use-downgrade or --from-snapshot are the other ways back"
    )


def _summary(lines: Sequence[str]) -> str:
    shown = "; ".join(lines[:SHOWN_IN_LINE])
    more = f"; and {len(lines) - SHOWN_IN_LINE} more" if len(lines) > SHOWN_IN_LINE else ""
    return f"{len(lines)} difference(s): {shown}{more}"


def _without_table_text(description: dict[str, Any]) -> dict[str, Any]:
    relations = {
        name: {
            k: v
            for k, v in relation.items()
            if not (k == "sql" and relation.get("kind") == "table")
        }
        for name, relation in description.get("relations", {}).items()
    }
    return {**description, "relations": relations}
