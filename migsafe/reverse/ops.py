"""The one operation migsafe adds to Alembic's: putting archived data back.

Restoring has to happen *inside* a reverse script, at a precise point: after a dropped column
is added back, but before NOT NULL, the identity's ALWAYS, and the indexes and constraints that
need its values. So it is an operation like the others, registered through Alembic's plugin
API (``Operations.implementation_for``): reverse scripts run with ``Operations.invoke`` online,
and render in offline mode (``migsafe reverse show``) with no special case.
"""

from __future__ import annotations

from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

from migsafe.reverse._sql import exact
from migsafe.reverse.archive import restore_sql
from migsafe.reverse.model import ArchiveAction


class RestoreArchiveOp(MigrateOperation):
    """Restore the data an :class:`~migsafe.reverse.model.ArchiveAction` kept."""

    def __init__(self, action: ArchiveAction) -> None:
        self.action = action

    def reverse(self) -> MigrateOperation:
        raise NotImplementedError("restoring an archive is only ever part of a reverse script")

    def __repr__(self) -> str:
        return f"RestoreArchiveOp({self.action!r})"


@Operations.implementation_for(RestoreArchiveOp)
def _restore(operations: Operations, operation: RestoreArchiveOp) -> None:
    for stmt in restore_sql(operation.action):
        operations.execute(exact(stmt))
