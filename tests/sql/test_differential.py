"""Differential test (R-ALL-5): one random history, every adapter, the same answers.

A hypothesis ``RuleBasedStateMachine`` drives the same commands into the in-memory
adapter and SQL adapters (SQLite always; PostgreSQL and MariaDB too when ``CI`` or
``TEAMACCESS_DIFF_ALL`` is set), and through AsyncTeamAccess into aiosqlite (always)
and asyncpg (with the servers). After every step it asserts that every command had
the same outcome (result or error type and message), that every decision of every
user on every company, group and tag agrees, and that the stores and their outboxes
hold the same. Memberships, invitations, seat pools, enrollments, tag grants, partner
accounts and licenses, leads, the inbox, shared records and one merge all take part,
and so do time-bound grants (R-TIME): memberships that start later or end, windows
changed afterwards, temporary roles, a clock that moves in hours and days, the expiry
sweep, and the reverse queries and expiry lists that show the windows. A company's own
roles take part too (R-ROLE-1..3): defined, changed, deleted (moving their holders) and
handed out as further roles, with every role list, check of a host permission and
reverse query for one compared; from the start u2 holds a further role of c0 that
grants ``billing``, which their role does not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from teamaccess import Action, MemoryStore, ReplacementPolicy, RolePolicy, TeamAccess
from teamaccess.errors import TeamAccessError
from teamaccess.testing import FrozenClock, dump, make_service

from ..backends import AIOSQLITE, ASYNCPG, MARIADB, POSTGRES, SQLITE

USERS = ["u0", "u1", "u2", "u3", "u4"]
COMPANIES = ["c0", "c1", "c2"]
CHILDREN = ["k0", "k1", "k2"]  # created by create_child_account
ACCOUNTS = COMPANIES + CHILDREN
ROLES = ["admin", "member"]
OWN_ROLES = ["ra", "rb", "rc"]  # names of a company's own roles (R-ROLE-1)
HOST = ["manage_team", "reassign_main_contact", "billing", "export"]  # the permission list
POLICY = RolePolicy({"admin": HOST, "member": []})  # admin holds the whole list
ASKED = ["manage_team", "billing", "export"]  # the permissions checks and reverse queries ask
ADMIN = "u0"  # also a platform admin: creates products, grants tags, manages any group
PRODUCTS = {"refill": "course", "consume": "course"}  # both grant tag "course"
TAGS = ["course", "extra"]
EMAILS = [f"{u}@example.com" for u in USERS] + ["new1@example.com", "new2@example.com"]

_everywhere = bool(os.environ.get("CI") or os.environ.get("TEAMACCESS_DIFF_ALL"))
# The async stores are driven through AsyncTeamAccess (make_service does that).
SQL = [SQLITE, AIOSQLITE, POSTGRES, ASYNCPG, MARIADB] if _everywhere else [SQLITE, AIOSQLITE]

users = st.sampled_from(USERS)
companies = st.sampled_from(COMPANIES)
roles = st.sampled_from([*ROLES, *ROLES, *OWN_ROLES])  # mostly built in
own_roles = st.sampled_from(OWN_ROLES)
permission_sets = st.frozensets(st.sampled_from(HOST))
labels = st.one_of(st.none(), st.sampled_from(["Sales", "Billing"]))
emails = st.sampled_from(EMAILS)
tags = st.sampled_from(TAGS)
accounts = st.sampled_from(ACCOUNTS)
founders = st.sampled_from(["u1", "u1", *USERS])  # u1 created c0 and admins what it creates
existing = st.sampled_from(["c0", "c0", "k0", *ACCOUNTS])
home = st.sampled_from(["c0", "c0", *COMPANIES])  # where u1 and u2 are members
keepers = st.sampled_from(["u1", "u1", "u1", *USERS])  # u1 manages c0
colleagues = st.sampled_from(["u2", "u2", *USERS])  # u2 starts in c0
hours = st.one_of(st.none(), st.integers(-3, 48))  # a window bound from now; None: open


def _outcome(call: Callable[[], object]) -> tuple[str, str]:
    try:
        return ("ok", repr(call()))
    except TeamAccessError as error:
        return (type(error).__name__, str(error))


class AdaptersAgree(RuleBasedStateMachine):
    """Every adapter answers like the in-memory one after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock()
        stores = [MemoryStore()]
        for backend in SQL:
            with backend.open() as fresh:
                stores.append(fresh())
        self.services: list[TeamAccess] = [
            make_service(s, clock=self.clock, platform_admins={ADMIN}, policy=POLICY)
            for s in stores
        ]
        self.tokens: list[str] = []
        self.invitations: list[tuple[str, str]] = []
        self.pools: list[tuple[str, str]] = []  # (pool id, leader)
        self.leads = 0
        self.merged = False
        for user in USERS[:-1]:  # u4 is left for the ``register`` rule
            self.each(lambda ta, u=user: ta.users.register(u, f"{u}@example.com"))
        self.each(lambda ta: ta.companies.create("u1", "Co c0", company_id="c0"))
        self.each(lambda ta: ta.members.add("u1", "c0", "u2"))
        # a further role granting billing, which u2's role does not (R-ROLE-3)
        self.each(lambda ta: ta.roles.define("u1", "c0", "ra", permissions=["billing"]))
        self.each(lambda ta: ta.members.add_role("u1", "c0", "u2", "ra"))
        for name in PRODUCTS:
            self.each(
                lambda ta, n=name: ta.seats.create_product(
                    ADMIN, n, n.title(), tag=PRODUCTS[n], replacement=ReplacementPolicy(n)
                )
            )

    def each(self, command: Callable[[TeamAccess], object]) -> object:
        outcomes = [_outcome(lambda ta=ta: command(ta)) for ta in self.services]
        assert all(o == outcomes[0] for o in outcomes), outcomes
        return outcomes[0]

    @rule(user=users)
    def register(self, user: str) -> None:
        self.each(lambda ta: ta.users.register(user, f"{user}@example.com"))

    @rule(actor=users, company=companies)
    def create(self, actor: str, company: str) -> None:
        self.each(lambda ta: ta.companies.create(actor, f"Co {company}", company_id=company))

    @rule(actor=users, company=companies, user=users, role=roles)
    def add(self, actor: str, company: str, user: str, role: str) -> None:
        self.each(lambda ta: ta.members.add(actor, company, user, role=role))

    @rule(actor=users, company=companies, user=users)
    def remove(self, actor: str, company: str, user: str) -> None:
        self.each(lambda ta: ta.members.remove(actor, company, user))

    @rule(actor=users, company=companies, user=users, role=roles)
    def change_role(self, actor: str, company: str, user: str, role: str) -> None:
        self.each(lambda ta: ta.members.change_role(actor, company, user, role))

    @rule(actor=keepers, company=home, name=own_roles, permissions=permission_sets, label=labels)
    def define_role(
        self, actor: str, company: str, name: str, permissions: frozenset[str], label: str | None
    ) -> None:
        """R-ROLE-1, R-ROLE-2: a company's own role, from the host's list."""
        self.each(lambda ta: ta.roles.define(actor, company, name, permissions=permissions,
                                             label=label))  # fmt: skip

    @rule(actor=keepers, company=home, name=own_roles,
          permissions=st.one_of(st.none(), permission_sets), label=labels)  # fmt: skip
    def change_company_role(
        self,
        actor: str,
        company: str,
        name: str,
        permissions: frozenset[str] | None,
        label: str | None,
    ) -> None:
        """R-ROLE-2: other permissions or another label; its holders hold them at once."""
        self.each(lambda ta: ta.roles.change(actor, company, name, permissions=permissions,
                                             label=label))  # fmt: skip

    @rule(actor=keepers, company=home, name=own_roles, move_to=st.one_of(st.none(), roles))
    def delete_role(self, actor: str, company: str, name: str, move_to: str | None) -> None:
        """R-ROLE-3: deleting a role in use is refused, or moves its holders."""
        self.each(lambda ta: ta.roles.delete(actor, company, name, move_to=move_to))

    @rule(actor=keepers, company=home, user=colleagues, role=roles, add=st.booleans())
    def add_or_remove_role(self, actor: str, company: str, user: str, role: str, add: bool) -> None:
        """R-ROLE-3, R-MEM-9: a further role, or one taken away."""
        if add:
            self.each(lambda ta: ta.members.add_role(actor, company, user, role))
        else:
            self.each(lambda ta: ta.members.remove_role(actor, company, user, role))

    @rule(actor=users, company=companies, user=users)
    def transfer(self, actor: str, company: str, user: str) -> None:
        self.each(lambda ta: ta.members.transfer_main_contact(actor, company, user))

    @rule(actor=users, company=companies, user=users, show=st.booleans())
    def show(self, actor: str, company: str, user: str, show: bool) -> None:
        self.each(lambda ta: ta.members.set_show_as_contact(actor, company, user, show))

    @rule(actor=users, company=companies, user=users, role=roles)
    def invite(self, actor: str, company: str, user: str, role: str) -> None:
        kind, _ = self.each(
            lambda ta: ta.invitations.send(actor, company, f"{user}@example.com", role=role)
        )
        if kind == "ok":
            self.tokens.append(f"token-{len(self.tokens) + 1}")
            self.invitations.append((company, f"invitation-{len(self.invitations) + 1}"))

    @precondition(lambda self: self.invitations)
    @rule(actor=users, data=st.data(), revoke=st.booleans())
    def resend_or_revoke(self, actor: str, data: st.DataObject, revoke: bool) -> None:
        company, invitation = data.draw(st.sampled_from(self.invitations))
        if revoke:
            self.each(lambda ta: ta.invitations.revoke(actor, company, invitation))
            return
        kind, _ = self.each(lambda ta: ta.invitations.resend(actor, company, invitation))
        if kind == "ok":
            self.tokens.append(f"token-{len(self.tokens) + 1}")
            self.invitations.append((company, f"invitation-{len(self.invitations) + 1}"))

    @precondition(lambda self: self.tokens)
    @rule(user=users, data=st.data())
    def accept(self, user: str, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(self.tokens))
        self.each(lambda ta: ta.invitations.accept(user, token))

    @rule(buyer=users, product=st.sampled_from(sorted(PRODUCTS)), seats=st.integers(1, 3),
          occupy=st.booleans())  # fmt: skip
    def purchase(self, buyer: str, product: str, seats: int, occupy: bool) -> None:
        kind, _ = self.each(
            lambda ta: ta.seats.purchase(buyer, product, seats, "G", occupy_seat=occupy)
        )
        if kind == "ok":
            self.pools.append((f"pool-{len(self.pools) + 1}", buyer))

    def _group(self, data: st.DataObject) -> tuple[str, str]:
        """A pool drawn from those bought, and an actor: mostly its leader."""
        pool, leader = data.draw(st.sampled_from(self.pools))
        return pool, data.draw(st.sampled_from([leader, leader, *USERS]))

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), email=emails)
    def enroll(self, data: st.DataObject, email: str) -> None:
        pool, actor = self._group(data)
        self.each(lambda ta: ta.seats.enroll(actor, pool, email))

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), rows=st.lists(emails, min_size=1, max_size=3))
    def enroll_csv(self, data: st.DataObject, rows: list[str]) -> None:
        pool, actor = self._group(data)
        self.each(lambda ta: ta.seats.enroll_csv(actor, pool, "email\n" + "\n".join(rows)))

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), user=st.sampled_from([*USERS, "user-1", "user-2"]))
    def remove_participant(self, data: st.DataObject, user: str) -> None:
        pool, actor = self._group(data)
        self.each(lambda ta: ta.seats.remove(actor, pool, user))

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), seats=st.integers(1, 4))
    def resize(self, data: st.DataObject, seats: int) -> None:
        pool, actor = self._group(data)
        self.each(lambda ta: ta.seats.resize(actor, pool, seats))

    @rule(actor=users, user=users, tag=tags, grant=st.booleans())
    def grant_or_revoke(self, actor: str, user: str, tag: str, grant: bool) -> None:
        if grant:
            self.each(lambda ta: ta.tags.grant(actor, user, tag))
        else:
            self.each(lambda ta: ta.tags.revoke(actor, user, tag))

    @rule(actor=founders, parent=existing, child=st.sampled_from(CHILDREN))
    def create_child(self, actor: str, parent: str, child: str) -> None:
        self.each(lambda ta: ta.partners.create_child(actor, parent, child, company_id=child))

    @rule(actor=founders, account=existing, parent=st.one_of(st.none(), existing))
    def move(self, actor: str, account: str, parent: str | None) -> None:
        self.each(lambda ta: ta.partners.move(actor, account, parent))

    @rule(account=existing, limit=st.integers(0, 3))
    def set_license(self, account: str, limit: int) -> None:
        self.each(lambda ta: ta.licenses.set(ADMIN, account, "asset", limit))

    @rule(actor=founders, account=existing, use=st.booleans())
    def use_or_release(self, actor: str, account: str, use: bool) -> None:
        if use:
            self.each(lambda ta: ta.licenses.use(actor, account, "asset"))
        else:
            self.each(lambda ta: ta.licenses.release(actor, account, "asset"))

    @rule(
        company=existing, roles=st.sets(st.sampled_from(["operator", "lead_giver", "lead_taker"]))
    )
    def market_roles(self, company: str, roles: set[str]) -> None:
        self.each(lambda ta: ta.leads.set_market_roles(ADMIN, company, sorted(roles)))

    @rule(actor=founders, company=existing, takers=st.sets(existing, min_size=1, max_size=2))
    def offer(self, actor: str, company: str, takers: set[str]) -> None:
        outcome = self.each(
            lambda ta: ta.leads.offer(actor, company, taker_ids=sorted(takers), title="Lead")
        )
        self.leads += outcome[0] == "ok"

    @rule(actor=users, company=existing, number=st.integers(1, 3))
    def pick(self, actor: str, company: str, number: int) -> None:
        self.each(lambda ta: ta.leads.pick(actor, company, f"lead-{number}"))

    @rule(actor=founders, company=existing, number=st.integers(1, 3), user=users)
    def assign(self, actor: str, company: str, number: int, user: str) -> None:
        self.each(lambda ta: ta.members.set_handler(actor, company, actor, True))
        self.each(lambda ta: ta.leads.assign(actor, company, f"lead-{number}", user))

    @rule(company=existing, actor=users, user=users)
    def inbox(self, company: str, actor: str, user: str) -> None:
        outcome = self.each(lambda ta: ta.inbox.send(company, "contact", "v@x.example", "Hi"))
        if outcome[0] == "ok":
            request = outcome[1].split("id='")[1].split("'")[0]
            self.each(lambda ta: ta.inbox.assign(actor, company, request, user))

    @rule(customer=existing, partner=existing, actor=founders, days=st.integers(-20, 0))
    def record(self, customer: str, partner: str, actor: str, days: int) -> None:
        self.each(lambda ta: ta.records.link(ADMIN, customer, partner))
        when = self.clock() + timedelta(days=days)
        self.each(lambda ta: ta.records.add(actor, partner, customer, "timeline", "Done",
                                           occurred_at=when))  # fmt: skip

    @precondition(lambda self: not self.merged)
    @rule(source=existing, into=existing)
    def merge(self, source: str, into: str) -> None:
        self.merged = self.each(lambda ta: ta.lifecycle.merge(ADMIN, source, into))[0] == "ok"

    @rule(days=st.integers(0, 8))
    def wait(self, days: int) -> None:
        self.clock.advance(days=days)

    def _at(self, offset: int | None) -> datetime | None:
        return None if offset is None else self.clock() + timedelta(hours=offset)

    @rule(actor=keepers, company=home, user=colleagues, role=roles, start=hours, end=hours)
    def add_for_a_while(
        self, actor: str, company: str, user: str, role: str, start: int | None, end: int | None
    ) -> None:
        """R-TIME-1: a membership that starts later, ends, or both."""
        s, e = self._at(start), self._at(end)
        self.each(lambda ta: ta.members.add(actor, company, user, role=role, starts_at=s,
                                            expires_at=e))  # fmt: skip

    @rule(actor=keepers, company=home, user=colleagues, start=hours, end=hours)
    def set_window(
        self, actor: str, company: str, user: str, start: int | None, end: int | None
    ) -> None:
        """R-TIME-4: extending, shortening or clearing a membership's window."""
        s, e = self._at(start), self._at(end)
        self.each(lambda ta: ta.grants.set_window(actor, company, user, starts_at=s, expires_at=e))

    @rule(actor=keepers, company=home, user=colleagues, role=roles, until=st.integers(-1, 48),
          then=roles, later=st.integers(0, 50))  # fmt: skip
    def role_for_a_while(
        self, actor: str, company: str, user: str, role: str, until: int, then: str, later: int
    ) -> None:
        """R-TIME-1, R-TIME-2: a role until an instant, then another; hours pass, the sweep runs."""
        ends = self._at(until)
        self.each(lambda ta: ta.members.change_role(actor, company, user, role, until=ends,
                                                    then=then))  # fmt: skip
        self.tick(later)

    @rule(hours_=st.integers(0, 30))
    def tick(self, hours_: int) -> None:
        """Hours pass and the sweep runs (R-TIME-2), as a scheduled sweep would."""
        self.clock.advance(hours=hours_)
        self.each(lambda ta: ta.grants.expire_due())

    @rule()
    def sweep(self) -> None:
        """R-TIME-2: the expiry sweep ends what is due, on every store alike."""
        self.each(lambda ta: ta.grants.expire_due())

    @rule(limit=st.integers(1, 5))
    def deliver(self, limit: int) -> None:
        batches = [ta.outbox.pending(limit) for ta in self.services]
        for ta, batch in zip(self.services, batches, strict=True):
            ta.outbox.mark_delivered([m.position for m in batch])

    @invariant()
    def same_state(self) -> None:
        first, *others = [dump(ta.store) for ta in self.services]
        for other in others:
            assert other == first

    @invariant()
    def same_answers(self) -> None:
        for company in COMPANIES:
            self.each(lambda ta, c=company: ta.members.public_contacts(c))
            self.each(lambda ta, c=company: ta.members.main_contact(c))
            for user in USERS:
                self.each(lambda ta, u=user, c=company: ta.roles.list(u, c))
                for action in (Action.EDIT_PROFILE, Action.ADD_MEMBER, Action.INVITE, "x", *ASKED):
                    self.each(lambda ta, u=user, c=company, a=action: ta.check(u, c, a))
                self.each(lambda ta, u=user, c=company: ta.members.list(u, c))
            self.each(lambda ta, c=company: ta.access.who_may(ADMIN, c, Action.ADD_MEMBER, limit=3))
            for permission in ASKED:  # a further role may be what grants it (R-ROLE-3)
                self.each(lambda ta, c=company, p=permission: ta.access.who_may(ADMIN, c, p))
            self.each(lambda ta, c=company: ta.grants.expiring(ADMIN, c, within=timedelta(days=3)))
        for user in USERS:
            self.each(lambda ta, u=user: ta.members.of_user(u))
            self.each(lambda ta, u=user: ta.access.where_may(u, u, Action.EDIT_PROFILE, limit=3))
            for permission in ASKED:
                self.each(lambda ta, u=user, p=permission: ta.access.where_may(u, u, p))
            self.each(lambda ta, u=user: ta.grants.expiring_for_user(u, u))
            self.each(lambda ta, u=user: ta.tags.can_access(u, TAGS))
            for pool, _ in self.pools:
                self.each(lambda ta, u=user, p=pool: ta.seats.check_group(u, p))
        for pool, _ in self.pools:
            self.each(lambda ta, p=pool: ta.seats.group(ADMIN, p))
        for account in ACCOUNTS:
            self.each(lambda ta, a=account: ta.partners.ancestors(a))
            self.each(lambda ta, a=account: ta.partners.overview("u1", a, limit=2))
            self.each(lambda ta, a=account: ta.licenses.check("u1", a, "asset"))
            for user in ("u1", "u2", "u3"):
                for action in (Action.SWITCH_INTO, Action.VIEW_OVERVIEW):
                    self.each(lambda ta, u=user, a=account, x=action: ta.check(u, a, x))
                self.each(lambda ta, u=user, a=account: ta.leads.visible(u, a, limit=2))
                self.each(lambda ta, u=user, a=account: ta.inbox.list(u, a, limit=2))
                since = self.clock() - timedelta(days=30)
                self.each(
                    lambda ta, u=user, a=account, s=since: ta.records.timeline(u, a, a, since=s)
                )


AdaptersAgree.TestCase.settings = settings(
    max_examples=int(os.environ.get("TEAMACCESS_DIFF_EXAMPLES", "2" if _everywhere else "25")),
    stateful_step_count=int(os.environ.get("TEAMACCESS_DIFF_STEPS", "8" if _everywhere else "12")),
    deadline=None,
)


@pytest.mark.slow
class TestAdaptersAgree(AdaptersAgree.TestCase):
    """R-ALL-5: memory and SQL adapters agree on every answer after every step."""
