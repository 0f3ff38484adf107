"""What running apps see of each flag now, and why, next to what is stored.

A flag stored `on` that requires a revision the database lacks is `off` in every client: the
operator must see that. The answer comes from the clients' own evaluation, `flags.Engine` with
`flags.revisions.revision_gate`, over the same snapshot a client reads (the document and the
version table's heads), never from a second copy of its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flags.backends.base import AuditEntry
    from flags.revisions import RevisionRule


@dataclass(frozen=True)
class Effective:
    """One flag as apps see it: on (for the users its rollout selects) or off, and why off."""

    on: bool
    reason: str | None = None


def effective_states(
    document: Mapping[str, Any],
    heads: frozenset[str] | None,
    rule: RevisionRule,
    *,
    version_table: str,
    audit: Callable[[str], Sequence[AuditEntry]],
) -> dict[str, Effective]:
    """Each flag of *document* as a client evaluates it with *heads* (None: the version table
    could not be read, and gated flags are held off, as in the clients). *audit* gives a flag's
    changes, read only for flags switched off, to say who switched it off and why."""
    from flags.evaluate.engine import Engine
    from flags.revisions import required_revision, revision_gate

    engine = Engine(document, gate=revision_gate(heads, rule), hostname="migsafe")
    features = {str(f["name"]): f for f in document.get("features", [])}
    out: dict[str, Effective] = {}
    for name, feature in features.items():
        if name in engine.disabled:
            out[name] = Effective(False, _switched_off(audit(name)))
        elif name in engine.gated:
            required = required_revision(feature) or "an unreadable revision"
            where = (
                f"the version table {version_table} cannot be read"
                if heads is None
                else f"database at {', '.join(sorted(heads)) or 'base'}"
            )
            out[name] = Effective(False, f"requires {required}, {where}")
        elif engine.is_static(name) and not engine.is_enabled(name):
            out[name] = Effective(False, _static_off(name, feature, engine.problems))
        else:
            out[name] = Effective(True)
    return out


def _static_off(name: str, feature: Mapping[str, Any], problems: Sequence[str]) -> str:
    if any(repr(name) in problem or name in problem for problem in problems):
        return "its definition cannot be read"
    parents = [str(d.get("feature")) for d in feature.get("dependencies") or ()]
    if parents:
        return f"depends on {', '.join(parents)}, which is off"
    return "its rollout selects no one"


def _switched_off(entries: Sequence[AuditEntry]) -> str:
    """`killed by ACTOR (REASON)`: the newest change that switched it from on to off."""
    for entry in reversed(entries):
        was_on = bool(entry.old and entry.old.get("enabled"))
        now_off = not (entry.new and entry.new.get("enabled"))
        if was_on and now_off:
            return f"killed by {entry.actor}" + (f" ({entry.reason})" if entry.reason else "")
    return "not enabled yet"
