"""The fixtures the contract suite runs on; a host supplies only ``store_factory``.

``store_factory`` returns a callable that makes an empty store of the adapter under
test (for example ``MyStore`` itself, or ``lambda: store_after_clear``). From it come
``store`` (one empty store), ``clock`` (a [FrozenClock][teamaccess.testing.FrozenClock]),
``ta`` (a deterministic service on ``store``) and ``memory_ta`` (one on a fresh
[MemoryStore][teamaccess.MemoryStore], for tests that are not about storage).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from teamaccess.adapters.memory import MemoryStore
from teamaccess.ports import Store
from teamaccess.service.facade import TeamAccess
from teamaccess.testing import FrozenClock, make_service

__all__ = ["clock", "memory_ta", "store", "ta"]


@pytest.fixture
def store(store_factory: Callable[[], Store]) -> Store:
    """An empty store of the adapter under test."""
    return store_factory()


@pytest.fixture
def clock() -> FrozenClock:
    """The service's clock; tests move it with ``clock.advance``."""
    return FrozenClock()


@pytest.fixture
def ta(store: Store, clock: FrozenClock) -> TeamAccess:
    """A deterministic service on the adapter under test."""
    return make_service(store, clock=clock)


@pytest.fixture
def memory_ta(clock: FrozenClock) -> TeamAccess:
    """A deterministic service on the in-memory adapter, for tests not about storage."""
    return make_service(MemoryStore(), clock=clock)
