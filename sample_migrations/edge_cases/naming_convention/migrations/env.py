"""Alembic environment of the naming-convention fixture.

The models' metadata is passed to Alembic, so its naming convention names
the constraints and indexes the revisions leave unnamed. The database URL
comes from ``DATABASE_URL`` when it is set.
"""
import os

from alembic import context
from sqlalchemy import engine_from_config, pool

from shop import models

config = context.config
target_metadata = models.Base.metadata


def get_url() -> str:
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(url=get_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = dict(config.get_section(config.config_ini_section) or {})
    section["sqlalchemy.url"] = get_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
