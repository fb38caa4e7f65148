"""Benchmark: "which leads may this user see?", first page of 50, at 100k and 1M leads (R-LEAD-7).

Builds N companies (default 10,000): c0000..c0009 operate marketplaces, c0010..c0109
give leads, every company takes them. Lead i is operated by one of the 10 operators,
given by one of the 100 givers and offered to two takers (c0110 is one of them for
every 100th lead, so its first page is full at both sizes); every other lead is
picked by its first taker. Two more companies, m1 and m2, each picked 10,000 leads. For each
size (100,000 then 1,000,000 leads) it reports the median and p99 ms of the first page
of 50 visible leads for a member of a taker, of a giver and of an operator (who sees
100,000 leads at 1M), the same-run baseline (SQL: a raw Core keyset page of 50 rows of
the leads table by primary key; memory: merging four id lists in plain Python), and
the SELECTs one page costs. Then it merges m2 into m1 (10,000 leads each) and reports
the time. Checks every page against a brute-force answer over the generated facts.

Run: ``python benchmarks/leads.py [--leads 100000,1000000] [--adapters memory,sqlite,postgres]
[--explain]``; ``--explain`` prints PostgreSQL's EXPLAIN ANALYZE of the operator's page.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from checks import NOW, make_store, per_adapter  # type: ignore[import-not-found]
from overview import statements_of  # type: ignore[import-not-found]

from teamaccess import Company, Lead, LeadState, Membership, Store, User
from teamaccess.testing import make_service
from teamaccess.values import CompanyId, LeadId, UserId

OPERATORS, GIVERS, PAGE, PICKED_BY_M = 10, 100, 50, 10_000


def company_ids(companies: int) -> list[str]:
    return [f"c{i:04d}" for i in range(companies)]


def lead_facts(i: int, companies: list[str]) -> tuple[Lead, list[CompanyId]]:
    """Lead number ``i`` and the takers it is still offered to."""
    takers = companies[OPERATORS + GIVERS :]
    first = takers[0] if i % 100 == 0 else takers[(i * 7) % len(takers)]  # c0110: 1 in 100
    second = takers[(i * 13 + 1) % len(takers)]
    picked = CompanyId(first) if i % 2 else None
    if i < 2 * PICKED_BY_M:  # m1 and m2 picked the first 20,000
        picked = CompanyId("m1" if i < PICKED_BY_M else "m2")
    lead = Lead(
        LeadId(f"L{i:07d}"),
        CompanyId(companies[i % OPERATORS]),
        CompanyId(companies[OPERATORS + i % GIVERS]),
        f"Lead {i}",
        LeadState.PICKED if picked else LeadState.OFFERED,
        NOW,
        picked_by=picked,
    )
    offers = [] if picked else sorted({CompanyId(first), CompanyId(second)})
    return lead, offers


def build_companies(store: Store, companies: list[str]) -> None:
    with store.transaction() as tx:
        for user in ("u-op", "u-giver", "u-taker", "u-m1", "u-m2", "admin"):
            tx.users.add(User(UserId(user), f"{user}@example.com"))
        for cid in [*companies, "m1", "m2"]:
            tx.companies.add(Company(CompanyId(cid), cid, NOW))
        taker = companies[OPERATORS + GIVERS]
        for user, cid in [("u-op", companies[0]), ("u-giver", companies[OPERATORS]),
                          ("u-taker", taker), ("u-m1", "m1"), ("u-m2", "m2")]:  # fmt: skip
            tx.memberships.add(Membership(CompanyId(cid), UserId(user), "admin", NOW, True))
        tx.commit()


def add_leads(store: Store, start: int, stop: int, companies: list[str]) -> None:
    """Leads ``start..stop-1``: through the port on memory, by bulk insert on SQL."""
    engine = getattr(store, "engine", None)
    if engine is None:
        with store.transaction() as tx:
            for i in range(start, stop):
                tx.leads.add(*lead_facts(i, companies))
            tx.commit()
        return
    t = store.tables  # type: ignore[attr-defined]
    for chunk in range(start, stop, 20_000):
        leads, offers = [], []
        for i in range(chunk, min(chunk + 20_000, stop)):
            lead, takers = lead_facts(i, companies)
            leads.append({"id": lead.id, "operator_id": lead.operator_id,
                          "giver_id": lead.giver_id, "title": lead.title,
                          "state": lead.state.value, "created_at": NOW,
                          "picked_by": lead.picked_by})  # fmt: skip
            offers += [{"lead_id": lead.id, "company_id": c} for c in takers]
        with engine.begin() as conn:
            conn.execute(t.leads.insert(), leads)
            if offers:
                conn.execute(t.offers.insert(), offers)
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {store.tables.leads.name}")  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"VACUUM ANALYZE {store.tables.offers.name}")  # type: ignore[attr-defined]


def expected_first_page(company: str, size: int, companies: list[str]) -> list[str]:
    """The brute-force answer: scan every lead."""
    found = []
    for i in range(size):
        lead, offers = lead_facts(i, companies)
        if company in (lead.operator_id, lead.giver_id, lead.picked_by) or company in offers:
            found.append(lead.id)
            if len(found) == PAGE:
                break
    return found


def baseline(store: Store) -> Callable[[], object]:
    engine = getattr(store, "engine", None)
    if engine is None:
        lists = [[f"L{i:07d}" for i in range(k, 5000, 4)] for k in range(4)]
        return lambda: list(itertools.islice(heapq.merge(*lists), PAGE))
    t = store.tables.leads  # type: ignore[attr-defined]
    statement = sa.select(t).where(t.c.id > sa.bindparam("after")).order_by(t.c.id).limit(PAGE)

    def page() -> object:
        with engine.connect() as conn:
            return conn.execute(statement, {"after": "L0050000"}).all()

    return page


def sample(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def explain(store: Store, company: str) -> str:
    """PostgreSQL's plan of the visible-leads statement for ``company``."""
    engine = store.engine  # type: ignore[attr-defined]
    captured: list[Any] = []

    def listen(_c: object, _cur: object, statement: str, params: Any, *_: object) -> None:
        if "UNION" in statement:
            captured.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", listen)
    make_service(store).visible_leads("u-op", company, limit=PAGE)
    sa.event.remove(engine, "before_cursor_execute", listen)
    statement, params = captured[0]
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run(adapter: str, sizes: list[int], companies_n: int, repeat: int, show: bool) -> list[dict]:
    store = make_store(adapter)
    companies = company_ids(companies_n)
    build_companies(store, companies)
    ta = make_service(store, platform_admins={"admin"})
    who = {"taker": ("u-taker", companies[OPERATORS + GIVERS]),
           "giver": ("u-giver", companies[OPERATORS]),
           "operator": ("u-op", companies[0])}  # fmt: skip
    rows, done = [], 0
    for size in sizes:
        start = time.perf_counter()
        add_leads(store, done, size, companies)
        load_s, done = time.perf_counter() - start, size
        for role, (user, company) in who.items():
            page = ta.leads.visible(user, company, limit=PAGE)
            assert [lead.id for lead in page.items] == expected_first_page(company, size, companies)
            median, p99 = sample(
                lambda u=user, c=company: ta.leads.visible(u, c, limit=PAGE), repeat
            )
            rows.append({
                "adapter": adapter, "leads": size, "viewer": role, "load_s": load_s,
                "median_ms": median, "p99_ms": p99,
                "baseline_ms": sample(baseline(store), repeat)[0],
                "selects": statements_of(store, lambda u=user, c=company: ta.leads.visible(u, c)),
            })  # fmt: skip
    if show and adapter == "postgres":
        print(explain(store, companies[0]))
    start = time.perf_counter()
    ta.lifecycle.merge("admin", "m2", "m1")
    merge_ms = (time.perf_counter() - start) * 1000
    assert len(ta.leads.visible("u-m2", "m1", state="picked", limit=1000).items) == 1000
    for row in rows:
        row["merge_ms"] = merge_ms
    if hasattr(store, "engine"):
        store.drop_schema()
        store.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="100000,1000000")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.leads.split(",")]
    if min(sizes) < 2 * PICKED_BY_M:
        raise SystemExit(f"--leads must be at least {2 * PICKED_BY_M}")
    rows = [
        row
        for found in per_adapter(
            args.adapters, lambda a: run(a, sizes, args.companies, args.repeat, args.explain)
        )
        for row in found
    ]
    title = f"first page of {PAGE} visible leads, {args.companies} companies"
    print(f"{title}; merge of 2 x {PICKED_BY_M} leads")
    print(f"{'adapter':<9} {'leads':>8} {'viewer':<9} {'load s':>7} {'median ms':>9} {'p99 ms':>7} "
          f"{'raw ms':>7} {'x raw':>6} {'selects':>7} {'merge ms':>9}")  # fmt: skip
    for r in rows:
        ratio = r["median_ms"] / r["baseline_ms"]
        selects = "-" if r["selects"] is None else r["selects"]
        print(f"{r['adapter']:<9} {r['leads']:>8} {r['viewer']:<9} {r['load_s']:>7.1f} "
              f"{r['median_ms']:>9.3f} {r['p99_ms']:>7.3f} {r['baseline_ms']:>7.3f} "
              f"{ratio:>6.1f} {selects:>7} {r['merge_ms']:>9.0f}")  # fmt: skip
    for adapter in dict.fromkeys(r["adapter"] for r in rows):
        by = {(r["leads"], r["viewer"]): r["median_ms"] for r in rows if r["adapter"] == adapter}
        if len(sizes) > 1:
            growth = ", ".join(
                f"{v} x{by[(sizes[-1], v)] / by[(sizes[0], v)]:.2f}"
                for v in ("taker", "giver", "operator")
            )
            print(f"{adapter}: {sizes[0]} -> {sizes[-1]} leads: {growth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
