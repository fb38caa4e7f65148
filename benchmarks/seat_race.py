"""Benchmark S4: a race for the last seats of a pool (R-SEAT-6).

A pool of Q seats (default 100) with Q - 10 taken; then 32 attempts to enroll 32 new
people start at once: 32 threads on the in-memory adapter, 8 processes (4 attempts
each) on SQLite (WAL) and PostgreSQL. Exactly 10 must win and the pool must hold
exactly Q. Reports, over several rounds, p50 and p99 ms per attempt and the
attempts per second.

Run: ``python benchmarks/seat_race.py [--rounds 5] [--adapters memory,sqlite,postgres]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks import make_store, per_adapter  # type: ignore[import-not-found]

from teamaccess.errors import SeatsExhausted
from teamaccess.testing import make_service

ATTEMPTS, PROCESSES, FREE = 32, 8, 10


def user_of(email: str) -> str:
    """The host's user id of a person enrolled by e-mail: the same in every process."""
    return email.split("@")[0]


def prepare(ta: Any, seats: int, round_no: int) -> str:
    if round_no == 0:
        ta.users.register("admin", "admin@example.com")
        ta.users.register("buyer", "buyer@example.com")
        ta.seats.create_product("admin", "course", "Course", tag="course")
    pool = ta.seats.purchase("buyer", "course", seats, f"Round {round_no}")
    taken = "".join(f"r{round_no}-taken{i}@example.com\n" for i in range(seats - FREE))
    ta.seats.enroll_csv("buyer", pool.id, "email\n" + taken)
    return str(pool.id)


def attempt(ta: Any, pool_id: str, email: str) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        ta.seats.enroll("buyer", pool_id, email)
        won = True
    except SeatsExhausted:
        won = False
    return won, (time.perf_counter() - start) * 1000


def _worker(url: str, prefix: str, pool_id: str, emails: list[str], barrier: Any, out: Any) -> None:
    from teamaccess.adapters.sql import SqlStore

    store = SqlStore.from_url(url, prefix=prefix)
    ta = make_service(store, directory=user_of)
    barrier.wait()
    out.put([attempt(ta, pool_id, email) for email in emails])
    store.engine.dispose()


def race_threads(ta: Any, pool_id: str, emails: list[str]) -> list[tuple[bool, float]]:
    barrier = threading.Barrier(len(emails))
    results: list[tuple[bool, float]] = []

    def run(email: str) -> None:
        barrier.wait()
        results.append(attempt(ta, pool_id, email))

    threads = [threading.Thread(target=run, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race_processes(store: Any, pool_id: str, emails: list[str]) -> list[tuple[bool, float]]:
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(PROCESSES), context.Queue()
    per = len(emails) // PROCESSES
    url = store.engine.url.render_as_string(hide_password=False)
    workers = [
        context.Process(target=_worker, args=(url, store.tables.prefix, pool_id,
                                              emails[i * per : (i + 1) * per], barrier, out))
        for i in range(PROCESSES)
    ]  # fmt: skip
    for worker in workers:
        worker.start()
    results = [r for _ in workers for r in out.get(timeout=120)]
    for worker in workers:
        worker.join()
    return results


def run(adapter: str, seats: int, rounds: int) -> dict[str, object]:
    store = make_store(adapter)
    ta = make_service(store, platform_admins={"admin"}, directory=user_of)
    race: Callable[[Any, str, list[str]], list[tuple[bool, float]]]
    race = race_threads if adapter == "memory" else (lambda _ta, p, e: race_processes(store, p, e))
    times: list[float] = []
    start = time.perf_counter()
    for round_no in range(rounds):
        pool_id = prepare(ta, seats, round_no)
        emails = [f"r{round_no}-new{i}@example.com" for i in range(ATTEMPTS)]
        results = race(ta, pool_id, emails)
        assert sum(won for won, _ in results) == FREE, results
        pool = ta.seats.get(pool_id)
        assert (pool.used, pool.seats) == (seats, seats), pool
        times += [ms for _, ms in results]
    elapsed = time.perf_counter() - start
    if hasattr(store, "engine"):
        store.drop_schema()
        store.engine.dispose()
    times.sort()
    return {
        "adapter": adapter, "racers": "32 threads" if adapter == "memory" else "8 processes",
        "rounds": rounds, "attempts": len(times), "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))], "wall_s": elapsed,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = per_adapter(args.adapters, lambda a: run(a, args.seats, args.rounds))
    print(f"{ATTEMPTS} enrollments race for the last {FREE} of {args.seats} seats; every round "
          f"exactly {FREE} won and the pool holds exactly {args.seats}")  # fmt: skip
    print(f"{'adapter':<9} {'racers':<12} {'attempts':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r['adapter']:<9} {r['racers']:<12} {r['attempts']:>8} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
