"""Revision-bound flags: a flag that requires an Alembic revision is on only where it is applied.

`requirement` is how the requirement is written in a feature's definition;
`rules` decides what "applied" means (with or without the app's script
directory); `gate` turns both, plus the heads read from the database, into the
`Engine` gate.
"""

from __future__ import annotations

from flags.revisions.gate import revision_gate
from flags.revisions.requirement import required_revision, with_required_revision
from flags.revisions.rules import ExactHeads, RevisionRule, ScriptHistory, rule_for

__all__ = [
    "ExactHeads",
    "RevisionRule",
    "ScriptHistory",
    "required_revision",
    "revision_gate",
    "rule_for",
    "with_required_revision",
]
