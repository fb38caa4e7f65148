"""The storage backends the contract suite runs against (R-ALL-5).

memory and SQLite always run. PostgreSQL and MariaDB run when their servers answer
(URLs from TEAMACCESS_TEST_POSTGRES_URL / TEAMACCESS_TEST_MARIADB_URL); otherwise
their tests skip with a one-line reason, except under CI (``CI`` set), where an
unreachable server fails the run.

Runs never collide: each test run creates a database of its own on each server
(``tatest_<run id>``), named after the process and a random part, and drops it when
the run ends; the SQLite files live in a temporary folder removed at the end. Two
developers, or two CI jobs, can run the suite against the same servers at once. A
user who may not create databases gets the URL's database with a table prefix of the
run instead (``TEAMACCESS_TEST_SHARED_DATABASE=1`` asks for that too).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
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
RUN_ID = f"{os.getpid():x}{secrets.token_hex(3)}"
"""This test run's id: in the name of its databases, folders and prefixes."""
PREFIX = "tatest_"
TEMP = Path(tempfile.mkdtemp(prefix=f"teamaccess-tests-{RUN_ID}-"))
"""The run's folder for SQLite files; removed when the run ends."""
atexit.register(shutil.rmtree, TEMP, ignore_errors=True)


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
        self._dropped: Callable[[], None] | None = None

    def store(self):
        """Return the session's store, creating its database and schema on first use."""
        from teamaccess.adapters.sql import SqlStore

        if self._store is None and self._error is None:
            url = self.url or f"sqlite:///{TEMP / 'contract.sqlite'}"
            try:
                url, prefix = self._own_database(url)
                store = SqlStore.from_url(url, prefix=prefix)
                store.create_schema()
            except Exception as error:
                self._error = f"{self.name} unreachable at {self.url or url}: {type(error).__name__}: {str(error).splitlines()[0]}"
            else:
                self._store = store
        if self._store is None:
            if os.environ.get("CI"):
                pytest.fail(f"{self._error} (CI requires it)", pytrace=False)
            pytest.skip(self._error)
        return self._store

    @property
    def url_of_run(self) -> str:
        """The URL of this run's database (after the first :meth:`store`)."""
        return str(self.store().engine.url.render_as_string(hide_password=False))

    def _own_database(self, url: str) -> tuple[str, str]:
        """Create this run's database on the server; its URL and the table prefix."""
        import sqlalchemy as sa

        base = sa.make_url(url)
        if base.get_backend_name() == "sqlite":
            return url, PREFIX
        if os.environ.get("TEAMACCESS_TEST_SHARED_DATABASE"):
            return url, f"t{RUN_ID}_"
        name = f"tatest_{RUN_ID}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
        except sa.exc.ProgrammingError:  # no right to create databases: share, prefixed
            admin.dispose()
            return url, f"t{RUN_ID}_"

        def drop() -> None:
            with admin.connect() as conn:
                if base.get_backend_name() == "postgresql":
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                else:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            admin.dispose()

        self._dropped = drop
        return base.set(database=name).render_as_string(hide_password=False), PREFIX

    def cleanup(self) -> None:
        """Close the run's store and drop the run's database or tables."""
        if self._store is not None:
            if self._dropped is None:
                self._store.drop_schema()
            self._store.engine.dispose()
            self._store = None
        if self._dropped is not None:
            self._dropped()
            self._dropped = None

    @contextmanager
    def open(self) -> Iterator[Callable[[], Store]]:
        store = self.store()

        def fresh() -> Store:
            store.clear()
            return store

        yield fresh


class AsyncSql:
    """The same server as a sync backend, through an async driver and AsyncTeamAccess.

    Its tables (prefix ``tatest_a_``) live in the sync backend's database of the run;
    all its I/O runs on the test event loop of ``run_blocking``.
    """

    def __init__(self, name: str, sync: Sql, driver: str) -> None:
        self.name = name
        self.sync = sync
        self.driver = driver
        self._store = None

    def store(self):
        """Return the session's async store, creating its schema on first use."""
        from sqlalchemy.ext.asyncio import create_async_engine

        from teamaccess.adapters.sql import SqlStore
        from teamaccess.testing.blocking import run_blocking

        if self._store is None:
            url = self.sync.store().engine.url.set(drivername=self.driver)
            if url.get_backend_name() == "sqlite":
                url = url.set(database=str(TEMP / "contract-async.sqlite"))
            self._engine = create_async_engine(url)
            store = SqlStore(self._engine, prefix=f"{PREFIX}a_")
            run_blocking(store.run_sync(store.create_schema))
            self._store = store
        return self._store

    @property
    def engine(self):
        """The run's ``AsyncEngine`` (after the first :meth:`store`)."""
        self.store()
        return self._engine

    def cleanup(self) -> None:
        """Close the async engine's connections (the sync backend drops the database)."""
        from teamaccess.testing.blocking import run_blocking

        if self._store is not None:
            run_blocking(self._store.run_sync(self._store.drop_schema))
            run_blocking(self._engine.dispose())
            self._store = None

    @contextmanager
    def open(self) -> Iterator[Callable[[], Store]]:
        from teamaccess.testing.blocking import run_blocking

        store = self.store()

        def fresh() -> Store:
            run_blocking(store.run_sync(store.clear))
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

AIOSQLITE = AsyncSql("aiosqlite", SQLITE, "sqlite+aiosqlite")
ASYNCPG = AsyncSql("asyncpg", POSTGRES, "postgresql+asyncpg")
ASYNCMY = AsyncSql("asyncmy", MARIADB, "mysql+asyncmy")
ASYNC_BACKENDS = [
    pytest.param(AIOSQLITE, id="aiosqlite", marks=pytest.mark.sqlite),
    pytest.param(ASYNCPG, id="asyncpg", marks=pytest.mark.postgres),
    pytest.param(ASYNCMY, id="asyncmy", marks=pytest.mark.mariadb),
]
"""The SQL servers again, through async drivers and AsyncTeamAccess (issue 15)."""


def cleanup() -> None:
    """Drop what this run created on every server (called when the session ends)."""
    for backend in (AIOSQLITE, ASYNCPG, ASYNCMY, SQLITE, POSTGRES, MARIADB):
        backend.cleanup()
