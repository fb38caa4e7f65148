"""Partner accounts and custom properties, R-PART-1..6, run against every adapter."""

from __future__ import annotations

from datetime import date

import pytest

from teamaccess import Action, AddMembersBy, RolePolicy, TeamAccess
from teamaccess.domain.roles import MANAGE_TEAM, REASSIGN_MAIN_CONTACT
from teamaccess.errors import (
    AccessDenied,
    HierarchyCycle,
    HierarchyTooDeep,
    InvalidInput,
    InvalidPropertyValue,
    NotAMember,
    UnknownProperty,
)
from teamaccess.events import AccountParentChanged, MainContactChanged, MemberRemoved
from teamaccess.testing import dump
from teamaccess.testing.contract._partner_helpers import ADMIN, partner_service
from teamaccess.values import PropertyKind


@pytest.fixture
def pta(store, clock) -> TeamAccess:
    return partner_service(store, clock)


def test_r_part_1_creator_becomes_admin_of_child_account(pta: TeamAccess) -> None:
    """R-PART-1: a child account has the partner as parent; its creator is its admin and main contact."""
    account = pta.companies.get("kunde-a")
    assert account.parent_id == "lm"
    [member] = pta.members.list("paula", "kunde-a")
    assert (member.user_id, member.role, member.is_main_contact) == ("paula", "admin", True)
    assert account.settings.add_members_by is AddMembersBy.TEAM_MANAGERS  # R-MEM-3 default
    assert pta.partners.ancestors("kunde-a") == ["lm"]
    events = [m.event for m in pta.outbox.pending(limit=100)]
    assert isinstance(events[-1], AccountParentChanged)
    assert (events[-1].old_parent_id, events[-1].new_parent_id) == (None, "lm")


def test_r_part_1_only_team_managers_create_child_accounts(pta: TeamAccess, store) -> None:
    """R-PART-1: a plain member of the partner, or a stranger, may not create accounts under it."""
    before = dump(store)
    with pytest.raises(AccessDenied) as caught:
        pta.partners.create_child("piet", "lm", "Kunde B")
    assert str(caught.value.decision) == "denied: not_permitted (R-PART-1)"
    with pytest.raises(NotAMember):
        pta.partners.create_child("xaver", "lm", "Kunde B")
    assert dump(store) == before


def test_r_part_1_members_of_child_are_invited_with_a_role(pta: TeamAccess) -> None:
    """R-PART-1: the creator invites a customer into the child account by e-mail with a role."""
    issued = pta.invitations.send("paula", "kunde-a", "karl@example.com", role="member")
    pta.invitations.accept("karl", issued.token)
    assert [(m.user_id, m.role) for m in pta.members.list("karl", "kunde-a")] == [
        ("karl", "member"),
        ("paula", "admin"),
    ]
    with pytest.raises(AccessDenied):  # only admins add members to a child account
        pta.members.add("karl", "kunde-a", "xaver")


def test_r_part_2_ancestor_members_see_overview_only(pta: TeamAccess) -> None:
    """R-PART-2: piet (partner member, not in kunde-a) sees its overview and is denied the rest."""
    assert str(pta.check("piet", "kunde-a", Action.VIEW_OVERVIEW)) == (
        "allowed: ancestor_member (R-PART-2)"
    )
    for action in (Action.SWITCH_INTO, Action.OPEN_BACKOFFICE, Action.EDIT_PROFILE, "x"):
        assert str(pta.check("piet", "kunde-a", action)) == "denied: overview_only (R-PART-2)"
    with pytest.raises(AccessDenied, match="overview_only"):
        pta.members.list("piet", "kunde-a")
    assert str(pta.check("paula", "kunde-a", Action.SWITCH_INTO)) == "allowed: is_member (R-PART-2)"
    assert str(pta.check("xaver", "kunde-a", Action.VIEW_OVERVIEW)) == (
        "denied: not_a_member (R-PART-2)"
    )
    overview = pta.partners.account_overview("piet", "kunde-a")
    assert (overview.name, overview.depth, overview.members) == (
        "Kunde A",
        1,
        (("paula", "admin"),),
    )


def test_r_part_2_customer_sees_only_own_account(pta: TeamAccess) -> None:
    """R-PART-2: a member of the child sees nothing of the partner above it."""
    pta.invitations.send("paula", "kunde-a", "karl@example.com")
    pta.invitations.accept("karl", "token-1")
    assert not pta.check("karl", "lm", Action.VIEW_OVERVIEW)
    with pytest.raises(NotAMember):
        pta.partners.overview("karl", "lm")
    assert pta.partners.account_overview("karl", "kunde-a").depth == 0


