"""What the outage guards (R-ALL-10) cost in steady use: extra round trips and time per checkout.

Runs on a private PostgreSQL cluster made for the run (``tests/clusters/postgres.py``;
Debian's ``pg_createcluster``, run as root) unless ``--url`` names a database whose
``teamaccess_`` tables it may create. For the library's engine (``pool_pre_ping``), a
host's plain engine and ``create_async_engine`` it counts the pings the store sent
during back-to-back calls (expected: none, or one for a connection it had not seen),
and times the look at a connection that replaces a ping.

    python benchmarks/outage_guards.py [--url postgresql+psycopg://...] [--calls 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from teamaccess import AsyncTeamAccess, TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import Conflict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Print the pings sent and the cost of a look, for each kind of engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL URL (psycopg); default: a private cluster")
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    cluster = None
    url = args.url
    if url is None:
        from tests.clusters.postgres import PostgresCluster

        cluster = PostgresCluster.create("tabench")
        url = cluster.url()
    try:
        measure(url, args.calls)
    finally:
        if cluster is not None:
            cluster.drop()


def measure(url: str, calls: int) -> None:
    """Run the calls and print the figures."""
    setup = SqlStore.from_url(url)
    setup.create_schema()
    ta = TeamAccess(setup)
    ta.users.register("anna", "anna@example.com", exist_ok=True)
    with contextlib.suppress(Conflict):  # there from an earlier run
        ta.companies.create("anna", "ACME", company_id="acme")
    pings = [0]
    ping = SqlStore._alive

    def counted(self: SqlStore, proxied: object) -> bool:
        pings[0] += 1
        return ping(self, proxied)  # type: ignore[arg-type]

    SqlStore._alive = counted  # type: ignore[method-assign]
    stores = {"from_url": setup, "host engine": SqlStore(sa.create_engine(url))}
    for name, store in stores.items():
        service = TeamAccess(store)
        pings[0] = 0
        for _ in range(calls):
            service.check("anna", "acme", "open_backoffice")
            service.members.list("anna", "acme")
            service.companies.update_profile("anna", "acme", name="ACME")
        print(f"{name}: pings in {calls} x (check, read, command): {pings[0]}")
        with store.engine.connect() as conn:
            proxied = conn.connection
            n = 100_000
            started = time.perf_counter()
            for _ in range(n):
                store._usable(proxied)
            each = (time.perf_counter() - started) / n * 1e6
            print(f"{name}: look at a pooled connection before use: {each:.2f} us")
        store.engine.dispose()

    async def on_loop() -> None:
        engine = create_async_engine(url.replace("+psycopg", "+asyncpg"))
        service = AsyncTeamAccess(SqlStore(engine))
        pings[0] = 0
        for _ in range(calls):
            await service.check("anna", "acme", "open_backoffice")
            await service.members.list("anna", "acme")
        print(f"async engine: pings in {calls} x (check, read): {pings[0]}")
        await engine.dispose()

    asyncio.run(on_loop())
    SqlStore._alive = ping  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
