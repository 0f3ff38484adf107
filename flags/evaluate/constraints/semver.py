"""Versions as Unleash's engine reads them: strict SemVer 2.0, compared by precedence.

A version is `MAJOR.MINOR.PATCH[-pre][+build]` with no leading zeros and no `v`;
build metadata does not affect precedence.
"""

from __future__ import annotations

import re

_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
_VERSION = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    rf"(?:-({_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
    r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"
)

VersionKey = tuple[int, int, int, tuple[tuple[int, int | str], ...]]


def version_key(text: str) -> VersionKey | None:
    """A key whose ordering is SemVer precedence, or None if `text` is not a version."""
    match = _VERSION.fullmatch(text)
    if match is None:
        return None
    major, minor, patch, prerelease = match.groups()
    if prerelease is None:
        # A release sorts after all of its pre-releases: (1,) > (0, ...).
        pre: tuple[tuple[int, int | str], ...] = ((1, 0),)
    else:
        pre = ((0, 0), *((0, int(p)) if p.isdigit() else (1, p) for p in prerelease.split(".")))
    return int(major), int(minor), int(patch), pre
