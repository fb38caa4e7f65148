"""Main-contact rules R-MC-1..4, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import Action, TeamAccess
from teamaccess.errors import AccessDenied, MainContactRequired, MembershipNotFound
from teamaccess.events import MainContactChanged
from teamaccess.testing.contract._helpers import make_team


def test_r_mc_1_first_member_is_main_contact(ta: TeamAccess) -> None:
    """R-MC-1: the creator is the only member and the main contact of a new company."""
    ta.users.register("anna", "anna@example.com")
    company = ta.companies.create("anna", "ACME")
    members = ta.members.list("anna", company.id)
    assert [(m.user_id, m.is_main_contact, m.role) for m in members] == [("anna", True, "admin")]
    assert ta.members.main_contact(company.id).user_id == "anna"


def test_r_mc_1_added_members_are_not_main_contact(ta: TeamAccess) -> None:
    """R-MC-1: later members join without the role; there is still exactly one."""
    team = make_team(ta)
    ta.members.add("ben", team.id, "carl")
    assert [m.user_id for m in ta.members.list("anna", team.id) if m.is_main_contact] == ["anna"]


def test_r_mc_2_only_main_contact_edits_profile(ta: TeamAccess) -> None:
    """R-MC-2: the main contact edits the profile; an admin who is not main contact is denied."""
    team = make_team(ta)
    ta.members.change_role("anna", team.id, "ben", "admin")
    denied = ta.check("ben", team.id, Action.EDIT_PROFILE)
    assert str(denied) == "denied: not_main_contact (R-MC-2)"
    with pytest.raises(AccessDenied, match="not_main_contact"):
        ta.companies.update_profile("ben", team.id, name="Hijacked")
    assert ta.companies.update_profile("anna", team.id, name="ACME AG").name == "ACME AG"
    assert ta.companies.get(team.id).name == "ACME AG"


def test_r_mc_3_main_contact_transfers_and_stays_member(ta: TeamAccess) -> None:
    """R-MC-3: after a transfer the new main contact edits the profile; the old one stays."""
    team = make_team(ta)
    ta.members.transfer_main_contact("anna", team.id, "ben")
    assert ta.members.main_contact(team.id).user_id == "ben"
    assert ta.check("ben", team.id, Action.EDIT_PROFILE)
    assert not ta.check("anna", team.id, Action.EDIT_PROFILE)
    assert ta.check("anna", team.id, Action.OPEN_BACKOFFICE)
    last = ta.outbox.pending(limit=1000)[-1].event
    assert isinstance(last, MainContactChanged)
    assert (last.old_user_id, last.new_user_id) == ("anna", "ben")


def test_r_mc_3_admin_may_reassign_plain_member_may_not(ta: TeamAccess) -> None:
    """R-MC-3: an admin (reassign_main_contact) may move the role; a plain member may not."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", role="admin")
    with pytest.raises(AccessDenied) as caught:
        ta.members.transfer_main_contact("ben", team.id, "ben")
    assert caught.value.decision.rule == "R-MC-3"
    ta.members.transfer_main_contact("carl", team.id, "ben")
    assert ta.members.main_contact(team.id).user_id == "ben"


def test_r_mc_3_transfer_to_non_member_is_refused(ta: TeamAccess) -> None:
    """R-MC-3: the role can only go to a member."""
    team = make_team(ta)
    with pytest.raises(MembershipNotFound):
        ta.members.transfer_main_contact("anna", team.id, "carl")
    assert ta.members.main_contact(team.id).user_id == "anna"


def test_r_mc_4_main_contact_cannot_leave_while_others_remain(ta: TeamAccess) -> None:
    """R-MC-4: removing or leaving as main contact with other members raises MainContactRequired."""
    team = make_team(ta)
    with pytest.raises(MainContactRequired, match="transfer the role"):
        ta.members.leave("anna", team.id)
    ta.members.change_role("anna", team.id, "ben", "admin")
    with pytest.raises(MainContactRequired):
        ta.members.remove("ben", team.id, "anna")
    assert ta.members.main_contact(team.id).user_id == "anna"


def test_r_mc_4_last_member_leaves_company_empty(ta: TeamAccess) -> None:
    """R-MC-4: the last member may leave; the company has no members and no main contact."""
    team = make_team(ta)
    ta.members.transfer_main_contact("anna", team.id, "ben")
    ta.members.leave("anna", team.id)
    ta.members.leave("ben", team.id)
    assert ta.members.main_contact(team.id) is None
    assert ta.members.public_contacts(team.id) == []


def test_r_mc_4_after_transfer_old_main_contact_may_leave(ta: TeamAccess) -> None:
    """R-MC-4: once the role is transferred, the former main contact can leave."""
    team = make_team(ta)
    ta.members.transfer_main_contact("anna", team.id, "ben")
    ta.members.leave("anna", team.id)
    assert [m.user_id for m in ta.members.list("ben", team.id)] == ["ben"]
