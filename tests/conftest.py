"""Fixtures shared by the whole suite.

``store_factory`` crosses every storage adapter, so each contract test runs once per
adapter (R-ALL-5): ``pytest -k memory`` or ``-m postgres`` selects one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from teamaccess import Store

# The shipped contract suite's fixtures (store, clock, ta, memory_ta), on store_factory.
from teamaccess.testing.contract.fixtures import clock, memory_ta, store, ta  # noqa: F401

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
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

StoreFactory = Callable[[], Store]

# A Django site with its own settings, run by test_contrib_django.py in a pytest of its own.
collect_ignore = ["django_project"]


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """A callable that returns an empty store of one adapter."""
    with request.param.open() as factory:
        yield factory


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this run's databases and files: runs never leave anything behind."""
    backends.cleanup()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the long random histories on server stores without the coverage tracer.

    The tracer doubles their time; the same properties run measured on memory and
    SQLite, and every server-specific statement is measured by the example tests.
    ``TEAMACCESS_COVER_ALL=1`` measures them too.
    """
    if os.environ.get("TEAMACCESS_COVER_ALL") or config.getoption("no_cov", False):
        return  # under --no-cov pytest-cov has no tracer to pause
    for item in items:
        function = getattr(item, "function", None)
        random_history = getattr(function, "is_hypothesis_test", False) or item.get_closest_marker(
            "slow"
        )
        on_server = item.get_closest_marker("postgres") or item.get_closest_marker("mariadb")
        if random_history and (on_server or "test_differential" in item.nodeid):
            item.add_marker(pytest.mark.no_cover)
