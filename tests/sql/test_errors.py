"""Driver errors are translated at the adapter's edge; hosts never see a raw one (issue 3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.errors import StorageError, TransientStorageError
from teamaccess.testing import make_service


def test_missing_schema_raises_storage_error_with_cause(sql_store: SqlStore) -> None:
    """A store whose tables were never created raises StorageError chaining the driver error."""
    ta = make_service(SqlStore(sql_store.engine, prefix="tanotables_"))
    with pytest.raises(StorageError) as caught:
        ta.register_user("anna", "anna@example.com")
    assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
    with pytest.raises(StorageError):
        ta.companies_of("anna")


def test_locked_sqlite_is_retried_then_reported_as_transient(tmp_path) -> None:
    """While another connection holds the write lock, a command retries, then raises TransientStorageError."""
    url = f"sqlite:///{tmp_path / 'locked.sqlite'}"
    store = SqlStore(create_engine(url, connect_args={"timeout": 0.05}))
    store.create_schema()
    ta = make_service(store, retries=2)
    ta.register_user("anna", "anna@example.com")
    blocker = sa.create_engine(url)
    try:
        with blocker.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            with pytest.raises(TransientStorageError, match="locked"):
                ta.register_user("ben", "ben@example.com")
            conn.exec_driver_sql("ROLLBACK")
        assert ta.register_user("ben", "ben@example.com").id == "ben"  # lock gone: works
    finally:
        blocker.dispose()
        store.engine.dispose()
