"""Fixtures shared by the whole suite.

``store_factory`` crosses every storage adapter, so each contract test runs once per
adapter (R-ALL-5): ``pytest -k memory`` or ``-m postgres`` selects one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from teamaccess import MemoryStore, Store, TeamAccess
from teamaccess.testing import FrozenClock, make_service

from . import backends
from .backends import BACKENDS

# No deadline: examples that talk to a database vary in time with the server's load.
settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile(  # CI runs every property on four stores within its time limit
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

StoreFactory = Callable[[], Store]


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """A callable that returns an empty store of one adapter."""
    with request.param.open() as factory:
        yield factory


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """An empty store of each adapter."""
    return store_factory()


@pytest.fixture
def clock() -> FrozenClock:
    """The service's clock; tests move it with ``clock.advance``."""
    return FrozenClock()


@pytest.fixture
def ta(store: Store, clock: FrozenClock) -> TeamAccess:
    """A deterministic service on each adapter."""
    return make_service(store, clock=clock)


@pytest.fixture
def memory_ta(clock: FrozenClock) -> TeamAccess:
    """A deterministic service on the in-memory adapter only, for non-storage tests."""
    return make_service(MemoryStore(), clock=clock)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this run's databases and files: runs never leave anything behind."""
    backends.cleanup()
