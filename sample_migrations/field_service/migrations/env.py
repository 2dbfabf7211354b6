"""Alembic environment for the fieldsvc work-order service.

The database URL is taken from the ``DATABASE_URL`` environment variable when
it is set, otherwise from ``sqlalchemy.url`` in alembic.ini.

Revisions import the application package (``fieldsvc.db.types``) and two
Alembic plugins:

* ``alembic_postgresql_enum`` provides ``op.sync_enum_values``; it registers
  the operation when imported, so it is imported here, before any revision
  runs.
* ``alembic_utils`` provides ``op.create_entity`` / ``op.replace_entity`` /
  ``op.drop_entity``; revisions import its entity classes themselves.
"""
import os
import sys
from logging.config import fileConfig
from pathlib import Path

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

# The project directory (the one holding alembic.ini and the fieldsvc
# package), so that ``import fieldsvc`` works whatever directory alembic is
# started from. alembic.ini's ``prepend_sys_path = .`` covers the usual case.
PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

import alembic_postgresql_enum  # noqa: E402,F401  registers op.sync_enum_values

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

database_url = os.environ.get("DATABASE_URL")
if database_url:
    # configparser treats '%' as interpolation syntax, so escape it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))

# The models live in the application; this sample ships only the column
# types the revisions need, so autogenerate is not wired up here.
target_metadata = None


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL and not an Engine.
    Calls to context.execute() emit the given string to the script output.
    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine and associate a
    connection with the context.
    """
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
