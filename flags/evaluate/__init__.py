"""Evaluation: client-features definitions compiled into fast, never-raising checks.

`engine` serves answers; `feature` compiles one feature once, with `matching`
(its strategies and which one decides the variants), `dependencies` (parent
features) and `variants` (the sticky weighted draw). `strategies/` holds one
module per activation strategy and `constraints/` one per operator family, each
in an explicit registry. `context` reads fields from what callers pass;
`predicates` folds constants so that a plain flag is a dictionary lookup.
"""

from __future__ import annotations

from flags.evaluate.context import Context
from flags.evaluate.engine import Engine

__all__ = ["Context", "Engine"]