def test_r_part_2_overview_pages_cover_every_descendant_once(pta: TeamAccess) -> None:
    """R-PART-2: the overview lists all descendants at any depth, paginated by id, each once."""
    for i in range(5):
        pta.partners.create_child("paula", "lm", f"Child {i}", company_id=f"c{i}")
    pta.partners.create_child("paula", "c0", "Grandchild", company_id="c0-g")
    seen, after = [], None
    while True:
        page = pta.partners.overview("piet", "lm", after=after, limit=3)
        seen.extend((a.id, a.depth) for a in page.accounts)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [
        ("c0", 1),
        ("c0-g", 2),
        ("c1", 1),
        ("c2", 1),
        ("c3", 1),
        ("c4", 1),
        ("kunde-a", 1),
    ]
    with pytest.raises(InvalidInput):
        pta.partners.overview("piet", "lm", limit=0)


def test_r_part_3_moves_that_would_make_a_cycle_are_refused(pta: TeamAccess, store) -> None:
    """R-PART-3: moving an account under itself or a descendant raises HierarchyCycle."""
    pta.partners.create_child("paula", "kunde-a", "Filiale", company_id="filiale")
    before = dump(store)
    with pytest.raises(HierarchyCycle):
        pta.partners.move("paula", "lm", "filiale")
    with pytest.raises(HierarchyCycle):
        pta.partners.move("paula", "kunde-a", "kunde-a")
    assert dump(store) == before


def test_r_part_3_move_rehangs_the_subtree(pta: TeamAccess) -> None:
    """R-PART-3: moving an account carries its subtree; ancestry and overviews follow."""
    pta.companies.create("paula", "Other partner", company_id="other")
    pta.partners.create_child("paula", "kunde-a", "Filiale", company_id="filiale")
    pta.partners.move("paula", "kunde-a", "other")
    assert pta.partners.ancestors("filiale") == ["kunde-a", "other"]
    assert [a.id for a in pta.partners.overview("paula", "lm").accounts] == []
    assert [(a.id, a.depth) for a in pta.partners.overview("paula", "other").accounts] == [
        ("filiale", 2),
        ("kunde-a", 1),
    ]
    assert not pta.check("piet", "filiale", Action.VIEW_OVERVIEW)
    pta.partners.move("paula", "kunde-a", None)
    assert pta.partners.ancestors("filiale") == ["kunde-a"]


def test_r_part_3_depth_is_limited_only_when_configured(store_factory, clock) -> None:
    """R-PART-3: with max_partner_depth=2 a third level is refused (create and move); unset, 10 levels work."""
    ta = partner_service(store_factory(), clock, max_partner_depth=2)
    ta.partners.create_child("paula", "kunde-a", "Level 2", company_id="l2")
    with pytest.raises(HierarchyTooDeep, match="3 levels deep; the maximum is 2"):
        ta.partners.create_child("paula", "l2", "Level 3")
    ta.companies.create("paula", "Root", company_id="root")
    with pytest.raises(HierarchyTooDeep):
        ta.partners.move("paula", "lm", "root")  # lm's subtree is 2 deep already
    deep = partner_service(store_factory(), clock)
    parent = "lm"
    for level in range(10):
        parent = deep.partners.create_child("paula", parent, f"L{level}", company_id=f"d{level}").id
    assert len(deep.partners.ancestors(parent)) == 10
    with pytest.raises(InvalidInput):
        partner_service(store_factory(), clock, max_partner_depth=0)


def test_r_part_4_typed_properties_are_validated(pta: TeamAccess, store) -> None:
    """R-PART-4: text, number, boolean, date and choice values are checked against their type."""
    pta.partners.define_property(
        "paula", "lm", "region", PropertyKind.CHOICE, choices=["Nord", "Süd"]
    )
    pta.partners.define_property("paula", "lm", "sensors", "number")
    pta.partners.define_property("paula", "lm", "active", "boolean")
    pta.partners.define_property("paula", "lm", "since", "date")
    pta.partners.define_property("paula", "lm", "note", "text")
    account = pta.partners.set_properties(
        "paula",
        "kunde-a",
        {"region": "Nord", "sensors": 12, "active": True, "since": "2026-03-01", "note": "VIP"},
    )
    assert account.properties["since"] == date(2026, 3, 1)
    before = dump(store)
    bad = [
        ({"region": "West"}, InvalidPropertyValue, "one of ['Nord', 'Süd']"),
        ({"sensors": "12"}, InvalidPropertyValue, "needs a number"),
        ({"active": 1}, InvalidPropertyValue, "needs a boolean"),
        ({"since": "01.03.2026"}, InvalidPropertyValue, "needs a date"),
        ({"colour": "red"}, UnknownProperty, "unknown property 'colour'"),
    ]
    for values, error, message in bad:
        with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
            pta.partners.set_properties("paula", "kunde-a", values)
    assert dump(store) == before
    page = pta.partners.overview("piet", "lm")
    assert [c.name for c in page.columns] == ["region", "sensors", "active", "since", "note"]
    assert page.accounts[0].properties == {
        "region": "Nord", "sensors": 12, "active": True, "since": date(2026, 3, 1), "note": "VIP",
    }  # fmt: skip
    cleared = pta.partners.set_properties("paula", "kunde-a", {"note": None})
    assert "note" not in cleared.properties


