"""The lead marketplace, R-LEAD-1..5 and R-LEAD-7, run against every adapter."""

from __future__ import annotations

import attrs
import pytest

from teamaccess import LeadAction, LeadState, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    InvalidInput,
    MembershipNotFound,
    MissingMarketRole,
    NotAMember,
    UnknownLead,
)
from teamaccess.events import LeadPicked
from teamaccess.testing import dump, in_transaction
from teamaccess.testing.contract._lead_helpers import ADMIN, market_service, visible
from teamaccess.values import CompanyId, MarketRole, UserId


@pytest.fixture
def mta(store, clock) -> TeamAccess:
    return market_service(store, clock)


def test_r_lead_1_companies_play_several_marketplace_roles(mta: TeamAccess, store) -> None:
    """R-LEAD-1: a company may be operator, giver and taker at once; roles are checked."""
    company = mta.leads.set_market_roles(ADMIN, "giver", ["lead_giver", "lead_taker", "operator"])
    assert company.market_roles == set(MarketRole)
    lead = mta.leads.offer("gina", "giver", taker_ids=["giver", "dealer-c"], title="Own lead")
    assert (lead.operator_id, lead.giver_id) == ("giver", "giver")
    assert lead.id in visible(mta, "gina", "giver")
    before = dump(store)
    with pytest.raises(MissingMarketRole, match="not a lead taker"):
        mta.leads.offer("olga", "market", giver_id="giver", taker_ids=["market"], title="X")
    with pytest.raises(MissingMarketRole, match="not a operator"):
        mta.leads.offer("anton", "dealer-a", giver_id="giver", taker_ids=["dealer-b"], title="X")
    with pytest.raises(AccessDenied):
        mta.leads.set_market_roles("olga", "market", ["lead_taker"])  # platform admins only
    with pytest.raises(InvalidInput):
        mta.leads.set_market_roles(ADMIN, "market", ["auctioneer"])
    assert dump(store) == before


def test_r_lead_2_offered_lead_visible_to_takers_operator_and_giver(mta: TeamAccess) -> None:
    """R-LEAD-2: before the pick, members of offered companies, operator and giver see it."""
    for user, company in [("olga", "market"), ("gina", "giver"), ("anton", "dealer-a"),
                          ("andi", "dealer-a"), ("berta", "dealer-b")]:  # fmt: skip
        assert visible(mta, user, company) == ["pumps"], user
        assert mta.leads.check(user, company, "pumps", LeadAction.VIEW).allowed
    assert visible(mta, "carla", "dealer-c") == []
    decision = mta.leads.check("carla", "dealer-c", "pumps", LeadAction.VIEW)
    assert decision == mta.leads.check("carla", "dealer-c", "no-such-lead", LeadAction.VIEW)
    assert str(decision) == "denied: unknown_lead (R-ALL-1)"  # R-ALL-9: as if it did not exist
    assert str(mta.leads.check("berta", "dealer-b", "pumps", "pick_lead")) == (
        "allowed: offered_to_company (R-LEAD-2)"
    )
    with pytest.raises(NotAMember):
        mta.leads.visible("xaver", "dealer-a")
    with pytest.raises(UnknownLead) as seen:
        mta.leads.get("carla", "dealer-c", "pumps")
    with pytest.raises(UnknownLead) as missing:
        mta.leads.get("carla", "dealer-c", "no-such-lead")
    assert str(seen.value).replace("pumps", "?") == str(missing.value).replace("no-such-lead", "?")


