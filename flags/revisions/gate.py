"""The revision gate: a feature that requires a revision is off until the database has it."""

from __future__ import annotations

from flags.evaluate.engine import Gate
from flags.model import Feature
from flags.revisions.requirement import required_revision
from flags.revisions.rules import RevisionRule


def revision_gate(heads: frozenset[str] | None, rule: RevisionRule) -> Gate:
    """A gate for an `Engine`: features without a requirement pass; others need it applied.

    `heads` None means the version table could not be read: every feature with
    a requirement is held off (fail closed).
    """
    applied = None if heads is None else rule.applied(heads)

    def allows(feature: Feature) -> bool:
        required = required_revision(feature)
        if required is None:
            return True
        return applied is not None and applied(required)

    return allows
