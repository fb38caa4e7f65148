"""Alembic environment for the teamaccess tables; run through ``upgrade_schema``."""

from __future__ import annotations

from alembic import context

from teamaccess.adapters.sql._schema import DEFAULT_PREFIX, build_tables

config = context.config
prefix = config.attributes.get("teamaccess_prefix", DEFAULT_PREFIX)
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=build_tables(prefix).metadata,
    version_table=f"{prefix}alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
