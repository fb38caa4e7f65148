"""Benchmark: memory of the in-memory adapter against a hand-written equivalent (issue 18).

Two measurements, each next to a hand-written store of the same facts in plain dicts,
lists and tuples (the same frozen values: users, memberships, leads; an index of lead
ids per company for operator, giver and offers; the companies of each user; users by
e-mail; the main contact of each company):

- **bytes per membership and per lead** (``tracemalloc``): N memberships (users in
  companies of 10), then M leads (each offered to two companies), each set loaded in
  one transaction; the traced bytes each one adds (target: <= 1.3x hand-written).
- **peak RSS of a big transaction**: a fresh process loads the memberships and then
  ``--big-leads`` leads in one transaction (the undo journal holds every one until the
  commit), without ``tracemalloc``; its peak resident set size, against a fresh
  process loading the same into the hand-written store (target: <= 1.5x).

Run: ``python benchmarks/memory_use.py [--memberships 100000] [--leads 200000]
[--big-leads 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

from checks import NOW  # type: ignore[import-not-found]

from teamaccess import Company, Lead, LeadState, Membership, MemoryStore, User
from teamaccess.values import CompanyId, LeadId, UserId


def _companies(memberships: int) -> int:
    return max(1, memberships // 10)


def _membership(i: int) -> tuple[User, Membership]:
    user = UserId(f"u{i:07d}")
    member = Membership(CompanyId(f"c{i // 10:06d}"), user, "member", NOW, i % 10 == 0)
    return User(user, f"{user}@example.com"), member


def _lead(i: int, companies: int) -> tuple[Lead, list[CompanyId]]:
    takers = sorted({CompanyId(f"c{(i * 7) % companies:06d}"),
                     CompanyId(f"c{(i * 13 + 1) % companies:06d}")})  # fmt: skip
    giver = CompanyId(f"c{i % companies:06d}")
    lead = Lead(LeadId(f"L{i:07d}"), CompanyId("c000000"), giver, "Lead", LeadState.OFFERED, NOW)
    return lead, takers


class Library:
    """The facts in a ``MemoryStore``, each set through its ports in one transaction."""

    def __init__(self, memberships: int) -> None:
        self.store = MemoryStore()
        self.companies = _companies(memberships)
        with self.store.transaction() as tx:
            for c in range(self.companies):
                tx.companies.add(Company(CompanyId(f"c{c:06d}"), f"Company {c}", NOW))
            tx.commit()

    def members(self, count: int) -> None:
        """Add ``count`` users, each a member of a company of 10, in one transaction."""
        with self.store.transaction() as tx:
            for i in range(count):
                user, member = _membership(i)
                tx.users.add(user)
                tx.memberships.add(member)
            tx.commit()

    def leads(self, count: int) -> None:
        """Add ``count`` leads, each offered to two companies, in one transaction."""
        with self.store.transaction() as tx:
            for i in range(count):
                tx.leads.add(*_lead(i, self.companies))
            tx.commit()


class HandWritten:
    """The same facts in plain dicts, lists and tuples, with the same frozen values."""

    def __init__(self, memberships: int) -> None:
        self.companies = _companies(memberships)
        self.company: dict[str, Company] = {}
        for c in range(self.companies):
            self.company[f"c{c:06d}"] = Company(CompanyId(f"c{c:06d}"), f"Company {c}", NOW)
        self.users: dict[str, User] = {}
        self.by_email: dict[str, str] = {}
        self.people: dict[str, dict[str, Membership]] = {}
        self.companies_of: dict[str, list[str]] = {}
        self.main: dict[str, str] = {}
        self.lead: dict[str, Lead] = {}
        self.offers: dict[str, tuple[str, ...]] = {}
        self.by: dict[str, dict[str, list[str]]] = {"operator": {}, "giver": {}, "offer": {}}

    def members(self, count: int) -> None:
        """Add ``count`` users, each a member of a company of 10."""
        for i in range(count):
            user, member = _membership(i)
            self.users[user.id] = user
            self.by_email[user.email] = user.id
            self.people.setdefault(member.company_id, {})[user.id] = member
            self.companies_of.setdefault(user.id, []).append(member.company_id)
            if member.is_main_contact:
                self.main[member.company_id] = user.id

    def leads(self, count: int) -> None:
        """Add ``count`` leads, each offered to two companies."""
        for i in range(count):  # ids arrive in order: appending keeps every list sorted
            lead, takers = _lead(i, self.companies)
            self.lead[lead.id] = lead
            self.offers[lead.id] = tuple(takers)
            self.by["operator"].setdefault(lead.operator_id, []).append(lead.id)
            self.by["giver"].setdefault(lead.giver_id, []).append(lead.id)
            for taker in takers:
                self.by["offer"].setdefault(taker, []).append(lead.id)


def per_item(kind: type[Library] | type[HandWritten], memberships: int, leads: int) -> list[float]:
    """Traced bytes per membership (with its user) and per lead (with its offers)."""
    tracemalloc.start()
    store = kind(memberships)
    base = tracemalloc.get_traced_memory()[0]
    store.members(memberships)
    after_members = tracemalloc.get_traced_memory()[0]
    store.leads(leads)
    after_leads = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return [(after_members - base) / memberships, (after_leads - after_members) / max(1, leads)]


def own_peak_mb() -> float:
    """This process's peak RSS in MB: Linux's ``VmHWM`` (``ru_maxrss`` survives ``exec``)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss(kind: str, memberships: int, leads: int) -> float:
    """Peak RSS (MB) of a fresh process loading the facts into ``kind``."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import memory_use as m; "
        "store = getattr(m, sys.argv[2])(int(sys.argv[3])); "
        "store.members(int(sys.argv[3])); store.leads(int(sys.argv[4])); "
        "print(m.own_peak_mb())"
    )
    here = str(Path(__file__).parent)
    out = subprocess.run(  # noqa: S603 (this interpreter, this script)
        [sys.executable, "-c", code, here, kind, str(memberships), str(leads)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memberships", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--big-leads", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rss = [peak_rss(k, args.memberships, args.big_leads) for k in ("Library", "HandWritten")]
    lib = per_item(Library, args.memberships, args.leads)
    hand = per_item(HandWritten, args.memberships, args.leads)
    rows: list[tuple[str, float, float, str]] = [
        ("bytes per membership (with its user)", lib[0], hand[0], "<= 1.3x"),
        ("bytes per lead (with its offers)", lib[1], hand[1], "<= 1.3x"),
        (f"peak RSS MB, {args.big_leads:,} leads in one transaction", rss[0], rss[1], "<= 1.5x"),
    ]
    print(f"{'case':<48} {'teamaccess':>11} {'hand-written':>13} {'ratio':>7} {'target':>8}")
    for label, ours, base, target in rows:
        print(f"{label:<48} {ours:>11.0f} {base:>13.0f} {ours / base:>6.2f}x {target:>8}")
    if args.json:
        result: dict[str, Any] = {label: [ours, base] for label, ours, base, _ in rows}
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
