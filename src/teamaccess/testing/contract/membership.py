"""Membership rules R-MEM-1..8, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import Action, AddMembersBy, CompanySettings, Decision, RolePolicy, TeamAccess, User
from teamaccess.errors import (
    AccessDenied,
    AlreadyAMember,
    MembershipNotFound,
    NotAMember,
    NotEligible,
    UnknownRole,
    UnknownUser,
)
from teamaccess.events import MemberRemoved
from teamaccess.testing import make_service
from teamaccess.testing.contract._helpers import make_team


def test_r_mem_1_user_can_belong_to_several_companies(ta: TeamAccess) -> None:
    """R-MEM-1: one user is a member of two companies at once and acts for each by name."""
    team = make_team(ta)
    other = ta.companies.create("carl", "Other AG", company_id="other")
    ta.members.add("carl", other.id, "anna")

    assert [m.company_id for m in ta.members.of_user("anna")] == ["acme", "other"]
    assert ta.check("anna", team.id, Action.OPEN_BACKOFFICE)
    assert ta.check("anna", other.id, Action.OPEN_BACKOFFICE)


def test_r_mem_1_action_refused_for_non_member_acting_company(ta: TeamAccess) -> None:
    """R-MEM-1: a command for a company the actor is not a member of is refused."""
    team = make_team(ta)
    with pytest.raises(NotAMember) as caught:
        ta.members.add("carl", team.id, "dora")
    assert caught.value.decision.reason == "not_a_member"
    assert caught.value.decision.rule == "R-MEM-1"
    assert ta.members.of_user("dora") == []


def test_r_mem_2_adding_existing_member_is_refused(ta: TeamAccess) -> None:
    """R-MEM-2: adding an existing member raises AlreadyAMember and adds no second row."""
    team = make_team(ta)
    with pytest.raises(AlreadyAMember, match="already a member"):
        ta.members.add("anna", team.id, "ben")
    assert [m.user_id for m in ta.members.list("anna", team.id)] == ["anna", "ben"]


def test_r_mem_2_exist_ok_is_idempotent(ta: TeamAccess) -> None:
    """R-MEM-2: with exist_ok the call returns the existing membership unchanged."""
    team = make_team(ta)
    before = ta.members.list("anna", team.id)
    again = ta.members.add("anna", team.id, "ben", role="admin", exist_ok=True)
    assert again.role == "member"
    assert ta.members.list("anna", team.id) == before


def test_r_mem_3_any_member_may_add_by_default(ta: TeamAccess) -> None:
    """R-MEM-3: in a team company (default) a plain member may add a colleague."""
    team = make_team(ta)
    added = ta.members.add("ben", team.id, "carl")
    assert added.role == "member"
    assert ta.check("carl", team.id, Action.OPEN_BACKOFFICE)


def test_r_mem_3_only_admins_add_when_configured(ta: TeamAccess) -> None:
    """R-MEM-3: with add_members_by=TEAM_MANAGERS a plain member is denied, an admin not."""
    for user in ("anna", "ben", "carl"):
        ta.users.register(user, f"{user}@example.com")
    settings = CompanySettings(add_members_by=AddMembersBy.TEAM_MANAGERS)
    company = ta.companies.create("anna", "Child", company_id="child", settings=settings)
    ta.members.add("anna", company.id, "ben")

    decision = ta.check("ben", company.id, Action.ADD_MEMBER)
    assert (decision.allowed, decision.reason, decision.rule) == (False, "not_permitted", "R-MEM-3")
    with pytest.raises(AccessDenied):
        ta.members.add("ben", company.id, "carl")
    assert ta.companies.get(company.id).settings == settings
    assert ta.check("anna", company.id, Action.ADD_MEMBER).reason == "role_permits"


def test_r_mem_4_eligibility_predicate_names_failed_precondition(store) -> None:
    """R-MEM-4: the host predicate refuses, and the error names the failed precondition."""

    def networking_on(*, actor: User, candidate: User, company: object) -> Decision:
        for who in (actor, candidate):
            if who.attributes.get("networking") != "on":
                return Decision.deny("networking_disabled", "R-MEM-4", f"{who.id} has it off")
        return Decision.allow("eligible", "R-MEM-4")

    ta = make_service(store, eligibility=networking_on)
    ta.users.register("anna", "anna@example.com", attributes={"networking": "on"})
    ta.users.register("ben", "ben@example.com", attributes={"networking": "off"})
    ta.users.register("carl", "carl@example.com", attributes={"networking": "on"})
    company = ta.companies.create("anna", "ACME")

    with pytest.raises(NotEligible) as caught:
        ta.members.add("anna", company.id, "ben")
    assert caught.value.decision.reason == "networking_disabled"
    assert "ben has it off" in str(caught.value)
    assert ta.members.add("anna", company.id, "carl").user_id == "carl"


def test_r_mem_4_candidate_must_be_registered(ta: TeamAccess) -> None:
    """R-MEM-4: an unregistered user cannot be added (UnknownUser)."""
    team = make_team(ta)
    with pytest.raises(UnknownUser, match="'nobody'"):
        ta.members.add("anna", team.id, "nobody")


def test_r_mem_5_show_as_contact_defaults_on_and_filters_public_list(ta: TeamAccess) -> None:
    """R-MEM-5: the flag defaults on; public contacts list only members with it on."""
    team = make_team(ta)
    assert [m.user_id for m in ta.members.public_contacts(team.id)] == ["anna", "ben"]
    ta.members.set_show_as_contact("ben", team.id, "ben", False)
    assert [m.user_id for m in ta.members.public_contacts(team.id)] == ["anna"]
    assert [m.user_id for m in ta.members.list("anna", team.id)] == ["anna", "ben"]


def test_r_mem_5_only_team_managers_change_others_flag(ta: TeamAccess) -> None:
    """R-MEM-5: a member may not change a colleague's flag; an admin may."""
    team = make_team(ta)
    with pytest.raises(AccessDenied) as caught:
        ta.members.set_show_as_contact("ben", team.id, "anna", False)
    assert caught.value.decision.rule == "R-MEM-5"
    ta.members.set_show_as_contact("anna", team.id, "ben", False)
    assert [m.user_id for m in ta.members.public_contacts(team.id)] == ["anna"]


