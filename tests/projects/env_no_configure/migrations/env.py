"""An env.py that forgot to call context.configure() (and so never runs a migration)."""

from logging.config import fileConfig

from alembic import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    print(f"would migrate, but never configured the context (url set: {bool(url)})")


run_migrations_online()
