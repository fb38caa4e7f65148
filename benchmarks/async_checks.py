"""Benchmark: the asynchronous check on asyncpg, and a FastAPI app under 100 concurrent requests.

1. ``await ata.check(...)`` through [AsyncTeamAccess] on asyncpg, one after another:
   median and p99 per call, next to the baseline in the same run, a raw asyncpg
   primary-key select of the company (``conn.fetchrow``, prepared once) on one open
   connection. Two settings: no kept connection (the async default: each check checks
   one out of the engine's pool) and ``fast_path_connections=4``.
2. A FastAPI app on asyncpg whose endpoint does one ``await ata.require(...)``: rounds
   of 100 concurrent requests through an in-process ASGI client; p50 and p99 of the
   request latency and requests per second. The engine's pool: 5 + 10 overflow.

Run: ``python benchmarks/async_checks.py [--calls 5000] [--rounds 20]`` (server from
TEAMACCESS_TEST_ASYNCPG_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from teamaccess import AsyncTeamAccess
from teamaccess.adapters.sql import SqlStore

try:  # the ASGI test client of Starlette >= 1.8, else the one before
    import httpx2 as httpx  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[import-not-found,no-redef]

URL = os.environ.get("TEAMACCESS_TEST_ASYNCPG_URL", "postgresql+asyncpg://postgres@127.0.0.1/test")
PREFIX = f"basync_{os.getpid()}_"
ACTION = "view_members"


def _ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


async def _latencies(call: Callable[[], Awaitable[object]], n: int) -> list[float]:
    for _ in range(min(n, 200)):  # warm up: connections, prepared statements, caches
        await call()
    times = []
    for _ in range(n):
        began = time.perf_counter()
        await call()
        times.append(time.perf_counter() - began)
    return times


def _row(name: str, times: list[float], baseline: float | None) -> str:
    median = statistics.median(times) * 1e6
    ratio = f"{median / baseline:5.2f}x" if baseline else "     -"
    return f"{name:46} {median:9.1f} {_ms(times, 99) * 1000:9.1f} {ratio}"


async def checks(calls: int) -> None:
    """Part 1: sequential checks against a raw asyncpg select."""
    engine = create_async_engine(URL)
    setup = SqlStore(engine, prefix=PREFIX)
    await setup.run_sync(setup.create_schema)
    ata = AsyncTeamAccess(setup)
    await ata.users.register("anna", "anna@example.com")
    await ata.companies.create("anna", "ACME", company_id="acme")
    raw = await asyncpg.connect(URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        select = await raw.prepare(f"SELECT * FROM {PREFIX}companies WHERE id = $1")  # noqa: S608
        base = await _latencies(lambda: select.fetchrow("acme"), calls)
        baseline = statistics.median(base) * 1e6
        print(f"{'async call on asyncpg':46} {'median µs':>9} {'p99 µs':>9} {'ratio':>6}")
        print(_row("raw asyncpg fetchrow by primary key (baseline)", base, None))
        for keep in (None, 4):
            service = AsyncTeamAccess(SqlStore(engine, prefix=PREFIX, fast_path_connections=keep))
            times = await _latencies(
                lambda s=service: s.check("anna", "acme", "view_members"), calls
            )
            label = "pooled" if keep is None else f"fast_path_connections={keep}"
            print(_row(f"ata.check ({label})", times, baseline))
    finally:
        await raw.close()
        await setup.run_sync(setup.drop_schema)
        await engine.dispose()


async def requests(rounds: int, concurrent: int, keep: int | None) -> None:
    """Part 2: rounds of concurrent requests against a FastAPI app on asyncpg."""
    engine = create_async_engine(URL, pool_size=5, max_overflow=10)
    store = SqlStore(engine, prefix=PREFIX, fast_path_connections=keep)
    await store.run_sync(store.create_schema)
    ata = AsyncTeamAccess(store)
    await ata.users.register("anna", "anna@example.com")
    await ata.companies.create("anna", "ACME", company_id="acme")
    app = FastAPI()

    @app.get("/companies/{company_id}/members")
    async def members(company_id: str, user: str) -> dict[str, bool]:
        decision = await ata.require(user, company_id, "view_members")
        return {"allowed": decision.allowed}

    @app.get("/ping")
    async def ping(user: str) -> dict[str, bool]:  # the baseline: the same request, no check
        return {"allowed": True}

    transport = httpx.ASGITransport(app=app)
    print()
    setting = "pooled" if keep is None else f"fast_path_connections={keep}"
    print(f"FastAPI on asyncpg ({setting}), {rounds} rounds of {concurrent} concurrent requests")
    print(f"{'endpoint':34} {'p50 ms':>8} {'p99 ms':>8} {'requests/s':>11}")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            for label, path in (
                ("one ata.require per request", "/companies/acme/members"),
                ("no check (baseline)", "/ping"),
            ):

                async def one(path: str = path) -> float:
                    began = time.perf_counter()
                    response = await client.get(path, params={"user": "anna"})
                    assert response.status_code == 200, response.text
                    return time.perf_counter() - began

                await asyncio.gather(*(one() for _ in range(concurrent)))  # warm up
                times: list[float] = []
                began = time.perf_counter()
                for _ in range(rounds):
                    times += await asyncio.gather(*(one() for _ in range(concurrent)))
                elapsed = time.perf_counter() - began
                rate = len(times) / elapsed
                print(f"{label:34} {_ms(times, 50):8.2f} {_ms(times, 99):8.2f} {rate:11,.0f}")
    finally:
        await store.run_sync(store.drop_schema)
        await engine.dispose()


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(checks(args.calls))
    for keep in (None, 4):
        asyncio.run(requests(args.rounds, args.concurrent, keep))


if __name__ == "__main__":
    main()
