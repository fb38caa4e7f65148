"""The storage backends the contract suite runs against."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from teamaccess import MemoryStore, Store


class _Memory:
    @contextmanager
    def open(self) -> Iterator[Callable[[], Store]]:
        yield MemoryStore


BACKENDS = [pytest.param(_Memory(), id="memory")]
