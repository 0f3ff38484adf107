"""When is an Alembic revision "applied"? Two rules, depending on what the app has.

With the app's Alembic script directory (`ScriptHistory`), a revision is applied
when it is one of the database's current heads or an ancestor of one (through
`down_revision` and `depends_on`), as Alembic itself sees it. Without one
(`ExactHeads`), the history is unknown, so only the heads themselves count: the
requirement is met only while the database is exactly at that revision (on one
of its branches); anything else fails closed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from flags.errors import FlagConfigError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

Applied = Callable[[str], bool]
"""Whether one required revision is applied, for one set of heads."""


class RevisionRule(Protocol):
    """Decides which revisions count as applied for the heads the database has."""

    def applied(self, heads: frozenset[str]) -> Applied:
        """A check for required revisions, given the current heads."""
        ...


@dataclass(frozen=True)
class ExactHeads:
    """The rule without a script directory: applied means one of the current heads, exactly."""

    def applied(self, heads: frozenset[str]) -> Applied:
        """Membership in `heads`."""
        return heads.__contains__


class ScriptHistory:
    """The rule with the app's Alembic script directory: a head or an ancestor of one.

    The script directory is read once, when this is built; `applied` then only
    walks the revision map in memory. A head the script directory does not know
    (the database is ahead of this code) counts only as itself. A required
    revision may be written as Alembic accepts it (a unique prefix, too); one it
    cannot resolve is never applied.
    """

    def __init__(self, script: ScriptDirectory) -> None:
        from alembic.util import CommandError

        self._script = script
        try:
            script.get_heads()  # load every revision file now, not on the listener thread
        except CommandError as exc:
            raise FlagConfigError(f"cannot read the Alembic script directory: {exc}") from exc

    @classmethod
    def from_config(cls, config: str | os.PathLike[str] | Config) -> ScriptHistory:
        """The script directory named by an `alembic.ini` path or an Alembic `Config`."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        if not isinstance(config, Config):
            if not os.path.isfile(config):
                raise FlagConfigError(f"no Alembic config file at {os.fspath(config)!r}")
            config = Config(config)
        try:
            return cls(ScriptDirectory.from_config(config))
        except CommandError as exc:
            raise FlagConfigError(f"cannot read the Alembic script directory: {exc}") from exc

    @classmethod
    def from_location(cls, location: str | os.PathLike[str]) -> ScriptHistory:
        """The script directory at `location` (Alembic's `script_location`)."""
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        try:
            return cls(ScriptDirectory(os.fspath(location)))
        except CommandError as exc:
            raise FlagConfigError(f"cannot read the Alembic script directory: {exc}") from exc

    def applied(self, heads: frozenset[str]) -> Applied:
        """Membership in the heads and all their ancestors."""
        applied: set[str] = set()
        for head in heads:
            try:
                applied.update(r.revision for r in self._script.iterate_revisions(head, "base"))
            except Exception:  # unknown to this code: the database is ahead of it
                applied.add(head)
        resolved: dict[str, bool] = {}

        def check(required: str) -> bool:
            if required in applied:
                return True
            if required not in resolved:
                resolved[required] = self._resolve(required) in applied
            return resolved[required]

        return check

    def _resolve(self, required: str) -> str | None:
        try:
            script = self._script.get_revision(required)
        except Exception:  # unknown or ambiguous: never applied
            return None
        return None if script is None else script.revision


def rule_for(
    alembic_config: str | os.PathLike[str] | Config | None = None,
    script_location: str | os.PathLike[str] | None = None,
) -> RevisionRule:
    """`ScriptHistory` from whichever of the two is given, `ExactHeads` if neither.

    Raises `FlagConfigError` if both are given or the script directory cannot be read.
    """
    if alembic_config is not None and script_location is not None:
        raise FlagConfigError("pass alembic_config or script_location, not both")
    if alembic_config is not None:
        return ScriptHistory.from_config(alembic_config)
    if script_location is not None:
        return ScriptHistory.from_location(script_location)
    return ExactHeads()
