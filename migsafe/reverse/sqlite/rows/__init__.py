"""Before-images of the rows a revision writes on SQLite (the counterpart of reverse/rows)."""

from migsafe.reverse.sqlite.rows.revision import SqliteRevisionRows

__all__ = ["SqliteRevisionRows"]