def test_r_lead_3_pick_is_exclusive_and_shared_in_the_company(mta: TeamAccess, store) -> None:
    """R-LEAD-3: after a pick every member of the picker sees and edits it; other takers lose it."""
    picked = mta.leads.pick("andi", "dealer-a", "pumps")
    assert (picked.state, picked.picked_by, picked.picked_by_user) == (
        LeadState.PICKED, "dealer-a", "andi",
    )  # fmt: skip
    assert visible(mta, "anton", "dealer-a") == ["pumps"]  # the colleague, too
    assert visible(mta, "berta", "dealer-b") == []
    assert str(mta.leads.check("berta", "dealer-b", "pumps", "view_lead")) == (
        "denied: unknown_lead (R-ALL-1)"  # out of sight, as if it did not exist (R-ALL-9)
    )
    for user, company in [("olga", "market"), ("gina", "giver")]:
        assert visible(mta, user, company) == ["pumps"]
        assert str(mta.leads.check(user, company, "pumps", LeadAction.EDIT)) == (
            "denied: read_only (R-LEAD-3)"
        )
    edited = mta.leads.update("anton", "dealer-a", "pumps", title="60 pumps", state="won")
    assert (edited.title, edited.state) == ("60 pumps", LeadState.WON)
    assert mta.leads.get("gina", "giver", "pumps").title == "60 pumps"
    before = dump(store)
    with pytest.raises(UnknownLead):  # the loser: picked by another, out of sight (R-ALL-9)
        mta.leads.pick("berta", "dealer-b", "pumps")
    with pytest.raises(AccessDenied):
        mta.leads.update("olga", "market", "pumps", title="Mine")
    with pytest.raises(InvalidInput):
        mta.leads.update("anton", "dealer-a", "pumps", state="offered")
    with pytest.raises(UnknownLead):
        mta.leads.pick("anton", "dealer-a", "no-such-lead")
    assert dump(store) == before
    assert [type(m.event) for m in mta.outbox.pending(limit=1000)].count(LeadPicked) == 1


def test_r_lead_3_editing_needs_the_pick_first(mta: TeamAccess) -> None:
    """R-LEAD-3: an offered company reads the lead but edits it only after picking it."""
    with pytest.raises(AccessDenied) as caught:
        mta.leads.update("anton", "dealer-a", "pumps", title="Mine")
    assert str(caught.value.decision) == "denied: not_picked (R-LEAD-3)"
    with pytest.raises(AccessDenied):
        mta.leads.pick("olga", "market", "pumps")  # the operator is not offered it


def test_r_lead_4_visibility_follows_company_membership(mta: TeamAccess) -> None:
    """R-LEAD-4: a colleague added later sees the company's leads; a removed one loses them at once."""
    mta.leads.pick("anton", "dealer-a", "pumps")
    mta.members.add("anton", "dealer-a", "xaver")
    assert visible(mta, "xaver", "dealer-a") == ["pumps"]
    assert mta.leads.check("xaver", "dealer-a", "pumps", "edit_lead").allowed
    mta.members.remove("anton", "dealer-a", "xaver")
    with pytest.raises(NotAMember):
        mta.leads.visible("xaver", "dealer-a")
    decision = mta.leads.check("xaver", "dealer-a", "pumps", "view_lead")
    assert str(decision) == "denied: not_a_member (R-LEAD-4)"


def test_r_lead_5_handlers_assign_within_the_company(mta: TeamAccess, store) -> None:
    """R-LEAD-5: responsible handlers assign a picked lead to a colleague, never outside."""
    mta.leads.pick("anton", "dealer-a", "pumps")
    with pytest.raises(AccessDenied) as caught:
        mta.leads.assign("anton", "dealer-a", "pumps", "andi")
    assert str(caught.value.decision) == "denied: not_handler (R-LEAD-5)"
    with pytest.raises(AccessDenied):
        mta.members.set_handler("andi", "dealer-a", "andi", True)  # needs manage_team
    assert mta.members.set_handler("anton", "dealer-a", "andi", True).is_handler
    assert mta.leads.assign("andi", "dealer-a", "pumps", "anton").assignee_id == "anton"
    before = dump(store)
    with pytest.raises(MembershipNotFound):
        mta.leads.assign("andi", "dealer-a", "pumps", "berta")  # not a colleague
    with pytest.raises(AccessDenied):
        mta.leads.assign("olga", "market", "pumps", "olga")  # operator only reads
    assert dump(store) == before
    assert mta.leads.assign("andi", "dealer-a", "pumps", None).assignee_id is None
    # An assignment gives no access of its own: the assignee who leaves loses the lead.
    mta.leads.assign("andi", "dealer-a", "pumps", "anton")
    mta.members.transfer_main_contact("anton", "dealer-a", "andi")
    mta.members.leave("anton", "dealer-a")
    assert not mta.leads.check("anton", "dealer-a", "pumps", "view_lead")


