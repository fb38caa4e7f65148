"""R-ALL-12: the invariants hold when processes write through different Galera nodes.

A private 3-node MariaDB Galera cluster (``tests/clusters/galera.py``) is started once
for the module; six racing processes (not threads) each run a service on one node,
racer ``i`` on node ``i % 3``, and each round's racers are released together. Every
lock a command takes is also a write (``lock_version``), so certification sees the
conflict that the node-local ``SELECT ... FOR UPDATE`` cannot, and the loser of a
conflict fails with 1213 at commit and is retried whole with backoff (RetryPolicy).

Each test counts the rounds that break its invariant (0 expected), the retries and the
``TransientStorageError``s, and prints them (``-s``). ``TEAMACCESS_GALERA_ROUNDS``
sets the rounds per test (12 by default); ``TEAMACCESS_GALERA_LOCK_WRITES=0`` runs the
same races with the lock writes off, to see them break (the figures in
docs/scale-out.md).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

from teamaccess import TeamAccess
from teamaccess.testing import dump

from ..clusters.galera import GaleraCluster, cluster_or_skip
from . import galera_child
from .test_tag_races import replayed

ROUNDS = int(os.environ.get("TEAMACCESS_GALERA_ROUNDS", "12"))
LOCK_WRITES = os.environ.get("TEAMACCESS_GALERA_LOCK_WRITES", "1") != "0"
RACERS = 6
PREFIX = "tagal_"
ADMIN = "admin"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("galera")]


class Outcome(NamedTuple):
    """What one racing call gave: ``won`` or an error class name, and its retries."""

    kind: str
    detail: Any
    retries: int


class Racers:
    """Six spawned processes, racer ``i`` on node ``i % 3``, released together each round."""

    def __init__(self, cluster: GaleraCluster) -> None:
        context = multiprocessing.get_context("spawn")
        self.go = context.Event()
        self.workers: list[tuple[Any, Any, Any]] = []
        for i in range(RACERS):
            tasks, answers = context.Queue(), context.Queue()
            process = context.Process(
                target=galera_child.serve,
                args=(cluster.url(i % 3), PREFIX, LOCK_WRITES, tasks, answers, self.go),
                daemon=True,
            )
            process.start()
            self.workers.append((process, tasks, answers))
        self.rounds = 0

    def race(self, calls: list[tuple[str, tuple[Any, ...]]]) -> list[Outcome]:
        """Run the calls at once, each in another process; consecutive calls on other nodes."""
        self.rounds += 1
        chosen = [self.workers[(self.rounds + i) % RACERS] for i in range(len(calls))]
        for (_, tasks, _), call in zip(chosen, calls, strict=True):
            tasks.put(call)
        for worker in chosen:
            assert _answer(*worker)[0] == "ready"
        self.go.set()
        try:
            outcomes = [Outcome(*_answer(*worker)) for worker in chosen]
        finally:
            self.go.clear()
        crashes = [o for o in outcomes if o.kind == "crash"]
        assert not crashes, crashes
        return outcomes

    def close(self) -> None:
        """Stop the processes."""
        for process, tasks, _ in self.workers:
            tasks.put(None)
            process.join(10)
            if process.is_alive():
                process.kill()


def _answer(process: Any, _tasks: Any, answers: Any) -> tuple[Any, ...]:
    """The racer's next answer; fail at once if its process died, or after 2 minutes."""
    for _ in range(120):
        try:
            answer: tuple[Any, ...] = answers.get(timeout=1)
        except queue.Empty:
            if not process.is_alive():
                pytest.fail(f"racing process exited with {process.exitcode}", pytrace=False)
        else:
            return answer
    pytest.fail("a racing process gave no answer in 2 minutes", pytrace=False)


@pytest.fixture(scope="module")
def galera() -> Iterator[tuple[TeamAccess, Racers]]:
    """The cluster, its schema (made once, on node 0), a setup service and the racers."""
    cluster = cluster_or_skip()
    try:
        setup = galera_child.service(cluster.url(0), PREFIX)
        setup.store.create_schema()  # type: ignore[attr-defined]  # DDL replicates (TOI)
        setup.users.register(ADMIN, f"{ADMIN}@example.com")
        racers = Racers(cluster)
        try:
            yield setup, racers
        finally:
            racers.close()
    finally:
        cluster.drop()  # also at exit, should this finalizer not run


