"""The contract suite through AsyncTeamAccess on aiosqlite, asyncpg and asyncmy (R-ALL-5).

``store_factory`` here crosses the async drivers instead of the sync stores. The
shipped fixtures make ``ta`` with ``make_service``, which puts an AsyncTeamAccess in
front of a store over an ``AsyncEngine``: every call of a test goes through the
asynchronous facade and SQLAlchemy's greenlet bridge, and must give the answers the
same test gets from the synchronous stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from teamaccess import Store

from ..backends import ASYNC_BACKENDS


@pytest.fixture(params=ASYNC_BACKENDS)
def store_factory(request: pytest.FixtureRequest) -> Iterator[Callable[[], Store]]:
    """A callable that returns an empty store over one async driver."""
    with request.param.open() as factory:
        yield factory
