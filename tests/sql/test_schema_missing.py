"""A database without the teamaccess tables says how to create them (issue 33)."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import SchemaMissing, StorageError

from ..backends import SQL_BACKENDS

NOT_CREATED = "tanone_"
"""A prefix no test creates tables with, in the run's own database."""


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_a_missing_table_raises_schema_missing_with_the_way_to_create_it(backend) -> None:
    """The README's quickstart on SqlStore.from_url without create_schema(): a command and a check raise SchemaMissing (a StorageError) that names create_schema(), teamaccess init and Alembic."""
    store = SqlStore.from_url(backend.url_of_run, prefix=NOT_CREATED)
    ta = TeamAccess(store)
    try:
        for call in (
            lambda: ta.users.register("anna", "anna@example.com"),
            lambda: ta.check("anna", "acme", "open_backoffice"),
            lambda: ta.companies.find("acme"),
        ):
            with pytest.raises(SchemaMissing) as raised:
                call()
            assert isinstance(raised.value, StorageError)
            text = str(raised.value)
            assert f"{NOT_CREATED}" in text
            assert "store.create_schema()" in text
            assert "teamaccess init" in text
            assert "Alembic" in text
    finally:
        store.engine.dispose()


def test_other_storage_errors_stay_plain_storage_errors() -> None:
    """A failure that is not a missing table is no SchemaMissing: the hint is only given where it helps."""
    store = SqlStore.from_url("sqlite://")
    store.create_schema()
    try:
        with pytest.raises(StorageError) as raised, store.transaction() as tx:
            tx._conn.exec_driver_sql("SELECT no_such_column FROM teamaccess_users")
        assert not isinstance(raised.value, SchemaMissing)
    finally:
        store.engine.dispose()