class Tally:
    """Broken rounds, retries and TransientStorageErrors of one test, printed at the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.broken: list[int] = []
        self.counts: Counter[str] = Counter()

    def add(self, n: int, outcomes: list[Outcome], broken: bool) -> None:
        """Count one round."""
        self.counts["calls"] += len(outcomes)
        self.counts["retries"] += sum(o.retries for o in outcomes)
        self.counts["transient"] += sum(o.kind == "transient" for o in outcomes)
        self.counts["won"] += sum(o.kind == "won" for o in outcomes)
        if broken:
            self.broken.append(n)

    def report(self) -> None:
        """Print the figures and assert that no round broke the invariant."""
        c = self.counts
        line = (
            f"R-ALL-12 galera {self.name}: {ROUNDS} rounds, lock writes "
            f"{'on' if LOCK_WRITES else 'OFF'}: broken {len(self.broken)}/{ROUNDS}; "
            f"{c['calls']} calls, {c['won']} won, {c['retries']} retries "
            f"({c['retries'] / max(c['calls'], 1):.2f} per call), "
            f"{c['transient']} TransientStorageError"
        )
        print("\n" + line)  # shown with -s (or -rA); the figures docs/scale-out.md quotes
        assert c["transient"] == 0, line
        assert self.broken == [], line


def _people(ta: TeamAccess, *users: str) -> None:
    for user in users:
        ta.users.register(user, f"{user}@example.com")


def _roles(ta: TeamAccess, company: str) -> dict[str, str]:
    return {m.user_id: m.role for m in dump(ta.store).memberships if m.company_id == company}


def _main_contacts_ok(ta: TeamAccess, company: str) -> bool:
    """R-MC-1: a company with members has exactly one main contact, who is a member."""
    members = [m for m in dump(ta.store).memberships if m.company_id == company]
    mains = [m for m in members if m.is_main_contact]
    return len(mains) == (1 if members else 0)


def test_r_mem_9_r_all_12_admins_demoting_each_other_on_two_nodes_one_wins(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-MEM-9, R-ALL-12: two admins demote each other on two nodes: one wins, one admin is left."""
    ta, racers = galera
    tally = Tally("admins demoting each other")
    for n in range(ROUNDS):
        f, a, b, cid = f"dm{n}f", f"dm{n}a", f"dm{n}b", f"dm{n}"
        _people(ta, f, a, b)
        ta.companies.create(f, cid, company_id=cid)
        for admin in (a, b):
            ta.members.add(f, cid, admin, role="admin")
        outcomes = racers.race(
            [("members.change_role", (a, cid, b, "member")),
             ("members.change_role", (b, cid, a, "member"))]
        )  # fmt: skip
        roles = _roles(ta, cid)
        won = [o for o in outcomes if o.kind == "won"]
        tally.add(n, outcomes, len(won) != 1 or [roles[a], roles[b]].count("admin") != 1)
    tally.report()


