"""Demo application used to show migsafe on a realistic Alembic project."""
