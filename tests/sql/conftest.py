"""Fixtures for tests that only make sense on SQL backends."""

from __future__ import annotations

import pytest

from ..backends import SQL_BACKENDS


@pytest.fixture(params=SQL_BACKENDS)
def sql_store(request: pytest.FixtureRequest):
    """The session's empty SqlStore of each SQL backend."""
    store = request.param.store()
    store.clear()
    return store