def test_r_mem_9_r_all_12_last_admin_removal_racing_demotion_keeps_an_admin(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-MEM-9, R-MEM-7, R-ALL-12: admin a removes admin b while b demotes a: never both."""
    ta, racers = galera
    tally = Tally("last admin: remove vs demote")
    for n in range(ROUNDS):
        f, a, b, cid = f"la{n}f", f"la{n}a", f"la{n}b", f"la{n}"
        _people(ta, f, a, b)
        ta.companies.create(f, cid, company_id=cid)
        for admin in (a, b):
            ta.members.add(f, cid, admin, role="admin")
        outcomes = racers.race(
            [("members.remove", (a, cid, b)), ("members.change_role", (b, cid, a, "member"))]
        )
        roles = _roles(ta, cid)
        won = [o for o in outcomes if o.kind == "won"]
        left = [roles.get(a), roles.get(b)].count("admin")
        tally.add(n, outcomes, len(won) != 1 or left != 1)
    tally.report()


def test_r_mc_1_r_mc_4_r_all_12_main_contact_transfer_racing_removal_keeps_one(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-MC-1, R-MC-4, R-ALL-12: handing the main contact to x while an admin removes x: one main contact stays."""
    ta, racers = galera
    tally = Tally("main contact transfer vs removal")
    for n in range(ROUNDS):
        f, a, x, cid = f"mc{n}f", f"mc{n}a", f"mc{n}x", f"mc{n}"
        _people(ta, f, a, x)
        ta.companies.create(f, cid, company_id=cid)
        ta.members.add(f, cid, a, role="admin")
        ta.members.add(f, cid, x)
        outcomes = racers.race(
            [("members.transfer_main_contact", (f, cid, x)), ("members.remove", (a, cid, x))]
        )
        won = [o for o in outcomes if o.kind == "won"]
        tally.add(n, outcomes, len(won) != 1 or not _main_contacts_ok(ta, cid))
    tally.report()


def test_r_mc_1_r_mc_4_r_all_12_sole_member_leaving_racing_an_add_keeps_a_main_contact(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-MC-1, R-MC-4, R-ALL-12: the sole member leaves while adding a colleague: never members without a main contact."""
    ta, racers = galera
    tally = Tally("sole member leaving vs add")
    for n in range(ROUNDS):
        s, c, cid = f"sl{n}s", f"sl{n}c", f"sl{n}"
        _people(ta, s, c)
        ta.companies.create(s, cid, company_id=cid)
        outcomes = racers.race([("members.leave", (s, cid)), ("members.add", (s, cid, c))])
        won = [o for o in outcomes if o.kind == "won"]
        tally.add(n, outcomes, len(won) != 1 or not _main_contacts_ok(ta, cid))
    tally.report()


@pytest.mark.parametrize("case", ["remove-remove", "enroll-remove"])
def test_r_tag_6_r_all_12_tag_events_replay_to_tags_of_across_nodes(
    galera: tuple[TeamAccess, Racers], case: str
) -> None:
    """R-TAG-6, R-ALL-12: two leaders on two nodes act on one participant: the events replay to tags_of."""
    ta, racers = galera
    tag, product = f"tag-{case}", f"course-{case}"
    ta.seats.create_product(ADMIN, product, "Course", tag=tag)
    lena, lars = f"lena-{case}", f"lars-{case}"
    _people(ta, lena, lars)
    first = ta.seats.purchase(lena, product, 1000, "Group A").id
    second = ta.seats.purchase(lars, product, 1000, "Group B").id
    tally = Tally(f"tag events {case}")
    for n in range(ROUNDS):
        user = f"tg{n}{case[0]}"
        email = f"{user}@example.com"
        _people(ta, user)
        ta.seats.enroll(lena, first, email)
        other: tuple[str, tuple[Any, ...]]
        if case == "remove-remove":
            ta.seats.enroll(lars, second, email)
            other = ("seats.remove", (lars, second, user))
        else:
            other = ("seats.enroll", (lars, second, email))
        outcomes = racers.race([("seats.remove", (lena, first, user)), other])
        lost = [o for o in outcomes if o.kind != "won"]
        tally.add(n, outcomes, bool(lost) or replayed(ta, user) != ta.tags.of_user(user))
    tally.report()


def test_r_seat_6_r_all_12_enrollments_on_three_nodes_never_oversell(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-SEAT-6, R-ALL-12: six enrollments on three nodes race for the last 3 seats: exactly 3 win."""
    ta, racers = galera
    ta.seats.create_product(ADMIN, "seats", "Seats", tag="seats")
    _people(ta, "buyer")
    tally = Tally("seats: 6 racers, 3 free")
    for n in range(ROUNDS):
        pool = ta.seats.purchase("buyer", "seats", 5, f"Round {n}", occupy_seat=True).id
        ta.seats.enroll("buyer", pool, f"st{n}first@example.com")
        emails = [f"st{n}r{i}@example.com" for i in range(RACERS)]
        outcomes = racers.race([("seats.enroll", ("buyer", pool, e)) for e in emails])
        kinds = Counter(o.kind for o in outcomes)
        group = ta.seats.group("buyer", pool)
        counts = (group.pool.used, group.pool.seats, len(group.participants))
        tally.add(n, outcomes, kinds != Counter(won=3, SeatsExhausted=3) or counts != (5, 5, 5))
    tally.report()


def test_r_lead_3_r_all_12_picks_on_three_nodes_exactly_one_wins(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-LEAD-3, R-ALL-12: six dealers on three nodes pick one lead: exactly one wins."""
    ta, racers = galera
    dealers = [f"dealer{i}" for i in range(RACERS)]
    _people(ta, "olga", *dealers)
    ta.companies.create("olga", "Market", company_id="market")
    ta.leads.set_market_roles(ADMIN, "market", ["operator", "lead_giver"])
    for dealer in dealers:
        ta.companies.create(dealer, dealer, company_id=dealer)
        ta.leads.set_market_roles(ADMIN, dealer, ["lead_taker"])
    tally = Tally("lead pick: 6 racers")
    for n in range(ROUNDS):
        lead = ta.leads.offer("olga", "market", taker_ids=dealers, title=f"Lead {n}")
        outcomes = racers.race([("leads.pick", (d, d, lead.id)) for d in dealers])
        kinds = Counter(o.kind for o in outcomes)
        seers = [d for d in dealers if ta.leads.check(d, d, lead.id, "view_lead")]
        tally.add(n, outcomes, kinds != Counter(won=1, UnknownLead=5) or len(seers) != 1)
    tally.report()


def test_r_inv_2_r_all_12_one_invitation_accepted_on_two_nodes_once(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-INV-2, R-INV-3, R-ALL-12: one token accepted on two nodes at once: one membership, one refusal."""
    ta, racers = galera
    _people(ta, "inviter")
    ta.companies.create("inviter", "Inviting", company_id="inviting")
    tally = Tally("invitation accepted twice")
    for n in range(ROUNDS):
        user = f"iv{n}"
        _people(ta, user)
        token = ta.invitations.send("inviter", "inviting", f"{user}@example.com").token
        outcomes = racers.race(
            [("invitations.accept", (user, token)), ("invitations.accept", (user, token))]
        )
        won = [o for o in outcomes if o.kind == "won"]
        members = [u for u in _roles(ta, "inviting") if u == user]
        tally.add(n, outcomes, len(won) != 1 or len(members) != 1)
    tally.report()


def test_r_co_2_r_co_3_r_all_12_merge_racing_an_add_leaves_no_member_behind(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-CO-2, R-CO-3, R-ALL-12: a merge and an add to the source on two nodes: no member stays in the closed source."""
    ta, racers = galera
    tally = Tally("merge vs add")
    for n in range(ROUNDS):
        s, t, x = f"mg{n}s", f"mg{n}t", f"mg{n}x"
        _people(ta, s, t, x)
        ta.companies.create(s, s, company_id=s)
        ta.companies.create(t, t, company_id=t)
        outcomes = racers.race([("lifecycle.merge", (ADMIN, s, t)), ("members.add", (s, s, x))])
        state = dump(ta.store)
        left = [m for m in state.memberships if m.company_id == s]
        merged = outcomes[0].kind == "won"
        added = outcomes[1].kind == "won"
        x_in_t = any(m.company_id == t and m.user_id == x for m in state.memberships)
        tally.add(n, outcomes, not merged or bool(left) or added != x_in_t)
    tally.report()


def test_r_co_9_r_all_12_erase_racing_accept_on_two_nodes_leaves_no_trace(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-CO-9, R-ALL-12: erase on one node, accept on another: no membership and no address is left."""
    ta, racers = galera
    _people(ta, "anna")
    ta.companies.create("anna", "Erasing", company_id="erasing")
    tally = Tally("erase vs accept")
    for n in range(ROUNDS):
        user, address = f"xq{n}", f"xq{n}@example.com"
        _people(ta, user)
        token = ta.invitations.send("anna", "erasing", address).token
        outcomes = racers.race(
            [("privacy.erase", (ADMIN, user)), ("invitations.accept", (user, token))]
        )
        state = dump(ta.store)
        traces = any(m.user_id == user for m in state.memberships) or repr(address) in repr(state)
        tally.add(n, outcomes, outcomes[0].kind != "won" or traces)
    tally.report()


def test_r_all_4_r_all_12_every_audit_chain_verifies_after_the_races(
    galera: tuple[TeamAccess, Racers],
) -> None:
    """R-ALL-4, R-ALL-12: after the races above, written through three nodes, every company's audit chain and the platform's verify (a fork between nodes would not)."""
    ta, _ = galera
    companies = [c.id for c in dump(ta.store).companies]
    broken = [
        verdict
        for company in [*companies, None]
        if not (verdict := ta.audit.verify(ADMIN, company)).ok
    ]
    assert broken == [], broken
