"""One function per command. The CLI parses options, calls one of these, renders the result.

One module per command group: :mod:`.runs` (upgrade, revert, status, history), :mod:`.snapshots`,
:mod:`.reverse` (reverse scripts and archives), :mod:`.flags` (imported on its own: the other
commands must not pay for it at start-up). Engine modules are imported inside the functions:
`migsafe status` must answer in well under a second.
"""

from __future__ import annotations

from migsafe.api._common import ConfirmFn
from migsafe.api.lint import lint, lint_rule, lint_rules
from migsafe.api.reverse import archive_list, archive_prune, reverse_show
from migsafe.api.runs import history, revert, revert_from_snapshot, status, upgrade
from migsafe.api.snapshots import (
    snapshot_create,
    snapshot_list,
    snapshot_prune,
    snapshot_restore,
    snapshot_show,
    snapshot_verify,
)

__all__ = [
    "ConfirmFn",
    "archive_list",
    "archive_prune",
    "history",
    "lint",
    "lint_rule",
    "lint_rules",
    "reverse_show",
    "revert",
    "revert_from_snapshot",
    "snapshot_create",
    "snapshot_list",
    "snapshot_prune",
    "snapshot_restore",
    "snapshot_show",
    "snapshot_verify",
    "status",
    "upgrade",
]
