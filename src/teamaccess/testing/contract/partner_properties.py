"""Hypothesis property of partner sight over random trees, on every adapter (R-PART-2).

For a random forest (up to 200 accounts, up to 8 levels) and random memberships, a user
sees full data of exactly the accounts they are a member of, and overviews of exactly
the non-member descendants of those accounts; never anything else. The expectation
is computed here from the drawn tree, independently of the library.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import Action
from teamaccess.errors import AccessDenied
from teamaccess.testing import make_service

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


@settings(max_examples=8, suppress_health_check=_FIXTURES, deadline=None)
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
