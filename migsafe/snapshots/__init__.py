"""Snapshots: a verified pg_dump (or SQLite backup) taken before a migration, and its restore."""
