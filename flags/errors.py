"""The errors of `flags`: a definition that cannot be used, a client set up wrongly.

Evaluation never raises (see `flags.evaluate.engine`), so these errors only ever
reach code that loads or validates definitions (parsing client-features JSON,
compiling a feature whose definition is unusable) or that builds a client.
"""

from __future__ import annotations


class FlagDefinitionError(ValueError):
    """A flag definition is malformed; `path` says where (e.g. `features[3].strategies[0]`)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class FlagConfigError(ValueError):
    """A flag client was set up with something it cannot use (a missing Alembic config...)."""

    exit_code = 2
    hint = "check the paths and options passed to FlagClient"


class StoreTooNew(FlagConfigError):
    """The flag store's tables were made by a newer release, whose rows this one cannot read."""

    hint = "upgrade migsafe to the release that last wrote to this store"
