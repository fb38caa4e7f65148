"""The storage backends the contract suite runs against (R-ALL-5).

memory and SQLite always run. PostgreSQL and MariaDB run when their servers answer
(URLs from TEAMACCESS_TEST_POSTGRES_URL / TEAMACCESS_TEST_MARIADB_URL); otherwise
their tests skip with a one-line reason, except under CI (``CI`` set), where an
unreachable server fails the run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from teamaccess import MemoryStore, Store

POSTGRES_URL = os.environ.get(
    "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get(
    "TEAMACCESS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
PREFIX = "tatest_"


class Memory:
    name = "memory"

    @contextmanager
    def open(self) -> Iterator[Callable[[], Store]]:
        yield MemoryStore


class Sql:
    """A SQL backend whose schema is created once per session and emptied per store."""

    def __init__(self, name: str, url: str | None) -> None:
        self.name = name
        self.url = url
        self._store = None
        self._error: str | None = None

    def store(self):
        """Return the session's store, creating its schema on first use."""
        from teamaccess.adapters.sql import SqlStore

        if self._store is None and self._error is None:
            url = self.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'contract.sqlite'}"
            try:
                store = SqlStore.from_url(url, prefix=PREFIX)
                store.drop_schema()
                store.create_schema()
            except Exception as error:
                self._error = f"{self.name} unreachable at {url}: {type(error).__name__}: {str(error).splitlines()[0]}"
            else:
                self._store = store
        if self._store is None:
            if os.environ.get("CI"):
                pytest.fail(f"{self._error} (CI requires it)", pytrace=False)
            pytest.skip(self._error)
        return self._store

    @contextmanager
    def open(self) -> Iterator[Callable[[], Store]]:
        store = self.store()

        def fresh() -> Store:
            store.clear()
            return store

        yield fresh


SQLITE = Sql("sqlite", None)
POSTGRES = Sql("postgres", POSTGRES_URL)
MARIADB = Sql("mariadb", MARIADB_URL)

BACKENDS = [
    pytest.param(Memory(), id="memory"),
    pytest.param(SQLITE, id="sqlite", marks=pytest.mark.sqlite),
    pytest.param(POSTGRES, id="postgres", marks=pytest.mark.postgres),
    pytest.param(MARIADB, id="mariadb", marks=pytest.mark.mariadb),
]
SQL_BACKENDS = BACKENDS[1:]
