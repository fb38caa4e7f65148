"""The check's kept connections never hold a connection of the host's pool (issue 15).

A host shares one pool of 5 between its own work and teamaccess. After 8 threads have
run checks and queries at once, every one of the 5 connections is free for the host:
the kept connections come from the store's own pool (bounded by
``fast_path_connections``), and ``fast_path_connections=0`` keeps none at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.errors import InvalidInput
from teamaccess.testing import make_service

THREADS = 8


@pytest.fixture
def shared_pool(sql_store: SqlStore) -> Iterator[sa.Engine]:
    """An engine with a host's shared pool of 5 (no overflow) on the session's database."""
    if sql_store.engine.url.database in (None, "", ":memory:"):
        pytest.skip("an in-memory SQLite database has no pool to share")
    # A waiting thread gets a connection within 10 s: on a slow server 8 threads taking
    # turns at 5 connections (fast_path_connections=0) may wait longer than a second.
    engine = create_engine(sql_store.engine.url, pool_size=5, max_overflow=0, pool_timeout=10)
    yield engine
    engine.dispose()


def _burst(store: SqlStore) -> int:
    """8 threads, each 50 checks and 5 queries at once; the number of answers."""
    ta = make_service(store)
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    answers: list[bool] = []
    start = threading.Barrier(THREADS)

    def work() -> None:
        start.wait()
        for i in range(50):
            answers.append(ta.check("anna", "acme", "view_members").allowed)
            if i % 10 == 0:
                answers.append(bool(ta.members.list("anna", "acme")))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answers)
    return len(answers)


def _host_takes_all_five(engine: sa.Engine) -> None:
    """The host checks out all 5 connections of its pool at once, without waiting."""
    start = time.monotonic()
    held = [engine.connect() for _ in range(5)]  # one held by teamaccess: a 10 s wait
    for conn in held:
        conn.close()
    assert time.monotonic() - start < 5


def test_kept_connections_leave_the_whole_shared_pool_to_the_host(shared_pool, sql_store) -> None:
    """After a burst of 8 threads, the store keeps connections of its own and none of the host's 5."""
    store = SqlStore(shared_pool, prefix=sql_store.tables.prefix)
    assert _burst(store) == THREADS * 55
    assert shared_pool.pool.checkedout() == 0  # nothing of the host's pool is held idle
    kept = store._readers.qsize() + store._plain_readers.qsize()
    assert 1 <= kept <= store.fast_path_connections == 8  # one per concurrent thread, bounded
    _host_takes_all_five(shared_pool)


def test_fast_path_connections_zero_keeps_nothing(shared_pool, sql_store) -> None:
    """``fast_path_connections=0``: every read uses the host's pool and gives it back."""
    store = SqlStore(shared_pool, prefix=sql_store.tables.prefix, fast_path_connections=0)
    assert _burst(store) == THREADS * 55
    assert store._readers.qsize() + store._plain_readers.qsize() == 0
    assert shared_pool.pool.checkedout() == 0
    _host_takes_all_five(shared_pool)


def test_the_bound_is_kept(shared_pool, sql_store) -> None:
    """``fast_path_connections=2``: at most 2 connections are kept, whatever the threads."""
    store = SqlStore(shared_pool, prefix=sql_store.tables.prefix, fast_path_connections=2)
    _burst(store)
    assert store._readers.qsize() + store._plain_readers.qsize() <= 2
    assert shared_pool.pool.checkedout() == 0


@pytest.mark.parametrize("bad", [-1, 1.5, True, "8"])
def test_a_bad_bound_is_refused(sql_store, bad) -> None:
    """A negative, fractional, boolean or text bound raises InvalidInput."""
    with pytest.raises(InvalidInput, match="fast_path_connections"):
        SqlStore(sql_store.engine, prefix=sql_store.tables.prefix, fast_path_connections=bad)
