"""Benchmark: the in-memory store against a hand-written equivalent on the same facts.

Issue 18's memory floors, each measured against its baseline in the same run:

- **check**: ``ta.check`` on 10,000 users in 1,000 companies (a random mix of members,
  non-members and unknown companies, three actions) against a hand-written check over a
  dict of companies holding a dict of members and a dict of role permissions as
  frozensets, asked the same questions and giving the same answers (target: <= 3x).
- **threads**: checks per second with 8 threads against 1 thread (target: >= 0.9x),
  next to the hand-written check's own ratio (the GIL's floor).
- **during an import**: the latency of checks made while another thread enrolls
  10,000 people from a CSV file in one transaction (target: p99 <= 1 ms), next to
  the same checks with no import running.

Run: ``python benchmarks/floors.py [--users 10000] [--companies 1000] [--import-rows 10000]``.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from threads import rate  # type: ignore[import-not-found]

from teamaccess import MemoryStore, TeamAccess
from teamaccess.domain.ids import well_formed
from teamaccess.domain.policy import decide
from teamaccess.domain.roles import DEFAULT_POLICY
from teamaccess.ports import Transaction
from teamaccess.testing import in_transaction
from teamaccess.values import Company, CompanyId, Membership, User, UserId

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
ACTIONS = ("open_backoffice", "invite", "edit_profile")
Question = tuple[str, str, str]


def load(users: int, companies: int) -> tuple[TeamAccess, dict[str, dict[str, tuple[str, bool]]]]:
    """The same facts in the store and in a hand-written dict: company -> user -> (role, main)."""
    store = MemoryStore()
    facts: dict[str, dict[str, tuple[str, bool]]] = {}

    def fill(tx: Transaction) -> None:
        tx.users.add_many([User(UserId(f"u{i}"), f"u{i}@example.com") for i in range(users)])
        for c in range(companies):
            company = CompanyId(f"c{c}")
            tx.companies.add(Company(company, f"Company {c}", NOW))
            members = facts.setdefault(company, {})
            for k in range(users // companies):
                user = UserId(f"u{c * (users // companies) + k}")
                role = "admin" if k == 0 else "member"
                tx.memberships.add(Membership(company, user, role, NOW, is_main_contact=k == 0))
                members[user] = (role, k == 0)

    in_transaction(store, fill)
    return TeamAccess(store), facts


def hand_written(facts: dict[str, dict[str, tuple[str, bool]]]) -> Callable[[str, str, str], bool]:
    """A check over plain dicts and frozensets, with the library's answers for ACTIONS."""
    permissions = {role: DEFAULT_POLICY.permissions(role) for role in DEFAULT_POLICY.roles}
    everyone = frozenset({"open_backoffice", "view_members"})

    def check(user: str, company: str, action: str) -> bool:
        members = facts.get(company)
        if members is None:
            return False
        held = members.get(user)
        if held is None:
            return False
        if action in everyone:
            return True
        if action == "edit_profile":
            return held[1]
        return "manage_team" in permissions[held[0]]

    return check


def questions(users: int, companies: int, count: int, seed: int = 18) -> list[Question]:
    rng = random.Random(seed)
    return [
        (f"u{rng.randrange(users)}", f"c{rng.randrange(companies + companies // 10)}",
         rng.choice(ACTIONS))
        for _ in range(count)
    ]  # fmt: skip