def test_r_lead_7_visible_leads_is_a_paginated_filtered_query(mta: TeamAccess) -> None:
    """R-LEAD-7: leads come in stable id order, page by page, filtered by company and state."""
    ids = [
        mta.leads.offer("olga", "market", giver_id="giver", taker_ids=["dealer-a"],
                       title=f"Lead {n}", lead_id=f"lead-{n:02d}").id
        for n in range(2, 9)
    ]  # fmt: skip
    mta.leads.pick("anton", "dealer-a", "lead-03")
    mta.leads.pick("anton", "dealer-a", "lead-05")
    everything = sorted(["pumps", *ids])
    assert visible(mta, "olga", "market") == everything
    assert visible(mta, "andi", "dealer-a") == everything
    assert visible(mta, "andi", "dealer-a", state="picked") == ["lead-03", "lead-05"]
    assert visible(mta, "andi", "dealer-a", state=LeadState.OFFERED) == [
        i for i in everything if i not in ("lead-03", "lead-05")
    ]
    assert visible(mta, "berta", "dealer-b") == ["pumps"]
    page = mta.leads.visible("olga", "market", limit=3)
    assert [lead.id for lead in page.items] == everything[:3]
    assert page.next_after == everything[2]
    for bad in ({"limit": 0}, {"limit": 1001}, {"state": "lost-and-found"}):
        with pytest.raises(InvalidInput):
            mta.leads.visible("olga", "market", **bad)


def test_r_lead_3_pick_needs_membership_and_open_company(mta: TeamAccess) -> None:
    """R-LEAD-3: a non-member cannot pick for a company, even one the lead is offered to."""
    with pytest.raises(NotAMember):
        mta.leads.pick("xaver", "dealer-a", "pumps")
    # R-ALL-9: a company one is not a member of answers alike whether it exists or not
    assert mta.leads.check("anton", "nowhere", "pumps", "view_lead").reason == "not_a_member"
    assert mta.leads.check("xaver", "dealer-a", "pumps", "view_lead").reason == "not_a_member"
    assert (
        mta.leads.check("anton", "dealer-a", "no-such-lead", "view_lead").reason == "unknown_lead"
    )


def test_r_lead_4_the_store_reads_no_lead_for_facts_that_refuse(
    mta: TeamAccess, store, clock
) -> None:
    """R-LEAD-4: the port's page is empty for an outsider, a missing, suspended or closed company; its facts are the stored ones."""

    def page(user: str, company: str) -> tuple[str | None, str | None, list[str]]:
        def read(tx):
            found = tx.leads.visible_page(
                CompanyId(company), UserId(user), state=None, after=None, limit=10
            )
            stored = tx.companies.get(CompanyId(company))
            member = None if stored is None else tx.memberships.get(stored.id, UserId(user))
            assert found[:2] == (stored, member)  # what the service decides on
            return found

        at, member, leads = in_transaction(store, read)
        return (None if at is None else at.id, None if member is None else member.user_id,
                [lead.id for lead in leads])  # fmt: skip

    assert page("anton", "dealer-a") == ("dealer-a", "anton", ["pumps"])
    assert page("xaver", "dealer-a") == ("dealer-a", None, [])
    assert page("anton", "nowhere") == (None, None, [])
    mta.companies.suspend(ADMIN, "dealer-a", reason="unpaid")
    assert page("anton", "dealer-a") == ("dealer-a", "anton", [])
    mta.companies.resume(ADMIN, "dealer-a")
    assert page("anton", "dealer-a") == ("dealer-a", "anton", ["pumps"])

    def close(tx) -> None:  # closed with its members still in it (a merge moves them)
        company = tx.companies.get(CompanyId("dealer-a"))
        tx.companies.update(attrs.evolve(company, closed_at=clock()))

    in_transaction(store, close)
    assert page("anton", "dealer-a") == ("dealer-a", "anton", [])
    assert page("olga", "market") == ("market", "olga", ["pumps"])
