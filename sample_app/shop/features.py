"""The shop's feature flags: loyalty points are revision-bound to the migration that adds them.

`0008_loyalty_points` is the riskiest migration of the sample app, so the feature it brings is
behind the flag `loyalty_points`, which requires that revision. Where the database does not
have it (before the upgrade, or after `migsafe revert` took it back), or when an operator has
switched it off (`migsafe flags disable loyalty_points --reason ...`), the shop behaves as it
did before 0008: no points are awarded or shown, and the column is never read.

On PostgreSQL the flags live in the shop's own database (`FlagClient.from_database`): every
process follows changes as they commit, and a revert below 0008 turns the feature off in all
of them. On SQLite (the quickstart) there is no change feed: the flags come from `BOOTSTRAP`
and the revisions the database is at when the app starts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Engine

from flags import FlagClient

LOYALTY = "loyalty_points"
LOYALTY_REVISION = "0008_loyalty_points"
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"

LOYALTY_FEATURE: dict[str, Any] = {
    "name": LOYALTY,
    "type": "release",
    "description": "loyalty points on customers and orders (0008_loyalty_points)",
    "enabled": True,
    "strategies": [{"name": "default", "parameters": {}, "constraints": []}],
    "variants": [],
    "migsafe": {"requiresRevision": LOYALTY_REVISION},
}

BOOTSTRAP: dict[str, Any] = {"version": 2, "features": [LOYALTY_FEATURE], "segments": []}
"""What the shop answers from without a flag store, or before the database first answers."""

logger = logging.getLogger(__name__)


def make_flags(engine: Engine) -> FlagClient:
    """The shop's flag client: the database's flags on PostgreSQL, the bootstrap elsewhere."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        return FlagClient.from_database(url, alembic_config=ALEMBIC_INI, bootstrap=BOOTSTRAP)
    return FlagClient.from_features(
        BOOTSTRAP, heads=current_heads(engine), alembic_config=ALEMBIC_INI
    )


def current_heads(engine: Engine) -> tuple[str, ...] | None:
    """The revisions the database is at; None if they cannot be read (the flag is then off)."""
    try:
        with engine.connect() as conn:
            return tuple(MigrationContext.configure(conn).get_current_heads())
    except Exception:  # a database we cannot read must not stop the shop: fail closed
        logger.warning("shop: cannot read the Alembic version table; loyalty points are off")
        return None


def register_flags(engine: Engine, *, actor: str = "sample_app seed") -> bool:
    """Store the shop's flags in a PostgreSQL database that lacks them; True if it did.

    An operator's later changes (disable, rollout...) are kept: an existing flag is left alone.
    """
    if engine.dialect.name != "postgresql":
        return False
    from flags.backends import PostgresStore

    store = PostgresStore(engine.url.render_as_string(hide_password=False))
    _, document = store.load()
    if any(feature["name"] == LOYALTY for feature in document["features"]):
        return False
    store.upsert(LOYALTY_FEATURE, actor=actor, reason="the shop's flags, first deployment")
    return True
