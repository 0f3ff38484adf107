"""What a passing check vouches for: the plan's revisions (their files' bytes), the heads it
goes to, and migsafe's version; and, when an upgrade's plan differs, what changed.

``migsafe check --record`` stores the manifest with its result; ``upgrade --require-check``
compares its own plan's manifest with it (issue 14).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migsafe.version import __version__


@dataclass(frozen=True)
class Manifest:
    """The plan a check ran on, as data that survives a JSON round trip."""

    target_heads: tuple[str, ...]
    revisions: tuple[tuple[str, str], ...]  # (revision, sha256 of its file), in plan order
    migsafe_version: str = __version__
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", _digest(self.to_dict(with_digest=False)))

    def to_dict(self, *, with_digest: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "target_heads": list(self.target_heads),
            "revisions": [list(pair) for pair in self.revisions],
            "migsafe_version": self.migsafe_version,
        }
        if with_digest:
            data["digest"] = self.digest
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(
            target_heads=tuple(data["target_heads"]),
            revisions=tuple((str(r), str(h)) for r, h in data["revisions"]),
            migsafe_version=str(data["migsafe_version"]),
        )


def manifest(target_heads: Sequence[str], files: Sequence[tuple[str, Path]]) -> Manifest:
    """The manifest of a plan: ``files`` is (revision, path of its file), in plan order."""
    return Manifest(
        target_heads=tuple(sorted(target_heads)),
        revisions=tuple(
            (revision, hashlib.sha256(path.read_bytes()).hexdigest()) for revision, path in files
        ),
    )


def changes(checked: Manifest, now: Manifest) -> list[str]:
    """What differs between the plan a check passed on and the plan about to run, in words;
    empty when they are the same plan."""
    if checked.digest == now.digest:
        return []
    out: list[str] = []
    if checked.migsafe_version != now.migsafe_version:
        out.append(f"migsafe {checked.migsafe_version} -> {now.migsafe_version}")
    if checked.target_heads != now.target_heads:
        out.append(
            f"target {', '.join(checked.target_heads) or 'base'} -> "
            f"{', '.join(now.target_heads) or 'base'}"
        )
    before, after = dict(checked.revisions), dict(now.revisions)
    for revision in after:
        if revision not in before:
            out.append(f"revision {revision} was not in the checked plan")
        elif before[revision] != after[revision]:
            out.append(f"revision {revision}'s file changed since the check")
    for revision in before:
        if revision not in after:
            out.append(f"revision {revision} is no longer in the plan")
    if not out:
        out.append("the revisions run in another order")
    return out


def _digest(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
