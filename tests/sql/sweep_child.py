"""One sweeping process of the expiry race test (R-TIME-2), started by multiprocessing.

``sweep(url, prefix, start, rounds, barrier, out)``: for each round, wait for the other
sweepers at the barrier, then sweep at that round's instant; put the count of grants
this process ended per round on ``out``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.testing import FrozenClock, make_service


def round_instant(start: datetime, round_: int) -> datetime:
    """When round ``round_`` sweeps: its grants ended a minute before."""
    return start + timedelta(hours=round_ + 1)


def sweep(url: str, prefix: str, start: datetime, rounds: int, barrier: Any, out: Any) -> None:
    store = SqlStore(create_engine(url), prefix=prefix, fast_path_connections=0)
    clock = FrozenClock(start)
    ta = make_service(store, clock=clock, retries=20)
    ended = []
    try:
        for round_ in range(rounds):
            clock.now = round_instant(start, round_)
            barrier.wait(timeout=120)
            ended.append(len(ta.grants.expire_due().expired))
    finally:
        out.put(ended)
        store.engine.dispose()
