"""Fixtures shared by the whole suite.

``store_factory`` crosses every storage adapter, so each contract test runs once per
adapter (R-ALL-5): ``pytest -k memory`` or ``-m postgres`` selects one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings

from . import profiles  # noqa: F401 - first: the properties below take their settings from it

# isort: split
from teamaccess import Store

# The shipped contract suite's fixtures (store, clock, ta, memory_ta), on store_factory.
from teamaccess.testing.contract.fixtures import clock, memory_ta, store, ta  # noqa: F401

from . import backends
from .backends import BACKENDS

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


def _on_server(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("postgres") or item.get_closest_marker("mariadb"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Under CI, a property on a server store runs a third of its examples (at least 2).

    The same property runs its full count on memory and SQLite in the same run; the
    server stores' own statements are proved by the example tests.
    ``TEAMACCESS_SERVER_EXAMPLES_ALL=1`` runs the full count on the servers too.
    """
    function = getattr(item, "obj", None)
    current = getattr(function, "_hypothesis_internal_use_settings", None)
    if (
        current is None
        or not _on_server(item)
        or not os.environ.get("CI")
        or os.environ.get("TEAMACCESS_SERVER_EXAMPLES_ALL")
    ):
        return (yield)
    third = settings(current, max_examples=max(2, current.max_examples // 3))
    function._hypothesis_internal_use_settings = third  # type: ignore[union-attr]
    try:
        return (yield)
    finally:
        function._hypothesis_internal_use_settings = current  # type: ignore[union-attr]


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
        if random_history and (_on_server(item) or "test_differential" in item.nodeid):
            item.add_marker(pytest.mark.no_cover)
