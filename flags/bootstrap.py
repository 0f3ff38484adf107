"""The bootstrap document: what a client answers from until its backend first answers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flags.errors import FlagConfigError, FlagDefinitionError
from flags.jsonfile import read_json_file
from flags.model import ClientFeatures

Bootstrap = str | os.PathLike[str] | Mapping[str, object] | ClientFeatures
"""A client-features document, or the path of a JSON file holding one."""


def load_bootstrap(source: Bootstrap) -> Mapping[str, object] | ClientFeatures:
    """The document of `source`, read now (start-up is the only time a client reads files).

    Raises `FlagConfigError` if the file cannot be read and `FlagDefinitionError`
    if it is not a JSON object (or too large, or nested too deep: `flags.jsonfile`).
    """
    if isinstance(source, Mapping | ClientFeatures):
        return source
    path = Path(source)
    try:
        raw = read_json_file(path)
    except FlagConfigError as exc:
        raise FlagConfigError(f"the bootstrap file: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise FlagDefinitionError("a client-features document is a JSON object", str(path))
    return raw
