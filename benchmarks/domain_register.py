"""What a verified domain costs a registration (R-DOM-2).

For each adapter and each enrollment mode (no claim, ``manual``, ``suggest``,
``join``) it registers N users at the domain of company ``acme`` and reports the
median and p99 microseconds of ``ta.users.register``: the same-run baseline is the
row without a claim. In ``join`` mode each registration also adds a membership with
its events, in the same transaction.

Run: ``python benchmarks/domain_register.py [--users N] [--adapters memory,sqlite]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from teamaccess import MemoryStore, Store, TeamAccess
from teamaccess.adapters.sql import SqlStore

MODES = (None, "manual", "suggest", "join")


def _store(adapter: str, folder: Path, mode: str | None) -> Store:
    if adapter == "memory":
        return MemoryStore()
    store = SqlStore.from_url(f"sqlite:///{folder / f'register-{mode}.sqlite'}")
    store.create_schema()
    return store


def measure(adapter: str, mode: str | None, users: int, folder: Path) -> tuple[float, float]:
    """Median and p99 microseconds of one registration under ``mode``."""
    ta = TeamAccess(_store(adapter, folder, mode))
    ta.users.register("anna", "anna@acme.example")
    ta.companies.create("anna", "ACME", company_id="acme")
    if mode is not None:
        challenge = ta.domains.claim("anna", "acme", "acme.example")
        ta.domains.verify("anna", "acme", "acme.example", txt_records=[challenge.txt_record or ""])
        ta.domains.set_mode("anna", "acme", "acme.example", mode)
    times = []
    for i in range(users):
        start = time.perf_counter()
        ta.users.register(f"u{i}", f"u{i}@acme.example")
        times.append((time.perf_counter() - start) * 1e6)
    if mode == "join":
        assert len(ta.members.list("anna", "acme")) == users + 1
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    """Print one row per adapter and mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--adapters", default="memory,sqlite")
    args = parser.parse_args()
    print(f"{'adapter':8} {'mode':8} {'median us':>10} {'p99 us':>10}")
    with tempfile.TemporaryDirectory() as folder:
        for adapter in args.adapters.split(","):
            for mode in MODES:
                median, p99 = measure(adapter, mode, args.users, Path(folder))
                print(f"{adapter:8} {mode or '-':8} {median:10.1f} {p99:10.1f}")


if __name__ == "__main__":
    main()
