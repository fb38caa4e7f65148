"""Benchmark: what writing every locked row costs on one server (R-ALL-12).

Multi-primary clusters certify only written rows, so the SQL store bumps
``lock_version`` on every row it locks (``SqlStore(lock_writes=True)``, the default).
On a single PostgreSQL or MariaDB server that write buys nothing and costs one statement
per lock. This measures it on a contended command: ``--threads`` threads (default 4)
each change the role of their own member of ONE company back and forth, so every
command waits for the same company lock. For lock writes on and off it prints the
statements per command (counted with a listener), commands per second, and p50/p99
milliseconds per command.

Run: ``python benchmarks/lock_writes.py [--adapters postgres,mariadb] [--commands 200]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from typing import Any

import sqlalchemy as sa
from checks import URLS  # type: ignore[import-not-found]

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.testing import make_service

PREFIX = f"blockw{os.getpid()}_"


def run(url: str, *, lock_writes: bool, threads: int, commands: int) -> dict[str, float]:
    """Race ``threads`` x ``commands`` role changes in one company; the figures."""
    engine = create_engine(url, pool_size=threads + 2)
    store = SqlStore(engine, prefix=PREFIX, lock_writes=lock_writes)
    store.create_schema()
    store.clear()
    ta = make_service(store)
    ta.users.register("boss", "boss@example.com")
    ta.companies.create("boss", "Contended", company_id="hot")
    workers = [f"w{i}" for i in range(threads)]
    for user in workers:
        ta.users.register(user, f"{user}@example.com")
        ta.members.add("boss", "hot", user)
    statements: list[str] = []
    sa.event.listen(
        engine, "before_cursor_execute", lambda *args: statements.append(args[2].split()[0])
    )
    times: list[float] = []
    barrier = threading.Barrier(threads)

    def work(user: str) -> None:
        barrier.wait()
        for n in range(commands):
            start = time.perf_counter()
            ta.members.change_role("boss", "hot", user, "admin" if n % 2 == 0 else "member")
            times.append(time.perf_counter() - start)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(user,)) for user in workers]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    total = threads * commands
    quantiles = statistics.quantiles(times, n=100)
    store.drop_schema()
    engine.dispose()
    return {
        "statements": len(statements) / total,
        "updates": statements.count("UPDATE") / total,
        "per_second": total / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print one row per adapter and setting; return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", default="postgres")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--commands", type=int, default=200)
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    print(f"{args.threads} threads x {args.commands} role changes in one company")
    print(f"{'adapter':10} {'lock writes':12} {'stmts/cmd':>9} {'UPDATE/cmd':>10} "
          f"{'cmd/s':>8} {'p50 ms':>8} {'p99 ms':>8}")  # fmt: skip
    for adapter in args.adapters.split(","):
        for lock_writes in (False, True):
            row = run(
                URLS[adapter], lock_writes=lock_writes, threads=args.threads, commands=args.commands
            )
            figures[f"{adapter}/{'on' if lock_writes else 'off'}"] = row
            print(f"{adapter:10} {'on' if lock_writes else 'off':12} {row['statements']:9.2f} "
                  f"{row['updates']:10.2f} {row['per_second']:8.0f} {row['p50_ms']:8.2f} "
                  f"{row['p99_ms']:8.2f}")  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
