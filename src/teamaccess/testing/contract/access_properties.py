"""Hypothesis property: every reverse query equals a brute force over the checks (R-CO-6).

A random history of joins, removals, role changes, main-contact transfers,
suspensions, lead offers and picks, links and records runs on the store. Then, for
every user, company and four actions (the overview, which ancestors' members hold,
and three drawn from the other built-in ones and a host permission), the reverse queries of ``ta.access`` must give exactly the users (or companies) for whom
``check`` allows, with the same reason and rule; the same for ``leads.check`` and
``records.check`` against ``who_sees_lead`` and ``who_sees_record``; and ``expand``
must carry the check's decision. Small pages (2 rows) exercise the keyset cursors.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess.domain.decisions import Action
from teamaccess.domain.roles import MANAGE_TEAM, REASSIGN_MAIN_CONTACT, RolePolicy
from teamaccess.errors import TeamAccessError
from teamaccess.testing import EPOCH, FrozenClock, make_service
from teamaccess.testing.contract._helpers import examples

ADMIN = "root"
PEOPLE = ["u0", "u1", "u2", "u3"]
FOUNDER = "f"
COMPANIES = ["hq", "branch", "shop", "other"]  # branch below hq, shop below branch
ROLES = ["admin", "member", "owner", "auditor"]
POLICY = RolePolicy(
    {
        "admin": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT, "view_reports"},  # grants every role
        "member": set(),
        "owner": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT},
        "auditor": {"view_reports"},
    }
)
# The overview first: the one action ancestors' members hold (R-PART-2), asked in every
# example; three of the others are drawn for each example.
ACTIONS = (
    [Action.VIEW_OVERVIEW.value]
    + [a.value for a in Action if a is not Action.VIEW_OVERVIEW]
    + ["view_reports"]
)

operations = st.one_of(
    st.tuples(
        st.just("join"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE), st.sampled_from(ROLES)
    ),
    st.tuples(st.just("leave"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE)),
    st.tuples(
        st.just("role"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE), st.sampled_from(ROLES)
    ),
    st.tuples(st.just("transfer"), st.sampled_from(COMPANIES), st.sampled_from(PEOPLE)),
    st.tuples(st.just("suspend"), st.sampled_from(COMPANIES)),
    st.tuples(st.just("resume"), st.sampled_from(COMPANIES)),
    st.tuples(st.just("offer"), st.sets(st.sampled_from(COMPANIES[1:]), min_size=1)),
    st.tuples(st.just("pick"), st.integers(1, 3), st.sampled_from(COMPANIES[1:])),
    st.tuples(st.just("link"), st.sampled_from(COMPANIES[1:])),
    st.tuples(st.just("record"), st.booleans()),
)

_FIXTURES = [HealthCheck.function_scoped_fixture]


def _run(ta, op: tuple, counter: list[int]) -> None:
    kind, *args = op
    try:
        if kind == "join":
            ta.members.add(FOUNDER, args[0], args[1], role=args[2])
        elif kind == "leave":
            ta.members.remove(FOUNDER, args[0], args[1])
        elif kind == "role":
            ta.members.change_role(FOUNDER, args[0], args[1], args[2])
        elif kind == "transfer":
            ta.members.transfer_main_contact(FOUNDER, args[0], args[1])
        elif kind == "suspend":
            ta.companies.suspend(ADMIN, args[0], reason="audit")
        elif kind == "resume":
            ta.companies.resume(ADMIN, args[0])
        elif kind == "offer":
            ta.leads.offer(FOUNDER, "hq", title="Lead", taker_ids=sorted(args[0]),
                           lead_id=f"lead-{counter[0] + 1}")  # fmt: skip
            counter[0] += 1
        elif kind == "pick":
            ta.leads.pick(FOUNDER, args[1], f"lead-{args[0]}")
        elif kind == "link":
            ta.records.link(FOUNDER, "hq", args[0])
        else:
            embargo = EPOCH + timedelta(days=1) if args[0] else None
            ta.records.add(FOUNDER, "hq", "hq", "minutes", "Minutes",
                           visible_from=embargo, record_id=f"rec-{counter[1] + 1}")  # fmt: skip
            counter[1] += 1
    except TeamAccessError:
        pass


def _pages(fetch) -> list:
    rows, after = [], None
    while True:
        page = fetch(after)
        rows += page.items
        if page.next_after is None:
            return rows
        assert page.items, "a page that continues holds rows"
        after = page.next_after


def _world(store_factory):
    ta = make_service(store_factory(), clock=FrozenClock(), policy=POLICY,
                      platform_admins={ADMIN})  # fmt: skip
    for user in (ADMIN, FOUNDER, *PEOPLE):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create(FOUNDER, "HQ", company_id="hq")
    ta.partners.create_child(FOUNDER, "hq", "Branch", company_id="branch")
    ta.partners.create_child(FOUNDER, "branch", "Shop", company_id="shop")
    ta.companies.create(FOUNDER, "Other", company_id="other")
    ta.members.add(FOUNDER, "hq", "u0")  # sees branch and shop from above (R-PART-2)
    ta.members.add(FOUNDER, "branch", "u1", role="auditor")
    ta.leads.set_market_roles(ADMIN, "hq", ["operator", "lead_giver"])
    for company in COMPANIES[1:]:
        ta.leads.set_market_roles(ADMIN, company, ["lead_taker"])
    return ta


@settings(max_examples=examples(15), suppress_health_check=_FIXTURES, deadline=None)
@given(
    history=st.lists(operations, max_size=16),
    others=st.lists(st.sampled_from(ACTIONS[1:]), min_size=3, max_size=3, unique=True),
)
def test_r_co_6_reverse_queries_equal_brute_force_over_checks(
    store_factory, history, others
) -> None:
    """R-CO-6, R-PART-2: who_may, where_may, who_sees_lead/record and expand agree with every check."""
    ta = _world(store_factory)
    counter = [0, 0]
    for op in history:
        _run(ta, op, counter)
    users = [ADMIN, FOUNDER, *PEOPLE]
    for action in [ACTIONS[0], *others]:
        for company in [*COMPANIES, "ghost"]:
            targeted = action in (Action.REMOVE_MEMBER, Action.SET_SHOW_AS_CONTACT)
            for target in (None, "u1") if targeted else (None,):
                brute = {}
                for user in users:
                    decision = ta.check(user, company, action, target_user_id=target)
                    if decision.allowed:
                        brute[user] = (decision.reason, decision.rule)
                    expanded = ta.access.expand(ADMIN, user, company, action,
                                                target_user_id=target)  # fmt: skip
                    assert expanded.decision == decision, (user, company, action)
                rows = _pages(lambda after, c=company, a=action, t=target: ta.access.who_may(
                    ADMIN, c, a, target_user_id=t, after=after, limit=2))  # fmt: skip
                found = {h.user_id: (h.decision.reason, h.decision.rule) for h in rows}
                assert len(found) == len(rows), "each user once"
                assert found == brute, (company, action, target)
        for user in users:
            brute = {
                c: (d.reason, d.rule)
                for c in COMPANIES
                for d in [ta.check(user, c, action)]
                if d.allowed
            }
            rows = _pages(lambda after, u=user, a=action: ta.access.where_may(
                ADMIN, u, a, after=after, limit=2))  # fmt: skip
            assert {h.company_id: (h.decision.reason, h.decision.rule) for h in rows} == brute
    pairs = [(c, u) for c in COMPANIES for u in users]
    for number in range(1, counter[0] + 1):
        lead = f"lead-{number}"
        brute_leads = {(c, u) for c, u in pairs if ta.leads.check(u, c, lead, "view_lead").allowed}
        rows = _pages(lambda after, lead=lead: ta.access.who_sees_lead(
            ADMIN, lead, after=after, limit=2))  # fmt: skip
        assert {(h.company_id, h.user_id) for h in rows} == brute_leads, lead
    for number in range(1, counter[1] + 1):
        record = f"rec-{number}"
        brute_records = {(c, u) for c, u in pairs if ta.records.check(u, c, record).allowed}
        rows = _pages(lambda after, record=record: ta.access.who_sees_record(
            ADMIN, record, after=after, limit=2))  # fmt: skip
        assert {(h.company_id, h.user_id) for h in rows} == brute_records, record