def test_r_mem_6_non_member_gets_not_a_member_for_backoffice(ta: TeamAccess) -> None:
    """R-MEM-6: opening the back office as a non-member is denied with "not a member"."""
    team = make_team(ta)
    decision = ta.check("carl", team.id, Action.OPEN_BACKOFFICE)
    assert str(decision) == "denied: not_a_member (R-MEM-6)"
    with pytest.raises(NotAMember):
        ta.members.list("carl", team.id)
    assert str(ta.check("ben", team.id, Action.OPEN_BACKOFFICE)) == "allowed: is_member (R-MEM-6)"


def test_r_mem_7_removal_ends_access_at_once_and_keeps_history(ta: TeamAccess) -> None:
    """R-MEM-7: after removal the member is denied at once; their past events remain."""
    team = make_team(ta)
    ta.members.add("ben", team.id, "carl")
    ta.members.remove("anna", team.id, "ben")

    assert not ta.check("ben", team.id, Action.OPEN_BACKOFFICE)
    with pytest.raises(NotAMember):
        ta.members.add("ben", team.id, "dora")
    events = [m.event for m in ta.outbox.pending(limit=1000)]
    assert any(getattr(e, "actor_id", None) == "ben" for e in events)  # ben added carl
    assert isinstance(events[-1], MemberRemoved)
    assert events[-1].user_id == "ben"


def test_r_mem_7_member_may_leave_but_not_remove_others(ta: TeamAccess) -> None:
    """R-MEM-7: a member may remove themselves; removing a colleague needs manage_team."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl")
    with pytest.raises(AccessDenied) as caught:
        ta.members.remove("ben", team.id, "carl")
    assert caught.value.decision.rule == "R-MEM-7"
    ta.members.leave("ben", team.id)
    assert [m.user_id for m in ta.members.list("anna", team.id)] == ["anna", "carl"]
    with pytest.raises(MembershipNotFound):
        ta.members.remove("anna", team.id, "ben")


def test_r_mem_8_roles_are_data_with_replaceable_policy(store) -> None:
    """R-MEM-8: a host policy adds a role and a permission; checks follow it."""
    policy = RolePolicy(
        {
            "owner": {"manage_team", "reassign_main_contact", "view_statistics"},
            "analyst": {"view_statistics"},
            "guest": set(),
        }
    )
    ta = make_service(store, policy=policy, founder_role="owner", member_role="guest")
    for user in ("anna", "ben", "carl"):
        ta.users.register(user, f"{user}@example.com")
    company = ta.companies.create("anna", "ACME")
    ta.members.add("anna", company.id, "ben", role="analyst")
    ta.members.add("anna", company.id, "carl")

    assert str(ta.check("ben", company.id, "view_statistics")) == "allowed: role_permits (R-MEM-8)"
    assert str(ta.check("carl", company.id, "view_statistics")) == "denied: not_permitted (R-MEM-8)"
    ta.members.change_role("anna", company.id, "carl", "analyst")
    assert ta.check("carl", company.id, "view_statistics")
    with pytest.raises(UnknownRole, match="owner, analyst, guest"):
        ta.members.change_role("anna", company.id, "carl", "admin")


def test_r_mem_8_change_role_needs_manage_team(ta: TeamAccess) -> None:
    """R-MEM-8: a plain member cannot change roles; an admin can, and it takes effect."""
    team = make_team(ta)
    with pytest.raises(AccessDenied):
        ta.members.change_role("ben", team.id, "ben", "admin")
    ta.members.change_role("anna", team.id, "ben", "admin")
    assert ta.check("ben", team.id, Action.MANAGE_TEAM)
