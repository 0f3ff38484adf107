"""migsafe: recoverable schema changes for Alembic projects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from migsafe.version import __version__

if TYPE_CHECKING:
    from migsafe.embedding import run, settings_for

__all__ = ["__version__", "run", "settings_for"]


def __getattr__(name: str) -> Any:
    # `import migsafe` stays cheap: the command line machinery loads on first use.
    if name in ("run", "settings_for"):
        from migsafe import embedding

        return getattr(embedding, name)
    raise AttributeError(name)
