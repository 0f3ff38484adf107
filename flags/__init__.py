"""Schema-aware feature flags, defined in Unleash's client-features format.

`Engine(state)` evaluates a `GET /api/client/features` document with Unleash's
semantics: `engine.is_enabled("new_checkout", {"userId": "42"})` and
`engine.get_variant(...)` never raise. `flags` does not depend on `migsafe`.
"""

from __future__ import annotations

from flags.client import FlagClient
from flags.errors import FlagDefinitionError
from flags.evaluate import Context, Engine
from flags.model import (
    ClientFeatures,
    Constraint,
    Dependency,
    Feature,
    Override,
    Payload,
    Segment,
    Strategy,
    VariantDefinition,
    dump_client_features,
    dump_feature,
)
from flags.parsing import load_client_features, parse_client_features, parse_feature
from flags.variant import Variant

__all__ = [
    "ClientFeatures",
    "Constraint",
    "Context",
    "Dependency",
    "Engine",
    "Feature",
    "FlagClient",
    "FlagDefinitionError",
    "Override",
    "Payload",
    "Segment",
    "Strategy",
    "Variant",
    "VariantDefinition",
    "dump_client_features",
    "dump_feature",
    "load_client_features",
    "parse_client_features",
    "parse_feature",
]