def test_r_part_4_only_account_admins_set_values_partner_managers_define(pta: TeamAccess) -> None:
    """R-PART-4: piet (partner member) may neither define properties nor set a child's values."""
    with pytest.raises(AccessDenied, match="not_permitted"):
        pta.partners.define_property("piet", "lm", "region", "text")
    pta.partners.define_property("paula", "lm", "region", "text")
    with pytest.raises(AccessDenied, match="overview_only"):
        pta.partners.set_properties("piet", "kunde-a", {"region": "Nord"})
    assert pta.companies.get("kunde-a").properties == {}
    with pytest.raises(InvalidInput, match="kind must be one of"):
        pta.partners.define_property("paula", "lm", "x", "colour")
    with pytest.raises(InvalidInput, match="choices"):
        pta.partners.define_property("paula", "lm", "y", "choice")


def _staffed(store, clock, **options) -> TeamAccess:
    """``partner_service`` plus anna, a second admin of lm, and bert, a registered user."""
    ta = partner_service(store, clock, **options)
    for user in ("anna", "bert"):
        ta.users.register(user, f"{user}@example.com")
    ta.members.add("paula", "lm", "anna", role="admin")
    return ta


def test_r_part_5_partner_admins_manage_a_descendants_team(store, clock) -> None:
    """R-PART-5: an ancestor's admin adds, re-roles and removes members below; nothing else."""
    ta = _staffed(store, clock)
    ta.partners.create_child("paula", "kunde-a", "Filiale", company_id="filiale")
    added = ta.members.add("anna", "kunde-a", "karl")  # anna is no member of kunde-a
    assert (added.role, added.origin) == ("member", None)  # a customer, not lm's staff
    staff = ta.members.add("anna", "kunde-a", "piet")
    assert staff.origin == "lm"  # received as lm's staff: ends with it (R-PART-6)
    ta.members.remove("anna", "kunde-a", "piet")
    assert ta.members.change_role("anna", "kunde-a", "karl", "admin").role == "admin"
    assert ta.check("anna", "kunde-a", "manage_team").rule == "R-PART-5"
    ta.members.add("anna", "filiale", "xaver")  # two levels down, through lm
    ta.members.remove("anna", "filiale", "xaver")
    ta.members.remove("anna", "kunde-a", "karl")
    assert [m.user_id for m in ta.members.list("paula", "kunde-a")] == ["paula"]
    with pytest.raises(AccessDenied, match="overview_only"):  # a plain member of lm
        ta.members.add("piet", "kunde-a", "karl")
    with pytest.raises(AccessDenied, match="overview_only"):  # nothing else of its data
        ta.partners.set_properties("anna", "kunde-a", {})
    assert not ta.check("anna", "kunde-a", "switch_into")


def test_r_part_5_partner_admins_hand_out_no_more_than_they_hold(store, clock) -> None:
    """R-PART-5, R-MEM-9: an ancestor's admin gives below only roles their role in it holds."""
    policy = RolePolicy(
        {"owner": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT, "billing"},
         "admin": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT}, "member": set()}
    )  # fmt: skip
    ta = _staffed(store, clock, policy=policy)
    before = dump(store)
    with pytest.raises(AccessDenied, match="role_above_actor"):
        ta.members.add("anna", "kunde-a", "karl", role="owner")
    assert dump(store) == before
    ta.members.add("anna", "kunde-a", "karl", role="admin")
    with pytest.raises(AccessDenied, match="role_above_actor"):
        ta.members.change_role("anna", "kunde-a", "karl", "owner")


def test_r_part_5_moving_an_account_needs_its_current_parent(store, clock) -> None:
    """R-PART-5: an account admin who is no admin of its parent cannot move it to a rival."""
    ta = _staffed(store, clock)
    ta.companies.create("bert", "Rival", company_id="rival")
    ta.members.add("bert", "rival", "anna", role="admin")
    ta.members.add("paula", "kunde-a", "bert", role="admin")  # added by kunde-a itself
    before = dump(store)
    with pytest.raises(AccessDenied, match="not_a_member"):  # bert is nobody in lm
        ta.partners.move("bert", "kunde-a", "rival")
    with pytest.raises(AccessDenied, match="not_a_member"):
        ta.partners.move("bert", "kunde-a", None)
    assert dump(store) == before
    ta.partners.move("anna", "kunde-a", "rival")  # admin of lm (above) and of rival
    assert ta.partners.ancestors("kunde-a") == ["rival"]


