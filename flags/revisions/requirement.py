"""How a flag's revision requirement is written inside its Unleash definition.

The requirement rides in the feature object as one namespaced extra property,
`"migsafe": {"requiresRevision": "<alembic revision>"}`, so an exported
document stays valid client-features JSON: Unleash SDKs ignore keys they do
not know, and `flags.parsing` keeps them in `Feature.extra`, so parsing then
dumping loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flags.model import Feature

NAMESPACE = "migsafe"
"""The extra property of a feature that holds migsafe's own settings for it."""

REQUIRES_REVISION = "requiresRevision"


UNMEETABLE = ""
"""What a malformed requirement reads as: no revision is ever applied, so the flag is off."""


def required_revision(feature: Feature | Mapping[str, Any]) -> str | None:
    """The Alembic revision `feature` requires, None if none, `UNMEETABLE` if malformed.

    Fails closed: a requirement that is there but unreadable (not a non-empty
    string) cannot be met, rather than being ignored.
    """
    extra = feature.extra if isinstance(feature, Feature) else feature
    if NAMESPACE not in extra:
        return None
    settings = extra[NAMESPACE]
    if not isinstance(settings, Mapping):
        return UNMEETABLE
    if REQUIRES_REVISION not in settings or settings[REQUIRES_REVISION] is None:
        return None
    revision = settings[REQUIRES_REVISION]
    return revision if isinstance(revision, str) and revision else UNMEETABLE


def with_required_revision(definition: Mapping[str, Any], revision: str | None) -> dict[str, Any]:
    """A copy of the feature JSON `definition` requiring `revision` (None: no requirement)."""
    out = dict(definition)
    settings = out.get(NAMESPACE)
    settings = dict(settings) if isinstance(settings, Mapping) else {}
    if revision is None:
        settings.pop(REQUIRES_REVISION, None)
    else:
        settings[REQUIRES_REVISION] = revision
    if settings:
        out[NAMESPACE] = settings
    else:
        out.pop(NAMESPACE, None)
    return out
