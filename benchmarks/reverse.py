"""Benchmark: "who may do ACTION in COMPANY" over a company of N members, page by page.

Each store gets one company ``hq`` with N members and a child account ``branch``;
``ta.access.who_may(admin, "branch", "view_overview")`` lists all N + 1 of them
(the child's own member and hq's members through R-PART-2) in pages of 100. In the
same run, two baselines on the same facts: the brute force the property tests
compare against (``check()`` for every user), and the page's own select run raw through
the same connection (SQLAlchemy Core, no service), i.e. the floor of one page.
On PostgreSQL the tables are analyzed after the bulk load, as autovacuum would.

Run: ``python benchmarks/reverse.py [--members 10000] [--stores sqlite,postgres]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from teamaccess import MemoryStore, Store, TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Membership, User
from teamaccess.ports import Transaction
from teamaccess.testing import in_transaction

POSTGRES = os.environ.get(
    "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
PAGE = 100


def build(store: Store, members: int) -> TeamAccess:
    """The company of ``members`` members and its child, through the ports in one go."""
    ta = TeamAccess(store, platform_admins={"root"})
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "HQ", company_id="hq")
    ta.partners.create_child("anna", "hq", "Branch", company_id="branch")

    def add(tx: Transaction) -> None:
        users = [User(UserId(f"m{n:06d}"), f"m{n:06d}@example.com") for n in range(members)]
        tx.users.add_many(users)
        for user in users:
            tx.memberships.add(Membership(CompanyId("hq"), user.id, "member", WHEN))

    in_transaction(store, add)
    return ta


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Median and p99 of ``repeat`` runs in ms, and what the last run returned."""
    times, result = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], result


def all_pages(ta: TeamAccess) -> int:
    rows, after = 0, None
    while True:
        page = ta.access.who_may("root", "branch", "view_overview", after=after, limit=PAGE)
        rows += len(page.items)
        if page.next_after is None:
            return rows
        after = page.next_after


def brute_force(ta: TeamAccess, users: list[str]) -> int:
    return sum(1 for user in users if ta.check(user, "branch", "view_overview").allowed)


def raw_page(store: SqlStore) -> Callable[[], int]:
    """The first page's select without the service: memberships of hq not in branch."""
    m, x = store.tables.memberships, store.tables.memberships.alias("x")
    member = sa.select(x.c.user_id).where(x.c.company_id == "branch", x.c.user_id == m.c.user_id)
    statement = (
        sa.select(m).where(m.c.company_id == "hq", ~member.exists()).order_by(m.c.user_id)
        .limit(PAGE + 1)
    )  # fmt: skip

    def run() -> int:
        with store.engine.connect() as conn:
            return len(conn.execute(statement).all())

    return run


def open_store(name: str) -> Store:
    """An empty store of the named kind."""
    if name == "memory":
        return MemoryStore()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'reverse.db'}" if name == "sqlite" else POSTGRES
    store = SqlStore.from_url(url, prefix=f"rev{os.getpid()}_")
    store.create_schema()
    return store


def measure(store: Store, members: int, repeat: int) -> list[tuple[str, float, float, int, str]]:
    """The table's rows for one store: case, median, p99, rows, ratio."""
    ta = build(store, members)
    if isinstance(store, SqlStore) and store.dialect == "postgresql":
        with store.engine.begin() as conn:  # what autovacuum does after a bulk load
            conn.exec_driver_sql("ANALYZE")
    users = ["anna", *(f"m{k:06d}" for k in range(members))]

    def first_page() -> int:
        return len(ta.access.who_may("root", "branch", "view_overview", limit=PAGE).items)

    first = timed(first_page, repeat * 4)
    every = timed(lambda: all_pages(ta), repeat)
    brute = timed(lambda: brute_force(ta, users), max(1, repeat // 2))
    rows = [
        ("who_may, first page of 100", *first, ""),
        (f"who_may, all {members + 1} rows", *every, f"{every[0] / brute[0]:.2f}x"),
        ("brute force: check() per user", *brute, ""),
    ]
    if isinstance(store, SqlStore):
        floor = timed(raw_page(store), repeat * 4)
        rows[0] = (*rows[0][:4], f"{first[0] / floor[0]:.2f}x")
        rows.append(("raw select of one page (floor)", *floor, ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'store':<9} {'case':<34} {'median ms':>10} {'p99 ms':>9} {'rows':>7} {'ratio':>7}")
    for name in args.stores.split(","):
        store = open_store(name)
        try:
            for case, median, p99, count, ratio in measure(store, args.members, args.repeat):
                print(f"{name:<9} {case:<34} {median:>10.2f} {p99:>9.2f} {count:>7} {ratio:>7}")
        finally:
            if isinstance(store, SqlStore):
                store.drop_schema()
                store.engine.dispose()
    print("ratio: all pages against the brute force; the first page against the raw select")


if __name__ == "__main__":
    main()
