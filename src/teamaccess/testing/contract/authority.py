"""R-MEM-10, R-INV-5 and R-CO-4, run against every adapter.

Authority ends with its membership, invitations end when their address joins by
another way, and migration reports personal ids that someone else took.
"""

from __future__ import annotations

import pytest

from teamaccess import InvitationStatus, TeamAccess
from teamaccess.errors import AccessDenied, InvitationRevoked
from teamaccess.events import InvitationWithdrawn, LeadAssigned, PoolLeaderChanged, RequestAssigned
from teamaccess.testing import dump
from teamaccess.testing.contract._helpers import make_team
from teamaccess.testing.contract._lead_helpers import ADMIN, market_service
from teamaccess.testing.contract._seat_helpers import seat_service


def _events(ta: TeamAccess, kind: type) -> list:
    return [m.event for m in ta.outbox.pending(limit=1000) if isinstance(m.event, kind)]


def test_r_mem_10_removed_buyer_loses_the_company_pool(store, clock) -> None:
    """R-MEM-10: a member who bought a company's pool and is then removed can no longer resize it or enroll; the leadership passes to the main contact, with its event."""
    ta = seat_service(store, clock)
    team = make_team(ta)
    pool = ta.seats.purchase("ben", "course", 3, "Sales", company_id=team.id)
    ta.members.remove("anna", team.id, "ben")
    assert ta.seats.get(pool.id).leader_id == "anna"
    before = dump(store)
    with pytest.raises(AccessDenied, match="R-SEAT-4"):
        ta.seats.resize("ben", pool.id, 100)
    with pytest.raises(AccessDenied):
        ta.seats.enroll("ben", pool.id, "mallory@example.com")
    assert dump(store) == before
    (changed,) = _events(ta, PoolLeaderChanged)
    assert (changed.pool_id, changed.old_leader_id, changed.new_leader_id) == (
        pool.id,
        "ben",
        "anna",
    )
    assert ta.seats.resize("anna", pool.id, 5).seats == 5


def test_r_mem_10_leader_who_left_an_empty_company_is_refused(store, clock) -> None:
    """R-MEM-10: when the last member leaves, nobody takes the pool over, and the former leader is refused all the same: the lost membership ends the leadership."""
    ta = seat_service(store, clock)
    ta.users.register("solo", "solo@example.com")
    company = ta.companies.create("solo", "Solo", company_id="solo-co")
    pool = ta.seats.purchase("solo", "course", 2, "Team", company_id=company.id)
    ta.members.leave("solo", company.id)
    decision = ta.seats.check_group("solo", pool.id)
    assert (decision.allowed, decision.reason, decision.rule) == (
        False,
        "leader_left_company",
        "R-MEM-10",
    )
    with pytest.raises(AccessDenied, match="R-MEM-10"):
        ta.seats.resize("solo", pool.id, 9)
    assert ta.seats.check_group(ADMIN, pool.id).allowed  # platform admins still manage it


def test_r_mem_10_assigned_work_returns_to_the_company(store, clock) -> None:
    """R-MEM-10: a removed member's assigned leads and inbox requests become unassigned in the removal's transaction, each with its event; the removal's own events come first."""
    ta = market_service(store, clock)
    ta.members.set_handler("anton", "dealer-a", "anton", True)
    ta.leads.pick("andi", "dealer-a", "pumps")
    ta.leads.assign("anton", "dealer-a", "pumps", "andi")
    request = ta.inbox.send("dealer-a", "contact", "kunde@example.com", "Offer?")
    ta.inbox.assign("anton", "dealer-a", request.id, "andi")
    ta.members.remove("anton", "dealer-a", "andi")
    assert ta.leads.get("anton", "dealer-a", "pumps").assignee_id is None
    assert ta.inbox.list("anton", "dealer-a").items[0].assignee_id is None
    lead_events = _events(ta, LeadAssigned)
    assert [e.assignee_id for e in lead_events] == ["andi", None]
    assert [e.assignee_id for e in _events(ta, RequestAssigned)] == ["andi", None]
    assert lead_events[-1].actor_id == "anton"


def test_r_inv_5_removed_member_cannot_return_through_an_old_invitation(ta: TeamAccess) -> None:
    """R-INV-5: invite kim, add kim directly, remove kim: the old token no longer works."""
    team = make_team(ta)
    ta.users.register("kim", "kim@example.com")
    issued = ta.invitations.send("anna", team.id, "kim@example.com")
    ta.members.add("anna", team.id, "kim")
    (invitation,) = ta.invitations.list("anna", team.id)
    assert invitation.status is InvitationStatus.REVOKED
    ta.members.remove("anna", team.id, "kim")
    with pytest.raises(InvitationRevoked):
        ta.invitations.accept("kim", issued.token)
    assert "kim" not in [m.user_id for m in ta.members.list("anna", team.id)]
    (withdrawn,) = _events(ta, InvitationWithdrawn)
    assert withdrawn.invitation_id == invitation.id


def test_r_inv_5_removal_withdraws_an_invitation_issued_before_it(ta: TeamAccess) -> None:
    """R-INV-5: an invitation pending for a member's address (issued before they left and came back by another way) is withdrawn when they are removed."""
    team = make_team(ta)
    issued = ta.invitations.send("anna", team.id, "carl@example.com")
    ta.members.add("anna", team.id, "carl")  # withdraws it
    ta.members.remove("anna", team.id, "carl")
    second = ta.invitations.send("anna", team.id, "carl@example.com")
    ta.members.add("ben", team.id, "carl")  # back by another way: withdrawn again
    ta.members.remove("anna", team.id, "carl")
    for token in (issued.token, second.token):
        with pytest.raises(InvitationRevoked):
            ta.invitations.accept("carl", token)
    assert [i.status for i in ta.invitations.list("anna", team.id)] == [
        InvitationStatus.REVOKED
    ] * 2


def test_r_inv_5_merge_withdraws_invitations_of_moved_members(store, clock) -> None:
    """R-INV-5: members a merge moves into the target end the target's invitations to them."""
    ta = market_service(store, clock)
    issued = ta.invitations.send("berta", "dealer-b", "andi@example.com")
    ta.lifecycle.merge(ADMIN, "dealer-a", "dealer-b")
    with pytest.raises(InvitationRevoked):
        ta.invitations.accept("andi", issued.token)
    assert "andi" in [m.user_id for m in ta.members.list("berta", "dealer-b")]


def test_r_co_4_migration_reports_a_taken_personal_id(store, clock) -> None:
    """R-CO-4: a user whose personal company id someone else took gets no company and is reported, not counted as migrated; the others are migrated; a rerun reports again."""
    ta = market_service(store, clock)
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("xaver", "Squatter", company_id="personal-anna")
    ta.members.add("xaver", "personal-anna", "anna")  # a member, but not its owner
    result = ta.lifecycle.migrate_users(ADMIN)
    assert [(c.user_id, c.company_id) for c in result.conflicts] == [("anna", "personal-anna")]
    assert "anna" not in {c.id.removeprefix("personal-") for c in result.created}
    assert "personal-xaver" in {c.id for c in result.created}
    assert ta.members.main_contact("personal-anna").user_id == "xaver"
    again = ta.lifecycle.migrate_users(ADMIN)
    assert (again.created, len(again.conflicts)) == ((), 1)
