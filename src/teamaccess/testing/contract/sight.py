"""Contract: what a company's records and leads give away, on every store.

An outsider's answer about a record or a lead is the same whether it exists or not
(R-ALL-9); a suspended customer's records are out of everyone's reach until it is
resumed (R-CO-8); instants
no store can hold are refused the same way everywhere (R-ALL-6).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from teamaccess import LeadAction, RecordKind, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    InvalidInput,
    TeamAccessError,
    UnknownLead,
    UnknownRecord,
)
from teamaccess.testing import dump, make_service
from teamaccess.testing.contract._lead_helpers import ADMIN, market_service
from teamaccess.values import LinkKind


@pytest.fixture
def sight_rta(store, clock) -> TeamAccess:
    """Kunde (customer, kurt) linked to OSG (provider, osgar); Fremd (fritz) linked to nobody."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "osgar", "kurt", "fritz"):
        ta.users.register(user, f"{user}@example.com")
    for founder, company in [("osgar", "osg"), ("kurt", "kunde"), ("fritz", "fremd")]:
        ta.companies.create(founder, company.upper(), company_id=company)
    ta.records.link(ADMIN, "kunde", "osg", LinkKind.PROVIDER)
    ta.records.add("osgar", "osg", "kunde", RecordKind.INVOICE, "Invoice 1", record_id="inv-1")
    return ta


def _outcome(call) -> tuple[str, str]:
    """What a caller learns: the answer's type and text, with the asked-for id blanked."""
    try:
        result = call()
    except TeamAccessError as error:
        return type(error).__name__, str(error)
    return type(result).__name__, str(result)


def test_r_all_9_a_record_out_of_sight_is_answered_as_a_missing_one(sight_rta, clock) -> None:
    """R-ALL-9: get and check of another customer's record answer exactly as for no record at all."""
    for call in (sight_rta.records.get, sight_rta.records.check):
        seen = _outcome(lambda call=call: call("fritz", "fremd", "inv-1"))
        missing = _outcome(lambda call=call: call("fritz", "fremd", "inv-9"))
        assert seen == (missing[0], missing[1].replace("inv-9", "inv-1")), call
    with pytest.raises(UnknownRecord):
        sight_rta.records.get("fritz", "fremd", "inv-1")
    since = clock() - timedelta(days=30)
    linked = _outcome(lambda: sight_rta.records.timeline("fritz", "fremd", "kunde", since=since))
    nowhere = _outcome(lambda: sight_rta.records.timeline("fritz", "fremd", "nowhere", since=since))
    assert linked == (nowhere[0], nowhere[1].replace("nowhere", "kunde"))
    with pytest.raises(AccessDenied):
        sight_rta.records.add("fritz", "fremd", "nowhere", "mail", "Spam")


def test_r_all_9_a_lead_out_of_sight_is_answered_as_a_missing_one(store, clock) -> None:
    """R-ALL-9: a company the lead was never offered to learns nothing of it, nor after a pick."""
    ta = market_service(store, clock)
    for when in ("offered", "picked"):
        for call in (ta.leads.get, ta.leads.pick):
            seen = _outcome(lambda call=call: call("carla", "dealer-c", "pumps"))
            missing = _outcome(lambda call=call: call("carla", "dealer-c", "ghost"))
            assert seen == (missing[0], missing[1].replace("ghost", "pumps")), (when, call)
        for action in LeadAction:
            assert ta.leads.check("carla", "dealer-c", "pumps", action) == ta.leads.check(
                "carla", "dealer-c", "ghost", action
            ), (when, action)
        if when == "offered":
            ta.leads.pick("anton", "dealer-a", "pumps")
    with pytest.raises(UnknownLead):  # a taker who lost the lead to the pick: out of sight
        ta.leads.get("berta", "dealer-b", "pumps")


