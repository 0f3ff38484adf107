"""The bootstrap document: what a client answers from until its backend first answers."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from flags.errors import FlagConfigError, FlagDefinitionError
from flags.model import ClientFeatures

Bootstrap = str | os.PathLike[str] | Mapping[str, object] | ClientFeatures
"""A client-features document, or the path of a JSON file holding one."""


def load_bootstrap(source: Bootstrap) -> Mapping[str, object] | ClientFeatures:
    """The document of `source`, read now (start-up is the only time a client reads files).

    Raises `FlagConfigError` if the file cannot be read and `FlagDefinitionError`
    if it is not a JSON object.
    """
    if isinstance(source, Mapping | ClientFeatures):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlagConfigError(f"cannot read the bootstrap file {str(path)!r}: {exc}") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlagDefinitionError(f"not JSON: {exc}", str(path)) from exc
    if not isinstance(raw, Mapping):
        raise FlagDefinitionError("a client-features document is a JSON object", str(path))
    return raw
