"""The answer to `get_variant`: which variant a context gets, in Unleash SDKs' shape."""

from __future__ import annotations

from dataclasses import dataclass

from flags.model import Payload


@dataclass(frozen=True)
class Variant:
    """A variant, or `disabled` when there is none to give.

    `enabled` is whether a real variant was chosen; `feature_enabled` whether
    the feature itself is on for the context (a feature can be on with no
    variants, which gives `disabled` with `feature_enabled=True`).
    """

    name: str
    enabled: bool
    feature_enabled: bool
    payload: Payload | None = None


DISABLED = Variant(name="disabled", enabled=False, feature_enabled=False)
"""Unknown feature, feature off for the context, or evaluation failed."""

DISABLED_FEATURE_ON = Variant(name="disabled", enabled=False, feature_enabled=True)
"""The feature is on for the context but has no variant to give."""
