"""A host's own Alembic history includes the teamaccess revisions (branch ``teamaccess``).

The test host has its own env.py and its own revision ``0001`` (the id teamaccess used to
have); ``upgrade heads`` builds both, with the prefix the host picks; ``downgrade
teamaccess@base`` removes teamaccess's tables only; the host's autogenerate, with the
shipped ``exclude_teamaccess`` hook, proposes nothing for teamaccess tables; and a
database stamped by the previous release's revision ids is moved onto the new ones.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from teamaccess.adapters.sql import SCHEMA_VERSION, SqlStore, build_tables, upgrade_schema
from teamaccess.adapters.sql.alembic import BRANCH, VERSIONS_DIR, exclude_teamaccess
from teamaccess.testing import make_service

HOST_ENV = """
from alembic import context
import sqlalchemy as sa
from teamaccess.adapters.sql.alembic import exclude_teamaccess

host = sa.MetaData()
sa.Table("host_orders", host, sa.Column("id", sa.Integer, primary_key=True))
config = context.config
with sa.create_engine(config.get_main_option("sqlalchemy.url")).begin() as connection:
    context.configure(connection=connection, target_metadata=host,
                      include_object=exclude_teamaccess("app_ta_"))
    with context.begin_transaction():
        context.run_migrations()
"""
HOST_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = ("host",)
depends_on = None


def upgrade():
    op.create_table("host_orders", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("host_orders")
"""


@pytest.fixture
def host(tmp_path: Path) -> Config:
    """A host project: its env.py, its revision 0001 and teamaccess's versions, on SQLite."""
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(HOST_ENV)
    (tmp_path / "migrations" / "versions" / "0001_orders.py").write_text(HOST_REVISION)
    config = Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option(
        "version_locations", f"{tmp_path / 'migrations' / 'versions'} {VERSIONS_DIR}"
    )
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'host.sqlite'}")
    config.cmd_opts = type("Opts", (), {"x": ["teamaccess_prefix=app_ta_"]})()
    return config


def _tables(config: Config) -> set[str]:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_host_history_includes_the_teamaccess_branch(host: Config) -> None:
    """Upgrade heads runs both histories with the host's prefix; teamaccess@base removes only ours."""
    command.upgrade(host, "heads")
    tables = _tables(host)
    ours = {table.name for table in build_tables("app_ta_").metadata.sorted_tables}
    assert ours <= tables
    assert {"host_orders", "alembic_version"} <= tables
    assert not any(name.startswith("teamaccess_") for name in tables)  # the prefix applied

    url = host.get_main_option("sqlalchemy.url") or ""
    store = SqlStore.from_url(url, prefix="app_ta_")
    ta = make_service(store)
    ta.users.register("anna", "anna@example.com")
    assert ta.companies.create("anna", "ACME").name == "ACME"
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": exclude_teamaccess("app_ta_")}
        )
        host_metadata = sa.MetaData()
        sa.Table("host_orders", host_metadata, sa.Column("id", sa.Integer, primary_key=True))
        assert compare_metadata(context, host_metadata) == []  # nothing for teamaccess tables
        unguarded = MigrationContext.configure(conn)
        assert compare_metadata(unguarded, host_metadata) != []  # what the hook keeps out
    store.engine.dispose()

    command.downgrade(host, f"{BRANCH}@base")
    tables = _tables(host)
    assert not ours & tables
    assert "host_orders" in tables


def test_a_database_of_the_previous_revision_ids_moves_onto_the_new_ones(tmp_path: Path) -> None:
    """A database stamped '0004' (the old id) is renamed to teamaccess_0004, then upgraded, its rows kept."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    store = SqlStore.from_url(url, prefix="old_")
    upgrade_schema(store.engine, prefix="old_", revision="teamaccess_0004")  # the last release
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with store.engine.begin() as conn:  # rows as that release wrote them, in its columns
        conn.execute(
            sa.insert(sa.table("old_users", *map(sa.column, ("id", "email", "attributes")))),
            {"id": "anna", "email": "anna@example.com", "attributes": "{}"},
        )
        conn.execute(
            sa.insert(
                sa.table("old_companies", *map(sa.column, ("id", "name", "created_at", "settings")))
            ),
            {"id": "acme", "name": "ACME", "created_at": now, "settings": "{}"},
        )
        conn.execute(
            sa.insert(sa.table("old_outbox", *map(sa.column, ("event_type", "occurred_at", "payload")))),
            {"event_type": "Probe", "occurred_at": now, "payload": "{}"},
        )  # fmt: skip
    version = sa.table("old_alembic_version", sa.column("version_num"))
    with store.engine.begin() as conn:
        conn.execute(version.update().values(version_num="0004"))  # as the last release left it
    upgrade_schema(store.engine, prefix="old_")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(version.c.version_num)).scalars().all() == [SCHEMA_VERSION]
        relay = conn.execute(sa.text("SELECT attempts, leased_by FROM old_outbox")).all()
    assert relay == [(0, None)]  # the relay's columns, with their defaults
    ta = make_service(store)
    assert ta.users.get("anna").email == "anna@example.com"
    assert ta.companies.get("acme").suspended_at is None  # the suspension columns
    store.engine.dispose()
