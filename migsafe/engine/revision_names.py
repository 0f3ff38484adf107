"""Revision names a user types: a name that matches none is answered with the closest ones.

A typo (`revert --to 0006_spilt`) must say "no such revision" and offer what was probably
meant, not fall through to a later, stranger failure (no way back, restore a snapshot). The
known names are the project's revisions and branch labels and, for reverts, the revisions
migsafe stored reverses for (a newer release may have applied revisions this checkout lacks).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from alembic.script.revision import RevisionError as AlembicRevisionError
from alembic.util import CommandError

from migsafe.errors import RevisionError

if TYPE_CHECKING:
    from migsafe.engine.project import Project

_SYMBOLIC = frozenset({"head", "heads", "base"})
# Alembic's own forms: relative (`-1`, `+2`, `rev+1`), `branch@head`, ranges (`a:b`).
_FORMS = re.compile(r"^[+-]\d+$|[@:]|\w[+-]\d+$")


def project_names(project: Project) -> set[str]:
    """The project's revision ids and branch labels; empty when the files cannot be read (the
    error that says why comes from the command itself)."""
    try:
        scripts = list(project.script.walk_revisions())
    except (AlembicRevisionError, CommandError, SyntaxError, OSError, ValueError):
        return set()
    names = {s.revision for s in scripts}
    for script in scripts:
        names.update(script.branch_labels)
    return names


def names_a_revision(name: str, known: Iterable[str]) -> bool:
    """Whether *name* can name a revision: a symbolic or relative form, a known name, or a
    prefix of one (Alembic takes unique prefixes; an ambiguous one is its own error)."""
    if name in _SYMBOLIC or _FORMS.search(name):
        return True
    return any(k.startswith(name) for k in known)


def closest(name: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """The known names *name* most likely meant: close to the whole name, or to as much of it
    as was typed (revision ids are long: ``0006_spilt`` is a typo of ``0006_split_customer_name``
    that a whole-name comparison rates too far)."""
    scored = []
    for candidate in sorted(set(known)):
        whole = difflib.SequenceMatcher(None, name, candidate).ratio()
        start = difflib.SequenceMatcher(None, name, candidate[: len(name)]).ratio()
        score = max(whole, start if start >= 0.8 else 0.0)
        if score >= 0.6:
            scored.append((-score, candidate))
    scored.sort()
    # Only those about as close as the closest: one clear match is not diluted by weak ones.
    return [candidate for score, candidate in scored[:n] if score <= scored[0][0] + 0.1]


def no_such_revision(name: str, known: Iterable[str]) -> RevisionError:
    """The error for a revision name that matches nothing, with the closest known names."""
    close = closest(name, known)
    hint = "`migsafe status` lists the project's revisions, `migsafe history` the applied ones"
    if close:
        hint = f"did you mean {' or '.join(close)}? " + hint
    return RevisionError(f"no such revision {name!r}", hint=hint)


def check(name: str, known: Iterable[str]) -> None:
    """Raise :func:`no_such_revision` unless *name* can name one of *known*."""
    names = set(known)
    if not names_a_revision(name, names):
        raise no_such_revision(name, names)
