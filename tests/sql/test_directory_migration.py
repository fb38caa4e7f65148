"""R-PROV-1: revision teamaccess_0016 adds the directory tables, and takes them away again.

On every database: upgrade to the head, connect a directory and provision a user, then
downgrade to teamaccess_0015 (the four tables go, everything else stays; MariaDB
refuses to drop an index a foreign key needs, so the tables go whole), and upgrade
again to a working directory.
"""

from __future__ import annotations

import sqlalchemy as sa

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, upgrade_schema

PREFIX = "tadir_"
TABLES = {f"{PREFIX}{t}" for t in ("directories", "directory_users", "directory_groups", "directory_members")}  # fmt: skip


def _downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from teamaccess.adapters.sql.migrations import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes.update(connection=connection, teamaccess_prefix=PREFIX)
        command.downgrade(config, revision)


def _tables(engine: sa.Engine) -> set[str]:
    return {t for t in sa.inspect(engine).get_table_names() if t.startswith(PREFIX)}


def _provision(engine: sa.Engine, company: str) -> None:
    ta = TeamAccess(SqlStore(engine, prefix=PREFIX))  # random ids: two services, one database
    ta.users.register(f"anna-{company}", f"anna@{company}.example")
    ta.companies.create(f"anna-{company}", company.upper(), company_id=company)
    token = ta.provisioning.connect(f"anna-{company}", company)
    ta.provisioning.create_user(token, "bob", f"bob@{company}.example")
    assert [u.record.user_name for u in ta.provisioning.users(token)] == ["bob"]


def test_r_prov_1_revision_0016_upgrades_and_downgrades_on_every_database(
    sql_store: SqlStore,
) -> None:
    """R-PROV-1: the directory tables come with teamaccess_0016 and go with its downgrade."""
    engine = sql_store.engine
    meta = sa.MetaData()
    try:
        upgrade_schema(engine, prefix=PREFIX)
        assert _tables(engine) >= TABLES
        _provision(engine, "acme")
        _downgrade(engine, "teamaccess_0015")
        left = _tables(engine)
        assert not TABLES & left
        assert f"{PREFIX}memberships" in left
        upgrade_schema(engine, prefix=PREFIX)
        _provision(engine, "beta")
    finally:
        meta.reflect(engine, only=lambda name, _: name.startswith(PREFIX))
        meta.drop_all(engine)
