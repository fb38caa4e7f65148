"""Hypothesis properties of partner sight and authority, on every adapter (R-PART-2, 5, 6).

For a random forest (up to 200 accounts, up to 8 levels) and random memberships, a user
sees full data of exactly the accounts they are a member of, and overviews of exactly
the non-member descendants of those accounts; never anything else. The expectation
is computed here from the drawn tree, independently of the library.

Over random histories of adds, removals, departures and role changes by a partner's
staff, every staff membership still rests on the partner membership it came from
(R-PART-6), every account with members has one main contact, and ``manage_team`` in an
account is held exactly by its admins and, for non-members, by admins of the nearest
ancestor they belong to (R-PART-5).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import Action
from teamaccess.errors import AccessDenied, TeamAccessError
from teamaccess.testing import make_service
from teamaccess.testing.contract._helpers import examples

USERS = ["u1", "u2", "u3"]
MAX_DEPTH = 8
# Property tests take their store from function-scoped fixtures (one store per test).
_FIXTURES = [HealthCheck.function_scoped_fixture]


@st.composite
def forests(draw: st.DrawFn) -> list[int | None]:
    """Parent index of each account (``None`` for a root), depth at most 8."""
    size = draw(st.integers(1, 200))
    parents: list[int | None] = [None]
    depth = [0]
    for _ in range(1, size):
        shallow = [i for i, d in enumerate(depth) if d < MAX_DEPTH]
        parent = draw(st.one_of(st.none(), st.sampled_from(shallow))) if len(parents) > 1 else None
        parents.append(parent)
        depth.append(0 if parent is None else depth[parent] + 1)
    return parents


@settings(max_examples=examples(8), suppress_health_check=_FIXTURES, deadline=None)
@given(parents=forests(), data=st.data())
def test_r_part_2_users_see_full_data_of_members_and_overview_of_descendants(
    store_factory, parents, data
) -> None:
    """R-PART-2: full sight = memberships; overview sight = their non-member descendants; nothing else."""
    ta = make_service(store_factory())
    ta.users.register("builder", "builder@example.com")
    for user in USERS:
        ta.users.register(user, f"{user}@example.com")
    names = [f"a{i:03d}" for i in range(len(parents))]
    for name, parent in zip(names, parents, strict=True):
        if parent is None:
            ta.companies.create("builder", name, company_id=name)
        else:
            ta.partners.create_child("builder", names[parent], name, company_id=name)
    members = {
        user: data.draw(st.sets(st.sampled_from(names), max_size=4), label=user) for user in USERS
    }
    for user, accounts in members.items():
        for account in sorted(accounts):
            ta.members.add("builder", account, user)

    children: dict[str, list[str]] = {name: [] for name in names}
    for name, parent in zip(names, parents, strict=True):
        if parent is not None:
            children[names[parent]].append(name)

    def below(name: str) -> set[str]:
        found = set()
        for child in children[name]:
            found |= {child} | below(child)
        return found

    for user, full in members.items():
        overview = set().union(*(below(m) for m in full)) - full if full else set()
        for name in names:
            switch = ta.check(user, name, Action.SWITCH_INTO)
            view = ta.check(user, name, Action.VIEW_OVERVIEW)
            assert switch.allowed == (name in full), (user, name, switch)
            assert view.allowed == (name in full or name in overview), (user, name, view)
        listed = set()
        for member_of in full:
            page = ta.partners.overview(user, member_of, limit=1000)
            listed |= {a.id for a in page.accounts}
            assert page.next_after is None
        assert listed - full == overview
        outside = sorted(set(names) - full - overview)[:3]
        for name in outside:
            try:
                ta.partners.account_overview(user, name)
            except AccessDenied:
                continue
            raise AssertionError(f"{user} saw the overview of {name}")


# -- R-PART-5 and R-PART-6 over random histories ------------------------------------------

STAFF = ["s1", "s2", "s3"]
ACCOUNTS = ["p", "c1", "c2", "g1", "g2"]
# The tree: p above c1 and c2; g1 below c1, g2 below c2 (the history adds members only).
PARENT = {"p": None, "c1": "p", "c2": "p", "g1": "c1", "g2": "c2"}
_staff_steps = st.tuples(
    st.sampled_from(["add", "remove", "leave", "change_role"]),
    st.sampled_from(STAFF),  # the actor
    st.sampled_from(ACCOUNTS),
    st.sampled_from(STAFF),  # the member it is about
    st.sampled_from(["admin", "member"]),
)


def _above(company: str) -> list[str]:
    found, parent = [], PARENT[company]
    while parent is not None:
        found.append(parent)
        parent = PARENT[parent]
    return found


@settings(max_examples=examples(25), suppress_health_check=_FIXTURES, deadline=None)
@given(steps=st.lists(_staff_steps, min_size=1, max_size=20))
def test_r_part_5_and_r_part_6_hold_over_random_staff_histories(store_factory, steps) -> None:
    """R-PART-5, R-PART-6: team authority from above, and staff memberships ending with it."""
    ta = make_service(store_factory())
    for user in ("boss", *STAFF):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("boss", "Partner", company_id="p")
    ta.members.add("boss", "p", "s1", role="admin")
    for account in ACCOUNTS[1:]:  # s1 creates every account: a staff membership each
        ta.partners.create_child("s1", PARENT[account], account, company_id=account)
    for kind, actor, company, user, role in steps:
        try:
            if kind == "add":
                ta.members.add(actor, company, user, role=role)
            elif kind == "remove":
                ta.members.remove(actor, company, user)
            elif kind == "leave":
                ta.members.leave(actor, company)
            else:
                ta.members.change_role(actor, company, user, role)
        except TeamAccessError:
            continue
        roles = {
            (m.company_id, m.user_id): m for u in ("boss", *STAFF) for m in ta.members.of_user(u)
        }
        for (company_id, user_id), m in roles.items():
            if m.origin is not None:  # R-PART-6: it came from a partner membership that stays
                assert m.origin in _above(company_id), m
                assert (m.origin, user_id) in roles, m
        for company_id in ACCOUNTS:  # R-MC-1: one main contact while members remain
            mains = [m for (c, _), m in roles.items() if c == company_id and m.is_main_contact]
            members = [m for (c, _), m in roles.items() if c == company_id]
            assert len(mains) == (1 if members else 0), (company_id, members)
            for user_id in ("boss", *STAFF):  # R-PART-5: the check follows the nearest one
                own = roles.get((company_id, user_id))
                nearest = next(
                    (roles[(a, user_id)] for a in _above(company_id) if (a, user_id) in roles),
                    None,
                )
                holder = own or nearest
                expected = holder is not None and holder.role == "admin"
                decision = ta.check(user_id, company_id, "manage_team")
                assert decision.allowed == expected, (user_id, company_id, decision, holder)