def test_r_co_8_a_suspended_customers_records_are_out_of_reach_until_resumed(
    sight_rta, store, clock
) -> None:
    """R-CO-8: while the customer is suspended its provider reads and adds nothing; resumed, all is back."""
    since = clock() - timedelta(days=30)
    reads = {
        "timeline": lambda: [r.id for r in sight_rta.records.timeline("osgar", "osg", "kunde", since=since).items],
        "get": lambda: sight_rta.records.get("osgar", "osg", "inv-1").id,
        "check": lambda: str(sight_rta.records.check("osgar", "osg", "inv-1")),
    }  # fmt: skip
    before = {name: read() for name, read in reads.items()}
    sight_rta.companies.suspend(ADMIN, "kunde", reason="unpaid invoice 4711")
    frozen = dump(store)
    for name, read in reads.items():
        answer = _outcome(read)
        assert "denied: company_suspended (R-CO-5)" in answer[1] or "is suspended" in answer[1]
        assert "4711" not in answer[1], name  # the reason is not the provider's to read
    with pytest.raises(AccessDenied):
        sight_rta.records.add("osgar", "osg", "kunde", "minutes", "Jour fixe")
    assert dump(store) == frozen
    sight_rta.companies.resume(ADMIN, "kunde")
    assert {name: read() for name, read in reads.items()} == before


def test_r_co_8_r_co_6_who_sees_record_agrees_with_the_check_while_the_customer_is_suspended(
    sight_rta,
) -> None:
    """R-CO-8, R-CO-6: the reverse query lists a linked provider's members exactly when the check allows them."""

    def viewers() -> set[tuple[str, str]]:
        page = sight_rta.access.who_sees_record(ADMIN, "inv-1")
        return {(h.company_id, h.user_id) for h in page.items}

    def allowed() -> set[tuple[str, str]]:
        pairs = [("osg", "osgar"), ("kunde", "kurt"), ("fremd", "fritz")]
        return {(c, u) for c, u in pairs if sight_rta.records.check(u, c, "inv-1").allowed}

    assert viewers() == allowed() == {("osg", "osgar"), ("kunde", "kurt")}
    sight_rta.companies.suspend(ADMIN, "kunde", reason="unpaid invoice 4711")
    assert viewers() == allowed() == set()
    sight_rta.companies.resume(ADMIN, "kunde")
    assert viewers() == allowed() == {("osg", "osgar"), ("kunde", "kurt")}


FAR = [
    datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),  # past 9999 in UTC
    datetime(9999, 12, 25, tzinfo=timezone.utc),  # its embargo would overflow
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),  # before year 1 in UTC
    datetime(2026, 1, 1),  # naive
]


@pytest.mark.parametrize(
    "when", FAR, ids=["far-future-offset", "embargo-overflow", "year-0", "naive"]
)
def test_r_all_6_instants_no_store_holds_are_refused_alike(sight_rta, store, when) -> None:
    """R-ALL-6: occurred_at, visible_from and since outside what every store holds raise InvalidInput."""
    before = dump(store)
    for call in (
        lambda: sight_rta.records.add(
            "osgar", "osg", "kunde", "timeline", "Call", occurred_at=when
        ),
        lambda: sight_rta.records.add("osgar", "osg", "kunde", "mail", "Mail", visible_from=when),
        lambda: sight_rta.records.timeline("osgar", "osg", "kunde", since=when),
    ):
        with pytest.raises(InvalidInput):
            call()
    assert dump(store) == before


def test_r_all_9_an_outsider_learns_nothing_of_a_company_it_is_not_in(store, clock) -> None:
    """R-ALL-9: checks, reads and commands answer an outsider alike for an open, a suspended and a missing company."""
    ta = market_service(store, clock)
    calls = {
        "check": lambda c: ta.check("xaver", c, "view_members"),
        "lead check": lambda c: ta.leads.check("xaver", c, "pumps", "view_lead"),
        "leads visible": lambda c: ta.leads.visible("xaver", c),
        "lead pick": lambda c: ta.leads.pick("xaver", c, "pumps"),
        "inbox": lambda c: ta.inbox.list("xaver", c),
        "record check": lambda c: ta.records.check("xaver", c, "inv-1"),
        "timeline": lambda c: ta.records.timeline("xaver", c, c, since=clock()),
        "license check": lambda c: ta.licenses.check("xaver", c, "create_asset"),
        "license use": lambda c: ta.licenses.use("xaver", c, "create_asset"),
    }
    missing = {name: _outcome(lambda call=call: call("nowhere")) for name, call in calls.items()}
    for state in ("open", "suspended"):
        if state == "suspended":
            ta.companies.suspend(ADMIN, "dealer-a", reason="fraud 4711")
        for name, call in calls.items():
            seen = _outcome(lambda call=call: call("dealer-a"))
            assert seen == (missing[name][0], missing[name][1].replace("nowhere", "dealer-a")), (
                state, name, seen, missing[name],
            )  # fmt: skip
