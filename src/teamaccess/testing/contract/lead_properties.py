"""Hypothesis property of lead visibility over random histories, on every adapter.

A brute-force reference, written here independently of the library, replays each
history of offers, picks, membership changes and merges, and says which leads each
user sees acting for each company: those their company operates, gave or picked, and
those still offered to it (R-LEAD-2, R-LEAD-3), for members only (R-LEAD-4). The
store must agree, and no user may ever see a picked lead through a company that is
neither its picker, operator nor giver (cross-tenant isolation).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess.errors import TeamAccessError
from teamaccess.testing import make_service
from teamaccess.testing.contract._helpers import examples
from teamaccess.testing.contract._lead_helpers import ADMIN

DEALERS = ["d0", "d1", "d2"]
FOUNDERS = {"market": "f-market", "giver": "f-giver", **{d: f"f-{d}" for d in DEALERS}}
PEOPLE = ["u0", "u1", "u2"]
USERS = [*PEOPLE, *FOUNDERS.values()]

operations = st.one_of(
    st.tuples(st.just("offer"), st.sets(st.sampled_from(DEALERS), min_size=1), st.booleans()),
    st.tuples(st.just("pick"), st.integers(1, 4), st.sampled_from(DEALERS), st.sampled_from(USERS)),
    st.tuples(st.just("join"), st.sampled_from(DEALERS), st.sampled_from(PEOPLE)),
    st.tuples(st.just("leave"), st.sampled_from(DEALERS), st.sampled_from(PEOPLE)),
    st.tuples(st.just("merge"), st.sampled_from(DEALERS), st.sampled_from(DEALERS)),
)

# Property tests take their store from function-scoped fixtures (one store per test).
_FIXTURES = [HealthCheck.function_scoped_fixture]


class Reference:
    """The whole history, replayed by brute force."""

    def __init__(self) -> None:
        self.members = {company: {founder} for company, founder in FOUNDERS.items()}
        self.closed: set[str] = set()
        self.leads: dict[str, dict] = {}

    def apply(self, op: tuple) -> bool:
        kind, *args = op
        if kind == "offer":
            takers, _by_giver = args
            if takers & self.closed:
                return False
            self.leads[f"lead-{len(self.leads) + 1}"] = {
                "parties": {"market", "giver"}, "takers": set(takers), "picked": None,
            }  # fmt: skip
            return True
        if kind == "pick":
            number, company, user = args
            lead = self.leads.get(f"lead-{number}")
            if (lead is None or company in self.closed or user not in self.members[company]
                    or lead["picked"] is not None or company not in lead["takers"]):  # fmt: skip
                return False
            lead["picked"], lead["takers"] = company, set()
            return True
        if kind in ("join", "leave"):
            company, user = args
            if company in self.closed or (user in self.members[company]) != (kind == "leave"):
                return False
            (self.members[company].discard if kind == "leave" else self.members[company].add)(user)
            return True
        source, target = args
        if source == target or {source, target} & self.closed:
            return False
        self.members[target] |= self.members[source]
        self.members[source] = set()
        self.closed.add(source)
        for lead in self.leads.values():
            if lead["picked"] == source:
                lead["picked"] = target
            if source in lead["takers"]:
                lead["takers"] = (lead["takers"] - {source}) | {target}
        return True

    def visible(self, user: str, company: str) -> list[str] | None:
        """The leads ``user`` sees acting for ``company``; ``None`` if they cannot act for it."""
        if company in self.closed or user not in self.members[company]:
            return None
        return sorted(
            lead_id for lead_id, lead in self.leads.items()
            if company in lead["parties"] or lead["picked"] == company
            or (lead["picked"] is None and company in lead["takers"])
        )  # fmt: skip


def run(ta, op: tuple) -> bool:
    kind, *args = op
    try:
        if kind == "offer":
            takers, by_giver = args
            actor, company = ("f-giver", "giver") if by_giver else ("f-market", "market")
            ta.leads.offer(actor, company, operator_id="market", giver_id="giver",
                          taker_ids=sorted(takers), title="Lead")  # fmt: skip
        elif kind == "pick":
            ta.leads.pick(args[2], args[1], f"lead-{args[0]}")
        elif kind == "join":
            ta.members.add(FOUNDERS[args[0]], args[0], args[1])
        elif kind == "leave":
            ta.members.leave(args[1], args[0])
        else:
            ta.lifecycle.merge(ADMIN, args[0], args[1])
    except TeamAccessError:
        return False
    return True


def seen(ta, user: str, company: str) -> list[str] | None:
    try:
        found, after = [], None
        while True:
            page = ta.leads.visible(user, company, after=after, limit=3)
            found += [lead.id for lead in page.items]
            for lead in page.items:  # cross-tenant isolation, checked on every lead seen
                assert lead.picked_by in (None, company) or company in (
                    lead.operator_id, lead.giver_id,
                ), (user, company, lead)  # fmt: skip
            if page.next_after is None:
                return found
            after = page.next_after
    except TeamAccessError:
        return None


@settings(max_examples=examples(40), suppress_health_check=_FIXTURES, deadline=None)
@given(history=st.lists(operations, max_size=14))
def test_r_lead_4_visible_leads_equal_brute_force_reference(store_factory, history) -> None:
    """R-LEAD-2, R-LEAD-3, R-LEAD-4, R-CO-2: for any history the visible leads match the reference."""
    ta = make_service(store_factory(), platform_admins={ADMIN})
    for user in (ADMIN, *USERS):
        ta.users.register(user, f"{user}@example.com")
    roles = {"market": ["operator"], "giver": ["lead_giver"]}
    for company, founder in FOUNDERS.items():
        ta.companies.create(founder, company, company_id=company)
        ta.leads.set_market_roles(ADMIN, company, roles.get(company, ["lead_taker"]))
    reference = Reference()
    for op in history:
        assert run(ta, op) == reference.apply(op), op
    for user in USERS:
        for company in FOUNDERS:
            assert seen(ta, user, company) == reference.visible(user, company), (user, company)
