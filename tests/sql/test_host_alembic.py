"""A host's own Alembic history includes the teamaccess revisions (branch ``teamaccess``).

The test host has its own env.py and its own revision ``0001`` (the id teamaccess used to
have); ``upgrade heads`` builds both, with the prefix the host picks; ``downgrade
teamaccess@base`` removes teamaccess's tables only; the host's autogenerate, with the
shipped ``exclude_teamaccess`` hook, proposes nothing for teamaccess tables; and a
database stamped by the previous release's revision ids is moved onto the new ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import alembic
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script
from alembic.util import CommandError

from teamaccess.adapters.sql import SCHEMA_VERSION, SqlStore, build_tables, upgrade_schema
from teamaccess.adapters.sql.alembic import (
    BRANCH,
    VERSIONS_DIR,
    VERSIONS_RESOURCE,
    AlembicSetupError,
    exclude_teamaccess,
)
from teamaccess.errors import TeamAccessError
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


GUARDED_ENV = """
from alembic import context
import sqlalchemy as sa
from teamaccess.adapters.sql.alembic import VERSIONS_RESOURCE, exclude_teamaccess, host_revisions

config = context.config
if config.get_main_option("set_in_env"):  # what the issue tried: too late, Alembic has read them
    config.set_main_option("version_locations", config.get_main_option("set_in_env"))
with sa.create_engine(config.get_main_option("sqlalchemy.url")).begin() as connection:
    context.configure(connection=connection, target_metadata=sa.MetaData(),
                      include_object=exclude_teamaccess("app_ta_"),
                      process_revision_directives=host_revisions(context))
    with context.begin_transaction():
        context.run_migrations()
"""


@pytest.fixture
def guarded(host: Config, tmp_path: Path) -> Iterator[Config]:
    """The host with an env.py that passes host_revisions; new files in the package fail the test."""
    (tmp_path / "migrations" / "env.py").write_text(GUARDED_ENV)
    template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    (tmp_path / "migrations" / "script.py.mako").write_text(template.read_text())  # alembic init's
    host.set_main_option("revision_environment", "true")
    shipped = set(Path(VERSIONS_DIR).iterdir())
    yield host
    leaked = set(Path(VERSIONS_DIR).iterdir()) - shipped
    for path in leaked:
        path.unlink()
    assert not leaked, "a host revision was written into the package"


def test_versions_missing_from_version_locations_fail_instead_of_creating_nothing(
    guarded: Config, tmp_path: Path
) -> None:
    """Without teamaccess's revisions in version_locations (even when env.py sets them), upgrade fails with AlembicSetupError."""
    host_only = str(tmp_path / "migrations" / "versions")
    guarded.set_main_option("version_locations", host_only)
    guarded.set_main_option("set_in_env", f"{host_only} {VERSIONS_RESOURCE}")
    with pytest.raises(AlembicSetupError, match="not in version_locations") as raised:
        command.upgrade(guarded, "heads")
    assert isinstance(raised.value, CommandError)  # alembic prints it as one FAILED: line
    assert isinstance(raised.value, TeamAccessError)
    assert "host_orders" not in _tables(guarded)  # nothing ran


def test_version_locations_without_a_host_folder_are_refused(guarded: Config) -> None:
    """Only the package's folder in version_locations: refused, as new revisions would land there."""
    guarded.set_main_option("version_locations", VERSIONS_RESOURCE)
    with pytest.raises(AlembicSetupError, match="no folder of the host's own"):
        command.upgrade(guarded, "heads")


def test_host_revisions_go_on_the_host_branch_and_refuse_the_package(
    guarded: Config, tmp_path: Path
) -> None:
    """A plain revision continues the host's branch in its folder; --head teamaccess@head and --version-path into the package are refused."""
    command.upgrade(guarded, "heads")
    script = command.revision(guarded, message="notes")
    assert isinstance(script, Script)
    assert Path(script.path).parent == tmp_path / "migrations" / "versions"
    assert script.down_revision == "0001"  # after the host's head, not teamaccess's
    later = command.revision(guarded, message="more notes")
    assert isinstance(later, Script)
    assert later.down_revision == script.revision  # the branch goes on past its labelled base
    with pytest.raises(AlembicSetupError, match="teamaccess branch"):
        command.revision(guarded, message="ours", head=f"{BRANCH}@head")
    with pytest.raises(AlembicSetupError, match="package's folder"):
        command.revision(guarded, message="ours", head="host@head", version_path=VERSIONS_DIR)


def test_the_first_host_revision_may_name_the_host_branch_before_it_exists(
    guarded: Config, tmp_path: Path
) -> None:
    """--head host@head before any host revision starts the host's branch (Alembic alone: "Can't locate revision 'host'")."""
    (tmp_path / "migrations" / "versions" / "0001_orders.py").unlink()  # a host with no revision
    script = command.revision(guarded, message="first", head="host@head")
    assert isinstance(script, Script)
    assert Path(script.path).parent == tmp_path / "migrations" / "versions"
    assert (script.down_revision, script.branch_labels) == (None, {"host"})
