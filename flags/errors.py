"""The one error type of `flags`: a flag definition that cannot be used as written.

Evaluation never raises (see `flags.evaluate.engine`), so this error only ever
reaches code that loads or validates definitions: parsing client-features JSON,
or compiling a feature whose definition is unusable.
"""

from __future__ import annotations


class FlagDefinitionError(ValueError):
    """A flag definition is malformed; `path` says where (e.g. `features[3].strategies[0]`)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