def per_call(fn: Callable[[str, str, str], object], asked: list[Question], rounds: int) -> float:
    """The best of ``rounds`` passes over ``asked``, in microseconds per call."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for user, company, action in asked:
            fn(user, company, action)
        best = min(best, (time.perf_counter() - start) / len(asked))
    return best * 1e6


def first_time_steps(ta: TeamAccess, users: int, companies: int) -> list[tuple[str, float]]:
    """Each step a first-time check cannot skip, alone, in us per call on fresh questions."""
    store, policy = ta.store, ta.policy
    fresh = questions(users, companies, 10_000, seed=35)
    facts = {(u, c): store.check_facts(c, u) for u, c, _ in fresh}

    def decided(user: str, company: str, action: str) -> object:
        found, member, above, ancestor, sight = facts[user, company]
        return decide(
            action, company=found, actor=member, policy=policy, ancestor_member=above,
            ancestor=ancestor, company_id=company, sight=sight,
        )  # fmt: skip

    def read(user: str, company: str, _action: str) -> object:
        return store.check_facts(company, user)

    return [
        (
            "validating the three ids",
            per_call(well_formed, questions(users, companies, 10_000, 36), 1),
        ),
        (
            "reading company + membership",
            per_call(read, questions(users, companies, 10_000, 37), 1),
        ),
        ("deciding on them", per_call(decided, fresh, 1)),
    ]


def cycling(fn: Callable[[str, str, str], object], asked: list[Question]) -> Callable[[], object]:
    """A callable asking ``fn`` the next of the first 1,000 questions on each call."""
    questions = asked[:1000]
    position = [0]

    def call() -> object:
        user, company, action = questions[position[0] % len(questions)]
        position[0] += 1
        return fn(user, company, action)

    return call


def during_import(ta: TeamAccess, asked: list[Question], rows: int) -> tuple[list[float], float]:
    """Check latencies (ms) while another thread imports ``rows`` people; the import's seconds."""
    ta.users.register("admin", "admin@example.com")
    ta.users.register("buyer", "buyer@example.com")
    service = TeamAccess(ta.store, platform_admins={"admin"})
    service.seats.create_product("admin", "course", "Course", tag="course")
    pool = service.seats.purchase("buyer", "course", rows, "Everyone")
    csv = "email\n" + "".join(f"person{i}@example.com\n" for i in range(rows))
    done = threading.Event()
    took = [0.0]

    def importer() -> None:
        start = time.perf_counter()
        service.seats.enroll_csv("buyer", pool.id, csv)
        took[0] = time.perf_counter() - start
        done.set()

    latencies: list[float] = []
    thread = threading.Thread(target=importer)
    thread.start()
    index = 0
    while not latencies or not done.is_set():  # at least one check
        user, company, action = asked[index % len(asked)]
        start = time.perf_counter()
        ta.check(user, company, action)
        latencies.append((time.perf_counter() - start) * 1000)
        index += 1
        time.sleep(0.0005)
    thread.join()
    return latencies, took[0]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    ta, facts = load(args.users, args.companies)
    hand = hand_written(facts)
    asked = questions(args.users, args.companies, 20_000)
    for user, company, action in asked:
        assert ta.check(user, company, action).allowed == hand(user, company, action)
    print(f"{'case':<44} {'teamaccess':>12} {'baseline':>12} {'ratio':>7} {'target':>8}")
    # First time: questions neither has been asked, each asked once (a fresh list per
    # side); five rounds taking turns, the median round of each side.
    firsts: tuple[list[float], list[float]] = ([], [])
    for seed in range(29, 34):
        fresh = questions(args.users, args.companies, 20_000, seed=seed)
        firsts[0].append(per_call(ta.check, fresh[:10_000], 1))
        firsts[1].append(per_call(hand, fresh[10_000:], 1))
    lib_first, base_first = (sorted(side)[2] for side in firsts)
    print(f"{'check, us per call (first time, each once)':<44} {lib_first:>12.3f} "
          f"{base_first:>12.3f} {lib_first / base_first:>6.2f}x {'<= 3x':>8}")  # fmt: skip
    for step, took in first_time_steps(ta, args.users, args.companies):
        print(f"{'  of which ' + step:<44} {took:>12.3f} {base_first:>12.3f} "
              f"{took / base_first:>6.2f}x")  # fmt: skip
    lib, base = per_call(ta.check, asked, 5), per_call(hand, asked, 5)
    print(f"{'check, us per call (repeated, best of 5)':<44} {lib:>12.3f} {base:>12.3f} "
          f"{lib / base:>6.2f}x {'<= 3x':>8}")  # fmt: skip
    one = rate(lambda: cycling(ta.check, asked), 1, args.seconds)
    eight = rate(lambda: cycling(ta.check, asked), 8, args.seconds)
    h1 = rate(lambda: cycling(hand, asked), 1, args.seconds)
    h8 = rate(lambda: cycling(hand, asked), 8, args.seconds)
    print(f"{'checks/s, 1 thread':<44} {one:>12,.0f} {h1:>12,.0f} {one / h1:>6.2f}x {'':>8}")
    print(f"{'checks/s, 8 threads':<44} {eight:>12,.0f} {h8:>12,.0f} {eight / h8:>6.2f}x {'':>8}")
    print(f"{'8 threads : 1 thread':<44} {eight / one:>11.2f}x {h8 / h1:>11.2f}x {'':>7} "
          f"{'>= 0.9x':>8}")  # fmt: skip
    quiet = []
    for user, company, action in asked[:2000]:
        start = time.perf_counter()
        ta.check(user, company, action)
        quiet.append((time.perf_counter() - start) * 1000)
    busy, took = during_import(ta, asked, args.import_rows)
    print(f"{'check ms p50, during / without an import':<44} {p(busy, 0.5):>12.4f} "
          f"{p(quiet, 0.5):>12.4f} {'':>7} {'':>8}")  # fmt: skip
    print(f"{'check ms p99, during / without an import':<44} {p(busy, 0.99):>12.4f} "
          f"{p(quiet, 0.99):>12.4f} {'':>7} {'<= 1 ms':>8}")  # fmt: skip
    print(f"{'check ms max during the import':<44} {max(busy):>12.4f} {max(quiet):>12.4f}")
    print(f"({len(busy)} checks during an import of {args.import_rows} rows taking {took:.2f} s)")


if __name__ == "__main__":
    main()
