"""Running single operations through the production capture, outside a migsafe run.

:func:`apply_reversibly` hands *op* to :meth:`ReverseCapture.invoke`, exactly as the guard does
for every operation a revision invokes (reverse first, archive, then the operation, on
PostgreSQL the keep-on-revert statements), with every step allowed, and returns the reverses
that were made. It is how the generator is exercised operation by operation (the tests, a
debugging session); :func:`undo` runs such reverses back through Alembic's operations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

from migsafe.errors import NotReversibleError
from migsafe.reverse.capture import CoveredBy, FingerprintScope, ReverseCapture
from migsafe.reverse.generate import DEFAULT_ARCHIVE_SCHEMA
from migsafe.reverse.model import Reverse, reverse_script

_REVISION = "(single operation)"


def apply_reversibly(
    op: MigrateOperation,
    operations: Operations,
    *,
    archive_schema: str = DEFAULT_ARCHIVE_SCHEMA,
    run: Callable[[MigrateOperation], Any] | None = None,
) -> list[Reverse]:
    """Run *op* and return the reverses of everything that ran, in the order it ran.

    *run* executes one operation (default ``operations.invoke``).
    """
    capture = ReverseCapture(
        archive_schema=archive_schema,
        coverage=lambda _revision: CoveredBy.ALLOW_IRREVERSIBLE,
        scope=FingerprintScope(exclude_schemas=(), exclude_tables=()),
        version_table="alembic_version",
    )
    capture.invoke(_REVISION, op, operations, run or operations.invoke)
    return capture.reverses(_REVISION)


def undo(reverses: Sequence[Reverse], operations: Operations) -> None:
    """Run the reverse scripts of *reverses* (as returned by :func:`apply_reversibly`), last
    first. Refuses before running anything if one of them is irreversible."""
    refused = [r.irreversible for r in reverses if r.irreversible]
    if refused:
        raise NotReversibleError(
            "no generated reverse: " + "; ".join(refused),
            hint="revert from the snapshot taken before the upgrade",
        )
    for op in reverse_script(reverses):
        operations.invoke(op)
