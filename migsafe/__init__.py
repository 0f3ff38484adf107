"""migsafe: recoverable schema changes for Alembic projects."""

__version__ = "0.1.0"
