"""Unleash's client specification, the shared conformance cases every Unleash SDK runs.

It comes from npm (`@unleash/client-specification`, pinned in tests/unleash/package.json),
installed by tests/support/npm.py on first use; the repo holds none of its files. Test
modules parametrize over `files()` at collection: if the package cannot be installed,
that is one placeholder name whose test fails with the reason (`load()` raises it),
rather than an error that would stop the collection of every other test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import npm

SPEC_DIR = npm.PACKAGE_DIR / "node_modules" / "@unleash" / "client-specification" / "specifications"

DELTA_API = frozenset({"19-delta-api-hydration.json", "20-delta-api-events.json"})
"""Files 19 and 20 test the delta API (events applied to a cache): the engine does not take it."""

UNAVAILABLE = "specification-not-installed"


def spec_dir() -> Path:
    """The installed `specifications/` directory; raises `npm.NodeUnavailable` if it cannot be."""
    npm.ensure_installed()
    return SPEC_DIR


def files(*, exclude: frozenset[str] = DELTA_API) -> list[str]:
    """The specification's file names (its own index.json), or `[UNAVAILABLE]`."""
    try:
        index = json.loads((spec_dir() / "index.json").read_text(encoding="utf-8"))
    except npm.NodeUnavailable:
        return [UNAVAILABLE]
    return [name for name in index if name not in exclude]


def load(name: str) -> dict[str, Any]:
    """One specification file, decoded; raises why the package is missing if it is."""
    suite = json.loads((spec_dir() / name).read_text(encoding="utf-8"))
    assert isinstance(suite, dict)
    return suite
