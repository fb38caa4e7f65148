"""The app's migrations on this run's database: forward, zero, forward; an older schema upgraded."""

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from teamaccess.adapters.sql import SCHEMA_VERSION, upgrade_schema
from teamaccess.adapters.sql._schema import version_table
from teamaccess.contrib.django.conf import service, setting
from teamaccess.contrib.django.store import DjangoStore
from teamaccess.errors import StorageError

MIGRATIONS = [
    "0001_initial",
    "0002_library_schema",
    "0003_admin_models",
    "0004_support_grants",
    "0005_company_roles",
    "0006_audit_chain",
    "0007_directories",
    "0008_changes",
]
"""Every migration of contrib.django, in order."""


def _tables():
    """The teamaccess tables on the site's database."""
    return sorted(t for t in connection.introspection.table_names() if t.startswith("ta_"))


def _applied():
    """The teamaccess migrations Django has recorded."""
    return sorted(
        name
        for app, name in MigrationRecorder(connection).applied_migrations()
        if app == "teamaccess"
    )


def _version(store):
    """The schema version recorded in teamaccess's version table."""
    with store.sql.engine.connect() as conn:
        return conn.execute(sa.select(version_table(store.tables).c.version_num)).scalar()


def _columns(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db
def test_the_app_needs_no_new_migration():
    """The admin's unmanaged models match the app's migrations, with the site's table prefix."""
    call_command("makemigrations", "teamaccess", "--check", "--dry-run", verbosity=0)


def _migrate(*args):
    call_command("migrate", "teamaccess", *args, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_migrate_forward_zero_forward():
    """`migrate teamaccess zero` drops the tables and unrecords both migrations; forward again makes them at the library's version."""
    store = DjangoStore(prefix=setting("PREFIX"))
    assert "ta_companies" in _tables()
    _migrate("zero")
    assert (_tables(), _applied()) == ([], [])
    _migrate()
    assert "ta_companies" in _tables()
    assert _applied() == MIGRATIONS
    assert _version(store) == SCHEMA_VERSION
    assert service().users.register("mig-1", "mig@example.com").email == "mig@example.com"
    _migrate("zero")  # leaves nothing of this test behind
    _migrate()


@pytest.mark.django_db(transaction=True)
def test_0002_brings_an_older_schema_to_the_library_version():
    """Tables made by an older 0001_initial (schema teamaccess_0005) are upgraded by 0002 through the shipped Alembic migrations."""
    store = DjangoStore(prefix=setting("PREFIX"))
    _migrate("zero")
    upgrade_schema(store.sql.engine, prefix=setting("PREFIX"), revision="teamaccess_0005")
    _migrate("0001", "--fake")  # what the older library's 0001_initial made
    assert _version(store) == "teamaccess_0005"
    assert "origin" not in _columns("ta_memberships")
    _migrate()
    assert _version(store) == SCHEMA_VERSION
    assert "origin" in _columns("ta_memberships")
    assert _applied() == MIGRATIONS
    assert store.upgrade_schema() is False  # current: nothing runs
    _migrate("zero")
    _migrate()


@pytest.mark.django_db(transaction=True)
def test_r_role_3_0005_brings_a_site_migrated_before_roles_to_the_library_version():
    """R-ROLE-3: a site whose 0001-0003 ran with the previous library (schema teamaccess_0012) gets companies.roles and memberships.extra_roles from 0005; members keep their role."""
    store = DjangoStore(prefix=setting("PREFIX"))
    _migrate("zero")
    upgrade_schema(store.sql.engine, prefix=setting("PREFIX"), revision="teamaccess_0012")
    _migrate("0003", "--fake")  # what the previous library's migrations made
    assert "extra_roles" not in _columns("ta_memberships")
    _migrate()
    assert _version(store) == SCHEMA_VERSION
    assert "extra_roles" in _columns("ta_memberships")
    assert "roles" in _columns("ta_companies")
    ta = service()
    ta.users.register("mig-r", "mig-r@example.com")
    company = ta.companies.create("mig-r", "Roles GmbH")
    assert [m.roles for m in ta.members.list("mig-r", company.id)] == [("admin",)]
    _migrate("zero")
    _migrate()


@pytest.mark.django_db(transaction=True)
def test_ddl_inside_atomic_is_refused_where_ddl_commits():
    """On MariaDB, creating the tables inside the host's atomic() raises StorageError instead of committing the host's transaction; elsewhere it is one transaction."""
    store = DjangoStore(prefix=setting("PREFIX"))
    with transaction.atomic():
        if connection.features.can_rollback_ddl:
            store.create_schema()  # tables exist: nothing to do, in the host's transaction
        else:
            with pytest.raises(StorageError, match=r"outside transaction\.atomic"):
                store.create_schema()
