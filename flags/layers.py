"""Which layer decides a flag's answer, from the strongest down.

| layer          | decides when                                                    | answer     |
|----------------|-----------------------------------------------------------------|------------|
| kill switch    | the definition in use has `enabled: false`                      | off        |
| revision gate  | it requires an Alembic revision the database does not have      | off        |
| live           | the backend answered at the last attempt                        | strategies |
| last known     | the backend is down: the last definitions it gave               | strategies |
| bootstrap      | nothing loaded from the backend yet: the bootstrap document     | strategies |
| default        | the flag is unknown to whichever of the above is in use         | `default`  |

The kill switch and the gate apply to whichever definitions are in use (live,
last known or bootstrap), which is why they sit above all three. A client
holds one immutable `FlagState`, replaced whole on every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flags.evaluate import Context, Engine
from flags.variant import DISABLED, Variant


class Layer(StrEnum):
    """The layer that decided an answer (see the table above)."""

    KILL_SWITCH = "kill-switch"
    REVISION_GATE = "revision-gate"
    LIVE = "live"
    LAST_KNOWN = "last-known"
    BOOTSTRAP = "bootstrap"
    DEFAULT = "default"


class Origin(StrEnum):
    """Where the definitions a client is answering from came from."""

    SOURCE = "source"
    """The backend (or, for `from_features`, the fixed document)."""

    BOOTSTRAP = "bootstrap"
    NOTHING = "nothing"
    """No backend answer yet and no bootstrap: every flag gives the default."""


@dataclass(frozen=True)
class FlagState:
    """Everything a client answers from, swapped in with one assignment."""

    engine: Engine
    origin: Origin
    version: int | None = None
    """The store's state version; None if not from a versioned store."""

    heads: frozenset[str] | None = None
    """The Alembic heads the revision gate used; None if unknown (gated flags are off)."""


@dataclass(frozen=True)
class Decision:
    """One answer and the layer that gave it."""

    name: str
    enabled: bool
    layer: Layer
    variant: Variant
    static: bool
    """Whether the answer is the same for every context (no targeting involved)."""


def decide(
    state: FlagState, name: str, context: Context | None, default: bool, *, stale: bool
) -> Decision:
    """The answer for `name` and its layer; `stale` means the backend is down. Never raises."""
    engine = state.engine
    try:
        if not engine.knows(name):
            return Decision(name, default, Layer.DEFAULT, DISABLED, static=True)
        if name in engine.disabled:
            return Decision(name, False, Layer.KILL_SWITCH, DISABLED, static=True)
        if name in engine.gated:
            return Decision(name, False, Layer.REVISION_GATE, DISABLED, static=True)
    except Exception:  # e.g. an unhashable name
        return Decision(str(name), default, Layer.DEFAULT, DISABLED, static=True)
    if state.origin is Origin.BOOTSTRAP:
        layer = Layer.BOOTSTRAP
    else:
        layer = Layer.LAST_KNOWN if stale else Layer.LIVE
    return Decision(
        name,
        engine.is_enabled(name, context, default),
        layer,
        engine.get_variant(name, context),
        static=engine.is_static(name),
    )
