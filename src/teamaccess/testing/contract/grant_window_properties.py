"""Hypothesis property: windows decide at every instant as a brute force does (R-TIME-1..3).

A random history of joins with random windows, window changes, temporary roles,
departures, windows on hq's sight of its branch, sweeps and a clock that moves forward
runs on the store. After each step,
for every user, company and four actions, ``check`` must equal a brute-force
evaluation of the stored memberships' windows at the clock's instant (the
membership's own window, its temporary role, a partner's sight from above inside the
link's sight window); the
sweep must change no decision; and ``who_may`` and ``where_may`` must list exactly the
users (companies) ``check`` allows, with each membership's window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess.domain.decisions import Action
from teamaccess.domain.ids import CompanyId
from teamaccess.domain.models import Membership
from teamaccess.domain.roles import MANAGE_TEAM, REASSIGN_MAIN_CONTACT, RolePolicy
from teamaccess.domain.windows import Window, sight_of
from teamaccess.errors import TeamAccessError
from teamaccess.testing import FrozenClock, make_service
from teamaccess.testing.contract._helpers import examples

ADMIN = "root"
FOUNDER = "f"
PEOPLE = ["u0", "u1", "u2"]
COMPANIES = ["hq", "branch", "other"]  # branch below hq
ROLES = ["admin", "member", "auditor"]
POLICY = RolePolicy(
    {
        "admin": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT, "view_reports"},
        "member": set(),
        "auditor": {"view_reports"},
    }
)
ACTIONS = [Action.OPEN_BACKOFFICE.value, Action.VIEW_OVERVIEW.value, Action.INVITE.value,
           "view_reports"]  # fmt: skip
_MEMBER_ACTIONS = {Action.OPEN_BACKOFFICE.value, Action.VIEW_OVERVIEW.value}

offset = st.one_of(st.none(), st.integers(-2, 30))  # hours from now; None: no bound
operations = st.one_of(
    st.tuples(
        st.just("join"),
        st.sampled_from(COMPANIES),
        st.sampled_from(PEOPLE),
        st.sampled_from(ROLES),
        offset,
        offset,
    ),
    st.tuples(
        st.just("window"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE), offset, offset
    ),
    st.tuples(
        st.just("temp"),
        st.sampled_from(COMPANIES),
        st.sampled_from(PEOPLE),
        st.sampled_from(ROLES),
        st.integers(-1, 30),
        st.sampled_from(ROLES),
    ),
    st.tuples(st.just("leave"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE)),
    st.tuples(st.just("sight"), offset, offset),  # hq's sight of branch (R-TIME-1)
    st.tuples(st.just("tick"), st.integers(0, 12)),
    st.tuples(st.just("sweep")),
)


_OPEN = Window()  # no bounds: always open


def _at(clock: FrozenClock, hours: int | None) -> datetime | None:
    return None if hours is None else clock.now + timedelta(hours=hours)


def _run(ta, clock: FrozenClock, op: tuple) -> None:
    kind, *args = op
    try:
        if kind == "join":
            company, user, role, start, end = args
            ta.members.add(FOUNDER, company, user, role=role,
                           starts_at=_at(clock, start), expires_at=_at(clock, end))  # fmt: skip
        elif kind == "window":
            company, user, start, end = args
            ta.grants.set_window(FOUNDER, company, user,
                                 starts_at=_at(clock, start), expires_at=_at(clock, end))  # fmt: skip
        elif kind == "temp":
            company, user, role, until, then = args
            ta.members.change_role(FOUNDER, company, user, role,
                                   until=_at(clock, until), then=then)  # fmt: skip
        elif kind == "leave":
            ta.members.remove(FOUNDER, args[0], args[1])
        elif kind == "sight":
            start, end = args
            ta.partners.set_sight_window(FOUNDER, "branch",
                                         starts_at=_at(clock, start), expires_at=_at(clock, end))  # fmt: skip
        elif kind == "tick":
            clock.advance(hours=args[0])
        else:
            ta.grants.expire_due()
    except TeamAccessError:
        pass


def _counts(m: Membership, now: datetime) -> bool:
    return (m.starts_at is None or m.starts_at <= now) and (
        m.expires_at is None or now < m.expires_at
    )


def brute_force(
    held: dict[tuple[str, str], Membership],
    user: str,
    company: str,
    action: str,
    now: datetime,
    sight: Window = _OPEN,
) -> bool:
    """Whether the windows of the stored memberships (and of hq's sight) allow ``action``."""
    m = held.get((company, user))
    if m is None or not _counts(m, now):  # no member now: sight from an open parent window
        above = held.get(("hq", user)) if company == "branch" else None
        return (
            action == Action.VIEW_OVERVIEW.value
            and above is not None
            and _counts(above, now)
            and sight.contains(now)
        )
    role = m.role_after if m.role_until is not None and now >= m.role_until else m.role
    if action in _MEMBER_ACTIONS:
        return True
    needed = MANAGE_TEAM if action == Action.INVITE.value else action
    return needed in POLICY.permissions(role or "")


def _pages(fetch) -> list:
    rows, after = [], None
    while True:
        page = fetch(after)
        rows += page.items
        if page.next_after is None:
            return rows
        after = page.next_after


def _decisions(ta) -> dict[tuple[str, str, str], tuple[bool, str, str]]:
    return {
        (user, company, action): (d.allowed, d.reason, d.rule)
        for user in [FOUNDER, *PEOPLE]
        for company in COMPANIES
        for action in ACTIONS
        for d in [ta.check(user, company, action)]
    }


def _world(store_factory) -> tuple:
    clock = FrozenClock()
    ta = make_service(store_factory(), clock=clock, policy=POLICY, platform_admins={ADMIN})
    for user in (ADMIN, FOUNDER, *PEOPLE):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create(FOUNDER, "HQ", company_id="hq")
    ta.partners.create_child(FOUNDER, "hq", "Branch", company_id="branch")
    ta.companies.create(FOUNDER, "Other", company_id="other")
    return ta, clock


@settings(max_examples=examples(12), suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)  # fmt: skip
@given(history=st.lists(operations, min_size=1, max_size=14))
def test_r_time_1_check_equals_brute_force_over_windows_at_every_instant(
    store_factory, history
) -> None:
    """R-TIME-1, R-TIME-2, R-TIME-3: after every step check equals the windows' brute force, a sweep changes no decision, and who_may/where_may equal the checks, each row with its window."""
    ta, clock = _world(store_factory)
    for op in history:
        _run(ta, clock, op)
        now = clock.now
        with ta.store.reader() as tx:
            held = {(m.company_id, m.user_id): m for m in tx.memberships.all()}
            branch = tx.companies.get(CompanyId("branch"))
        sight = Window() if branch is None else sight_of(branch)
        decisions = _decisions(ta)
        for (user, company, action), (allowed, *_) in decisions.items():
            assert allowed == brute_force(held, user, company, action, now, sight), (
                user, company, action, now, held.get((company, user)),
            )  # fmt: skip
        ta.grants.expire_due()  # it ends in the store what had ended: no answer changes
        swept = _decisions(ta)  # (an expired member's reason becomes not_a_member)
        assert {k: d[0] for k, d in swept.items()} == {k: d[0] for k, d in decisions.items()}
        with ta.store.reader() as tx:
            held = {(m.company_id, m.user_id): m for m in tx.memberships.all()}
        for action in ACTIONS:
            for company in COMPANIES:
                brute = {u for u in [FOUNDER, *PEOPLE] if decisions[(u, company, action)][0]}
                rows = _pages(lambda after, c=company, a=action: ta.access.who_may(
                    ADMIN, c, a, after=after, limit=2))  # fmt: skip
                assert {h.user_id for h in rows} == brute, (company, action)
                for h in rows:
                    m = held[(h.via, h.user_id)]
                    shown = Window(m.starts_at, m.expires_at)
                    if h.via != h.company_id:  # through hq: the sight's window too (R-TIME-3)
                        shown = shown.within(sight)
                    assert (h.starts_at, h.expires_at) == (shown.starts_at, shown.expires_at)
            for user in PEOPLE:
                brute = {c for c in COMPANIES if decisions[(user, c, action)][0]}
                rows = _pages(lambda after, u=user, a=action: ta.access.where_may(
                    ADMIN, u, a, after=after, limit=2))  # fmt: skip
                assert {h.company_id for h in rows} == brute, (user, action)
