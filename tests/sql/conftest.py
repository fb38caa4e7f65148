"""Fixtures for tests that only make sense on SQL backends."""

from __future__ import annotations

import pytest

from ..backends import ASYNC_BACKENDS, SQL_BACKENDS


@pytest.fixture(params=SQL_BACKENDS)
def sql_store(request: pytest.FixtureRequest):
    """The session's empty SqlStore of each SQL backend."""
    store = request.param.store()
    store.clear()
    return store


@pytest.fixture(params=ASYNC_BACKENDS)
def async_backend(request: pytest.FixtureRequest):
    """Each SQL server through its async driver, its store emptied."""
    from teamaccess.testing.blocking import run_blocking

    store = request.param.store()
    run_blocking(store.run_sync(store.clear))
    return request.param
