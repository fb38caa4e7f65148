"""The expiry sweep from 4 processes at once (R-TIME-2), on PostgreSQL and MariaDB.

Each round gives a company 8 memberships, 2 temporary roles, a seat, a direct tag
grant and the company's sight of a child account that end together (one of the members
leads the company's pool); 4 processes then sweep at the same instant.
Every grant's ``...Expired`` event is written exactly once, and each consequence (the
pool's leadership passing on) once. ``TEAMACCESS_SWEEP_ROUNDS`` sets the rounds
(default 15 for CI time; 50 for the figures in the docs).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from teamaccess.events import (
    EnrollmentExpired,
    MembershipExpired,
    PartnerSightExpired,
    PoolLeaderChanged,
    RoleExpired,
    TagGrantExpired,
)
from teamaccess.testing import FrozenClock, in_transaction, make_service

from ..backends import MARIADB, POSTGRES
from .sweep_child import round_instant, sweep

SERVERS = [pytest.param(POSTGRES, id="postgres"), pytest.param(MARIADB, id="mariadb")]
START = datetime(2026, 3, 1, tzinfo=timezone.utc)
ROUNDS = int(os.environ.get("TEAMACCESS_SWEEP_ROUNDS", "8" if os.environ.get("CI") else "15"))
SWEEPERS = 4
ADMIN = "platform-admin"


def _fill(store, rounds: int) -> set[tuple[str, str, str]]:
    """The grants of every round: (kind, company, user) of each that ends."""
    clock = FrozenClock(START)
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    ta.users.register(ADMIN, "admin@example.com")
    ta.seats.create_product(ADMIN, "course", "Course", tag="course-access")
    users = [f"u{i}" for i in range(10)]
    for user in ["boss", *users]:
        ta.users.register(user, f"{user}@example.com")
    due: set[tuple[str, str, str]] = set()
    for round_ in range(rounds):
        company = ta.companies.create("boss", f"Round {round_}", company_id=f"r{round_}").id
        ends = round_instant(START, round_) - timedelta(minutes=1)
        for user in users[:8]:
            ta.members.add("boss", company, user, expires_at=ends)
            due.add(("membership", company, user))
        pool = ta.seats.purchase("u0", "course", 2, "Team", company_id=company)
        seat = ta.seats.enroll("u0", pool.id, f"seat{round_}@example.com")
        ta.seats.set_window("u0", pool.id, seat.user_id, expires_at=ends)
        due.add(("seat", company, seat.user_id))
        due.add(("tag", f"pool:{pool.id}", seat.user_id))
        for user in users[8:]:
            ta.members.add("boss", company, user)
            ta.members.change_role("boss", company, user, "admin", until=ends, then="member")
            due.add(("role", company, user))
        label = f"r{round_}"  # one direct tag grant per round too, held by nobody's company
        ta.tags.grant(ADMIN, "boss", "bonus", label=label, expires_at=ends)
        due.add(("tag", f"direct:{label}", "boss"))
        kid = ta.partners.create_child("boss", company, "Kid", company_id=f"k{round_}").id
        ta.partners.set_sight_window("boss", kid, expires_at=ends)  # R-TIME-1 on the link
        due.add(("sight", kid, company))
    return due


@pytest.mark.parametrize("backend", SERVERS)
def test_r_time_2_four_processes_sweep_each_grant_exactly_once(backend) -> None:
    """R-TIME-2: 4 processes sweep at once each round; every grant's Expired event (membership, role, seat, tag, partner sight) exactly once, 0 duplicates, one leadership change per round."""
    store = backend.store()
    store.clear()
    due = _fill(store, ROUNDS)
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(SWEEPERS), context.Queue()
    url = store.engine.url.render_as_string(hide_password=False)
    workers = [
        context.Process(target=sweep, args=(url, store.tables.prefix, START, ROUNDS, barrier, out))
        for _ in range(SWEEPERS)
    ]
    for worker in workers:
        worker.start()
    counts = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * SWEEPERS
    events = [m.event for m in in_transaction(store, lambda tx: tx.outbox.all())]
    seen = Counter(
        ("membership" if isinstance(e, MembershipExpired) else "role", e.company_id, e.user_id)
        for e in events
        if isinstance(e, (MembershipExpired, RoleExpired))
    ) + Counter(
        ("tag", e.source, e.user_id) if isinstance(e, TagGrantExpired) else
        ("seat", e.company_id, e.user_id)
        for e in events
        if isinstance(e, (TagGrantExpired, EnrollmentExpired))
    ) + Counter(
        ("sight", e.company_id, e.parent_id) for e in events if isinstance(e, PartnerSightExpired)
    )  # fmt: skip
    duplicates = sum(n - 1 for n in seen.values())
    sights = sum(n for (kind, *_), n in seen.items() if kind == "sight")
    leaders = Counter(e.company_id for e in events if isinstance(e, PoolLeaderChanged))
    print(
        f"{backend.name}: {ROUNDS} rounds x {SWEEPERS} sweepers, {len(due)} grants, "
        f"{sum(seen.values())} expired events ({sights} partner sights), "
        f"{duplicates} duplicates; "
        f"ended per process {[sum(c) for c in counts]}"
    )
    assert set(seen) == due
    assert duplicates == 0
    assert sights == ROUNDS
    seats_tags = sum(1 for kind, source, _ in due if kind == "tag" and source.startswith("pool:"))
    assert sum(sum(c) for c in counts) == len(due) - seats_tags  # one report per grant
    assert leaders == Counter({f"r{r}": 1 for r in range(ROUNDS)})
