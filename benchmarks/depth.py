"""Benchmark S5: a check through the partner hierarchy, depth 1 to 5 (R-PART-2).

A chain of accounts p0 (root) > p1 > ... > p5, among 1,000 other companies with 10
members each. ``viewer`` is a member of p0 only, ``owner`` of every account. For each
depth d it reports the median and p99 us of ``check(viewer, p<d>, view_overview)``
(allowed through the nearest ancestor: the hierarchy is walked) and of
``check(owner, p<d>, switch_into)`` (a direct member), the SELECTs one check sends on
SQL (one: the closure table answers "nearest ancestor"), and the same-run baselines
(a dict lookup; on SQL a prebuilt Core primary-key select).

Run: ``python benchmarks/depth.py [--adapters memory,sqlite,postgres] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from checks import NOW, make_store, measure, per_adapter, raw_select  # type: ignore[import-not-found]
from overview import statements_of  # type: ignore[import-not-found]

from teamaccess import Action, Company, Membership, Store, User
from teamaccess.testing import make_service
from teamaccess.values import CompanyId, UserId

DEPTH = 5


def build(store: Store, others: int) -> None:
    with store.transaction() as tx:
        for user in ("viewer", "owner"):
            tx.users.add(User(UserId(user), f"{user}@example.com"))
        for d in range(DEPTH + 1):
            parent = CompanyId(f"p{d - 1}") if d else None
            tx.companies.add(Company(CompanyId(f"p{d}"), f"Level {d}", NOW, parent_id=parent))
            tx.memberships.add(Membership(CompanyId(f"p{d}"), UserId("owner"), "admin", NOW, True))
        tx.memberships.add(Membership(CompanyId("p0"), UserId("viewer"), "member", NOW))
        for c in range(others):
            tx.companies.add(Company(CompanyId(f"c{c}"), f"Company {c}", NOW))
            for k in range(10):
                user = UserId(f"u{c}-{k}")
                tx.users.add(User(user, f"{user}@example.com"))
                tx.memberships.add(Membership(CompanyId(f"c{c}"), user, "member", NOW, k == 0))
        tx.commit()


def run(adapter: str, repeat: int, others: int) -> list[dict[str, object]]:
    store = make_store(adapter)
    build(store, others)
    ta = make_service(store)
    lookup = {("p0", "viewer"): True}
    rows: list[dict[str, object]] = []
    base, _ = measure(lambda: lookup.get(("p0", "viewer")), repeat)
    engine = getattr(store, "engine", None)
    raw = measure(raw_select(store), repeat)[0] if engine is not None else None
    for d in range(1, DEPTH + 1):
        account = f"p{d}"
        above = ta.check("viewer", account, Action.VIEW_OVERVIEW)
        assert (above.allowed, above.reason) == (True, "ancestor_member"), above
        assert str(ta.check("viewer", account, Action.SWITCH_INTO)) == (
            "denied: overview_only (R-PART-2)"
        )
        assert ta.check("owner", account, Action.SWITCH_INTO).allowed
        for case, call in [
            ("ancestor member", lambda a=account: ta.check("viewer", a, Action.VIEW_OVERVIEW)),
            ("direct member", lambda a=account: ta.check("owner", a, Action.SWITCH_INTO)),
        ]:
            median, p99 = measure(call, repeat)
            rows.append({
                "adapter": adapter, "depth": d, "case": case, "median_us": median,
                "p99_us": p99, "dict_us": base, "raw_select_us": raw,
                "selects": statements_of(store, call),
            })  # fmt: skip
    if engine is not None:
        store.drop_schema()
        engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--others", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for found in per_adapter(args.adapters, lambda a: run(a, args.repeat, args.others)):
        rows += found
    print("check through the partner hierarchy (S5); median and p99 per check")
    print(f"{'adapter':<9} {'depth':>5} {'case':<16} {'median us':>10} {'p99 us':>9} "
          f"{'x base':>7} {'selects':>7}")  # fmt: skip
    for r in rows:
        base = r["raw_select_us"] or r["dict_us"]
        selects = "-" if r["selects"] is None else r["selects"]
        print(f"{r['adapter']:<9} {r['depth']:>5} {r['case']:<16} {r['median_us']:>10.2f} "
              f"{r['p99_us']:>9.2f} {r['median_us'] / base:>7.1f} {selects:>7}")  # type: ignore[operator]  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