def test_r_part_6_staff_memberships_end_with_the_partner_membership(store, clock) -> None:
    """R-PART-6: removed from the partner, anna loses what she got as its staff, at any depth."""
    ta = _staffed(store, clock)
    ta.partners.create_child("anna", "lm", "Acme Cust", company_id="acme-cust")
    ta.partners.create_child("anna", "acme-cust", "Acme Sub", company_id="acme-sub")
    ta.members.add("anna", "acme-cust", "karl")  # by acme-cust's own member: stays
    clock.advance(days=1)
    ta.members.add("anna", "acme-cust", "bert", role="admin")  # later, but an admin
    ta.seats.create_product(ADMIN, "course", "Course", tag="+course")
    pool = ta.seats.purchase("anna", "course", 2, "Group", company_id="acme-cust")
    ta.members.add("paula", "kunde-a", "anna")  # by kunde-a's own member: stays
    ta.partners.create_child("paula", "lm", "Kunde B", company_id="kunde-b")
    ta.members.add("paula", "lm", "xaver", role="admin")
    ta.members.leave("paula", "kunde-b")  # kunde-b is left to lm's admins
    ta.members.add("xaver", "kunde-b", "anna")  # by lm's admin xaver, from above
    origins = {m.company_id: m.origin for m in ta.members.of_user("anna")}
    assert origins == {"acme-cust": "lm", "acme-sub": "acme-cust", "kunde-a": None,
                       "kunde-b": "lm", "lm": None}  # fmt: skip
    mark = len(ta.outbox.pending(limit=1000))
    ta.members.remove("paula", "lm", "anna")
    assert [m.company_id for m in ta.members.of_user("anna")] == ["kunde-a"]
    events = [m.event for m in ta.outbox.pending(limit=1000)[mark:]]
    removed = {(e.company_id, e.user_id) for e in events if isinstance(e, MemberRemoved)}
    assert removed == {("lm", "anna"), ("acme-cust", "anna"), ("acme-sub", "anna"),
                       ("kunde-b", "anna")}  # fmt: skip
    handed = {(e.company_id, e.old_user_id, e.new_user_id) for e in events
              if isinstance(e, MainContactChanged)}  # fmt: skip
    # acme-cust keeps a main contact: its longest-standing admin, before karl, a
    # member who joined earlier (R-MC-1, R-MC-4);
    # acme-sub and kunde-b had nobody else: left with no members, in lm's hands.
    assert handed == {("acme-cust", "anna", "bert"), ("acme-sub", "anna", None),
                      ("kunde-b", "anna", None)}  # fmt: skip
    assert ta.members.main_contact("acme-cust").user_id == "bert"
    assert ta.seats.get(pool.id).leader_id == "bert"  # R-MEM-10 one level down
    assert ta.partners.account_overview("paula", "acme-sub").members == ()
    ta.members.add("paula", "acme-sub", "bert")  # the partner stays in control (R-PART-5)


def test_r_part_6_leaving_the_partner_ends_staff_memberships_too(store, clock) -> None:
    """R-PART-6: anna leaving lm herself ends her staff membership in the account she made."""
    ta = _staffed(store, clock)
    ta.partners.create_child("anna", "lm", "Acme Cust", company_id="acme-cust")
    ta.members.leave("anna", "lm")
    assert ta.members.of_user("anna") == []
    assert ta.members.main_contact("acme-cust") is None
    assert not ta.check("anna", "acme-cust", "view_overview")
    with pytest.raises(AccessDenied):
        ta.partners.move("anna", "acme-cust", None)


def test_r_part_6_a_merge_hands_the_staff_origin_to_the_target(store, clock) -> None:
    """R-PART-6: after lm merges into a new partner, leaving that partner still ends the staff memberships."""
    ta = _staffed(store, clock)
    ta.partners.create_child("anna", "lm", "Acme Cust", company_id="acme-cust")
    ta.companies.create("paula", "LM Neu", company_id="lm-neu")
    ta.lifecycle.merge(ADMIN, "lm", "lm-neu")
    assert [m.origin for m in ta.members.of_user("anna") if m.company_id == "acme-cust"] == [
        "lm-neu"
    ]
    ta.members.leave("anna", "lm-neu")
    assert ta.members.of_user("anna") == []
