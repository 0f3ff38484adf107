"""Schema-aware feature flags, defined in Unleash's client-features format.

`FlagClient.from_database(url)` follows the flags kept in the application's
PostgreSQL database; `client.is_enabled("new_checkout", {"userId": "42"})` and
`client.get_variant(...)` never raise and never do I/O. A flag can require an
Alembic revision (`PostgresStore.require`) and is then off wherever that
revision is not applied. `client.explain(...)` says which layer decided (see
`flags.layers`). `Engine(state)` evaluates a `GET /api/client/features`
document with Unleash's semantics. `flags` does not depend on `migsafe`;
docs/flags.md is the guide.
"""

from __future__ import annotations

from flags.backends.notify import notify_schema_changed
from flags.client import FlagClient
from flags.errors import FlagConfigError, FlagDefinitionError
from flags.evaluate import Context, Engine
from flags.layers import Decision, Layer
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
    "Decision",
    "Dependency",
    "Engine",
    "Feature",
    "FlagClient",
    "FlagConfigError",
    "FlagDefinitionError",
    "Layer",
    "Override",
    "Payload",
    "Segment",
    "Strategy",
    "Variant",
    "VariantDefinition",
    "dump_client_features",
    "dump_feature",
    "load_client_features",
    "notify_schema_changed",
    "parse_client_features",
    "parse_feature",
]
