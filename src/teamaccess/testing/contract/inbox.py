"""The company inbox, R-LEAD-6, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import (
    InvalidEmail,
    InvalidInput,
    MembershipNotFound,
    NotAMember,
    UnknownRequest,
)
from teamaccess.testing import dump
from teamaccess.testing.contract._helpers import make_team
from teamaccess.values import RequestKind, RequestState


def test_r_lead_6_requests_land_in_inbox_visible_to_all_members(ta: TeamAccess) -> None:
    """R-LEAD-6: contact and meeting requests reach every member of the company, nobody else."""
    team = make_team(ta)
    first = ta.inbox.send(team.id, "contact", "Visitor@Fair.example", "Catalogue please")
    second = ta.inbox.send(team.id, RequestKind.MEETING, "carl@example.com", "Booth 4, 10:00",
                             sender_id="carl")  # fmt: skip
    assert first.sender_email == "visitor@fair.example"
    for member in ("anna", "ben"):
        page = ta.inbox.list(member, team.id)
        assert [r.id for r in page.items] == [first.id, second.id]
        assert page.next_after is None
    with pytest.raises(NotAMember):
        ta.inbox.list("carl", team.id)  # the sender is not a member
    assert [r.id for r in ta.inbox.list("anna", team.id, limit=1).items] == [first.id]


def test_r_lead_6_any_member_assigns_requests_among_members(ta: TeamAccess, store) -> None:
    """R-LEAD-6: any member assigns a request to a member (or back to none) and marks it done."""
    team = make_team(ta)
    request = ta.inbox.send(team.id, "meeting", "visitor@fair.example", "Demo")
    assert ta.inbox.assign("ben", team.id, request.id, "anna").assignee_id == "anna"
    before = dump(store)
    with pytest.raises(MembershipNotFound):
        ta.inbox.assign("ben", team.id, request.id, "carl")
    with pytest.raises(NotAMember):
        ta.inbox.assign("carl", team.id, request.id, "carl")
    with pytest.raises(UnknownRequest):
        ta.inbox.assign("ben", team.id, "request-404", "anna")
    assert dump(store) == before
    assert ta.inbox.assign("anna", team.id, request.id, None).assignee_id is None
    done = ta.inbox.close("ben", team.id, request.id)
    assert done.state is RequestState.DONE
    assert ta.inbox.list("anna", team.id, state="open").items == ()
    assert [r.id for r in ta.inbox.list("anna", team.id, state="done").items] == [request.id]


def test_r_lead_6_requests_of_another_company_are_not_found(ta: TeamAccess) -> None:
    """R-LEAD-6: a request is reachable only through the inbox of the company it was sent to."""
    team = make_team(ta)
    other = ta.companies.create("carl", "Carl KG")
    request = ta.inbox.send(other.id, "contact", "visitor@fair.example", "Hello")
    with pytest.raises(UnknownRequest):
        ta.inbox.close("anna", team.id, request.id)
    assert ta.inbox.list("anna", team.id).items == ()


@pytest.mark.parametrize(
    ("kind", "email", "subject", "error"),
    [
        ("fax", "v@fair.example", "Hi", InvalidInput),
        ("contact", "not-an-address", "Hi", InvalidEmail),
        ("contact", "v@fair.example", "  ", InvalidInput),
    ],
)
def test_r_lead_6_bad_requests_are_refused(
    ta: TeamAccess, store, kind, email, subject, error
) -> None:
    """R-LEAD-6, R-ALL-6: an unknown kind, a bad address or an empty subject changes nothing."""
    team = make_team(ta)
    before = dump(store)
    with pytest.raises(error):
        ta.inbox.send(team.id, kind, email, subject)
    assert dump(store) == before
