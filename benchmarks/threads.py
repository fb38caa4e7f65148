"""Benchmark: checks per second at 1 and 8 threads, on a host's shared pool of 5.

The host's engine has ``pool_size=5, max_overflow=0``; teamaccess shares it. For each
setting of ``fast_path_connections`` (the default 8, and 0: no kept connections) it
reports checks per second with 1 thread and with 8 threads, the ratio 8 : 1, and
how many of the host's 5 connections are still checked out after the burst (the
fast path must hold none). The baseline in the same run: a raw driver primary-key
select per thread, each thread on a connection of its own.

Run: ``python benchmarks/threads.py [--adapters sqlite,postgres] [--seconds 2]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.testing import make_service

URLS = {
    "postgres": os.environ.get(
        "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
}
PREFIX = f"bthreads_{os.getpid()}_"


def rate(work: Callable[[], Callable[[], object]], threads: int, seconds: float) -> float:
    """Calls per second of ``work()``'s callable, run by ``threads`` threads at once."""
    counts = [0] * threads
    stop = threading.Event()
    start = threading.Barrier(threads + 1)

    def run(slot: int) -> None:
        call = work()
        start.wait()
        while not stop.is_set():
            call()
            counts[slot] += 1

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def bench(adapter: str, url: str, seconds: float) -> list[tuple[str, float, float, int]]:
    """Rows (setting, 1 thread/s, 8 threads/s, host connections held after)."""
    engine = create_engine(url, pool_size=5, max_overflow=0, pool_timeout=30)
    setup = SqlStore(engine, prefix=PREFIX)
    setup.create_schema()
    ta = make_service(setup)
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    rows = []
    try:
        for keep in (None, 0):
            store = SqlStore(engine, prefix=PREFIX, fast_path_connections=keep)
            service = make_service(store)

            def check(service: TeamAccess = service) -> Callable[[], object]:
                return lambda: service.check("anna", "acme", "view_members")

            one = rate(check, 1, seconds)
            eight = rate(check, 8, seconds)
            label = f"fast_path_connections={'default' if keep is None else keep}"
            rows.append((label, one, eight, engine.pool.checkedout()))
        raw_sql = f"SELECT id, name FROM {PREFIX}companies WHERE id = " + (  # noqa: S608
            "?" if adapter == "sqlite" else "%s"
        )

        def raw() -> Callable[[], object]:
            dbapi = engine.dialect.loaded_dbapi
            conn = (
                dbapi.connect(engine.url.database, check_same_thread=False)
                if adapter == "sqlite"
                else engine.raw_connection().dbapi_connection
            )
            if adapter != "sqlite":
                conn.autocommit = True

            def call() -> object:
                cursor = conn.cursor()
                cursor.execute(raw_sql, ("acme",))
                return cursor.fetchone()

            return call

        rows.append(
            ("raw driver select (baseline)", rate(raw, 1, seconds), rate(raw, 8, seconds), -1)
        )
    finally:
        setup.drop_schema()
        engine.dispose()
    return rows


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(f"{'adapter':9} {'setting':34} {'1 thread/s':>11} {'8 threads/s':>12} {'8:1':>6} held")
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": f"sqlite:///{Path(folder) / 'threads.sqlite'}", **URLS}
        for adapter in args.adapters.split(","):
            for label, one, eight, held in bench(adapter, urls[adapter], args.seconds):
                ratio = f"{eight / one:6.2f}"
                shown = "-" if held < 0 else f"{held}/5"
                print(f"{adapter:9} {label:34} {one:11,.0f} {eight:12,.0f} {ratio} {shown}")


if __name__ == "__main__":
    main()
