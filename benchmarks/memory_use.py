"""Benchmark: memory of the in-memory adapter, per membership and per lead (tracemalloc).

Loads N memberships (users in companies of 10) and then M leads (each offered to two
of the companies) into a ``MemoryStore`` through its ports, and reports the traced
bytes each one adds, as measured by ``tracemalloc`` (the store's dicts, indexes and
frozen values), plus the peak resident set size of the process.

Run: ``python benchmarks/memory_use.py [--memberships 100000] [--leads 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tracemalloc
from pathlib import Path

from checks import NOW  # type: ignore[import-not-found]

from teamaccess import Company, Lead, LeadState, Membership, MemoryStore, User
from teamaccess.values import CompanyId, LeadId, UserId


def load(memberships: int, leads: int) -> dict[str, float]:
    store = MemoryStore()
    companies = max(1, memberships // 10)
    tracemalloc.start()
    with store.transaction() as tx:
        for c in range(companies):
            tx.companies.add(Company(CompanyId(f"c{c:06d}"), f"Company {c}", NOW))
        tx.commit()
    base = tracemalloc.get_traced_memory()[0]
    with store.transaction() as tx:
        for i in range(memberships):
            user = UserId(f"u{i:07d}")
            tx.users.add(User(user, f"{user}@example.com"))
            tx.memberships.add(
                Membership(CompanyId(f"c{i // 10:06d}"), user, "member", NOW, i % 10 == 0)
            )
        tx.commit()
    after_members = tracemalloc.get_traced_memory()[0]
    with store.transaction() as tx:
        for i in range(leads):
            takers = sorted(
                {
                    CompanyId(f"c{(i * 7) % companies:06d}"),
                    CompanyId(f"c{(i * 13 + 1) % companies:06d}"),
                }
            )
            giver = CompanyId(f"c{i % companies:06d}")
            lead = Lead(LeadId(f"L{i:07d}"), CompanyId("c000000"), giver, "Lead",
                        LeadState.OFFERED, NOW)  # fmt: skip
            tx.leads.add(lead, takers)
        tx.commit()
    after_leads = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "memberships": memberships,
        "leads": leads,
        "bytes_per_membership": (after_members - base) / memberships,
        "bytes_per_lead": (after_leads - after_members) / max(1, leads),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memberships", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    row = load(args.memberships, args.leads)
    print("memory of the in-memory adapter (tracemalloc; user + membership, lead + 2 offers)")
    print(
        f"{'memberships':>11} {'leads':>9} {'B/membership':>13} {'B/lead':>8} {'peak RSS MB':>12}"
    )
    print(f"{row['memberships']:>11} {row['leads']:>9} {row['bytes_per_membership']:>13.0f} "
          f"{row['bytes_per_lead']:>8.0f} {row['peak_rss_mb']:>12.0f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(row, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
