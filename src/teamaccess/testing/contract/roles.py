"""A company's own roles and several roles per member, R-ROLE-1..3, on every adapter.

The host's policy has ``admin`` (manage_team, billing, export, reports), ``manager``
(manage_team, reports) and ``member`` (nothing). Companies define roles of their own
from that permission list, within their plan (R-ROLE-1); nobody writes into a role
what they lack (R-ROLE-2); members hold several roles, whose permissions add up, and
a role in use is deleted only by moving its holders (R-ROLE-3).
"""

from __future__ import annotations

import pytest

from teamaccess import MANAGE_TEAM, Action, RolePolicy, Store, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    InvalidInput,
    NotAMember,
    RoleExists,
    RoleInUse,
    RoleLimitExceeded,
    UnknownPermission,
    UnknownRole,
)
from teamaccess.events import (
    CompanyRoleChanged,
    CompanyRoleDefined,
    CompanyRoleDeleted,
    MemberRoleAdded,
    MemberRoleRemoved,
    RoleChanged,
)
from teamaccess.testing import FrozenClock, dump, make_service
from teamaccess.values import CompanyRole, RoleLimits, RolePlan

POLICY = RolePolicy(
    {
        "admin": {MANAGE_TEAM, "billing", "export", "reports"},
        "manager": {MANAGE_TEAM, "reports"},
        "member": set(),
    }
)
LIMITS = RoleLimits(
    permissions={MANAGE_TEAM, "billing", "export", "reports"},
    max_roles=3,
    plans={"basic": RolePlan(1, permissions={"reports"}), "free": RolePlan(0)},
)


def _service(store: Store, **options: object) -> TeamAccess:
    """ACME: anna (admin, main contact), mia (manager), ben (member), and outsider olga."""
    ta = make_service(
        store, policy=POLICY, clock=FrozenClock(), role_limits=LIMITS, platform_admins=["root"],
        **options,
    )  # fmt: skip
    for user in ("anna", "mia", "ben", "cara", "olga", "root"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "mia", role="manager")
    ta.members.add("anna", "acme", "ben")
    ta.companies.create("olga", "Other", company_id="other")
    return ta


def _events(ta: TeamAccess, kind: type) -> list:
    return [m.event for m in ta.outbox.pending(limit=1000) if isinstance(m.event, kind)]


def _unchanged(store: Store, call, error: type[Exception]) -> Exception:
    before = dump(store)
    with pytest.raises(error) as raised:
        call()
    assert dump(store) == before
    return raised.value


# -- R-ROLE-1 ---------------------------------------------------------------------------


def test_r_role_1_admin_defines_a_role_that_counts_in_the_company_only(store: Store) -> None:
    """R-ROLE-1: a role anna defines for ACME gives its holders its permissions there, with its event; in another company the name means nothing; the built-in roles stay."""
    ta = _service(store)
    role = ta.roles.define("anna", "acme", "accountant", permissions=["billing"], label="Accounts")
    assert role == CompanyRole("accountant", "Accounts", frozenset({"billing"}))
    assert not ta.check("ben", "acme", "billing")
    ta.members.change_role("anna", "acme", "ben", "accountant")
    allowed = ta.check("ben", "acme", "billing")
    assert allowed.allowed
    assert "accountant" in allowed.detail
    assert not ta.check("ben", "acme", "export")
    names = [r.name for r in ta.roles.list("ben", "acme")]
    assert names == ["admin", "manager", "member", "accountant"]
    assert [r.name for r in ta.roles.list("olga", "other")] == ["admin", "manager", "member"]
    _unchanged(
        store, lambda: ta.members.add("olga", "other", "cara", role="accountant"), UnknownRole
    )
    (event,) = _events(ta, CompanyRoleDefined)
    assert (event.actor_id, event.company_id, event.role) == ("anna", "acme", "accountant")
    assert event.permissions == ("billing",)


def test_r_role_1_names_permissions_and_plan_limits_are_enforced(store: Store) -> None:
    """R-ROLE-1, R-ALL-6: a taken or malformed name, a permission off the host's list, a plan's cap and a plan's permission set each refuse with their own error and change nothing."""
    ta = _service(store)
    for name, error in (("admin", RoleExists), ("Bad Name", InvalidInput), ("", InvalidInput)):
        _unchanged(store, lambda n=name: ta.roles.define("anna", "acme", n, permissions=[]), error)
    _unchanged(
        store,
        lambda: ta.roles.define("anna", "acme", "x", permissions=["root"]),
        UnknownPermission,
    )
    _unchanged(
        store, lambda: ta.roles.define("anna", "acme", "x", permissions="billing"), InvalidInput
    )
    for n in range(3):
        ta.roles.define("anna", "acme", f"r{n}", permissions=[])
    _unchanged(
        store, lambda: ta.roles.define("anna", "acme", "r3", permissions=[]), RoleLimitExceeded
    )
    _unchanged(store, lambda: ta.roles.define("anna", "acme", "r0", permissions=[]), RoleExists)
    ta.companies.create("anna", "Basic", company_id="basic")
    ta.partners.set_pricing_model("root", "basic", "basic")
    _unchanged(
        store,
        lambda: ta.roles.define("anna", "basic", "b", permissions=["billing"]),
        RoleLimitExceeded,
    )
    ta.roles.define("anna", "basic", "b", permissions=["reports"])
    _unchanged(
        store, lambda: ta.roles.define("anna", "basic", "c", permissions=[]), RoleLimitExceeded
    )
    ta.companies.create("anna", "Free", company_id="free")
    ta.partners.set_pricing_model("root", "free", "free")
    _unchanged(
        store, lambda: ta.roles.define("anna", "free", "f", permissions=[]), RoleLimitExceeded
    )


def test_r_role_1_only_team_managers_define_and_outsiders_learn_nothing(store: Store) -> None:
    """R-ROLE-1, R-ALL-9: a plain member may not define roles; an outsider gets the same not_a_member for an existing and a missing company, and may not list its roles."""
    ta = _service(store)
    _unchanged(store, lambda: ta.roles.define("ben", "acme", "x", permissions=[]), AccessDenied)
    existing = _unchanged(
        store, lambda: ta.roles.define("olga", "acme", "x", permissions=[]), NotAMember
    )
    missing = _unchanged(
        store, lambda: ta.roles.define("olga", "nowhere", "x", permissions=[]), NotAMember
    )
    assert str(existing).replace("acme", "?") == str(missing).replace("nowhere", "?")
    with pytest.raises(NotAMember):
        ta.roles.list("olga", "acme")
    with pytest.raises(NotAMember):
        ta.roles.list("olga", "nowhere")


# -- R-ROLE-2 ---------------------------------------------------------------------------


def test_r_role_2_nobody_defines_or_widens_a_role_beyond_what_they_hold(store: Store) -> None:
    """R-ROLE-2: mia (manager: manage_team, reports) may define a role with reports, not one with billing; nor widen a role to billing; nor change or delete a role that holds billing."""
    ta = _service(store)
    ta.roles.define("mia", "acme", "reader", permissions=["reports"])
    _unchanged(
        store,
        lambda: ta.roles.define("mia", "acme", "payer", permissions=["billing"]),
        AccessDenied,
    )
    _unchanged(
        store,
        lambda: ta.roles.change("mia", "acme", "reader", permissions=["reports", "billing"]),
        AccessDenied,
    )
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    _unchanged(  # not even narrowing or renaming what holds more than mia
        store, lambda: ta.roles.change("mia", "acme", "payer", permissions=[]), AccessDenied
    )
    _unchanged(store, lambda: ta.roles.change("mia", "acme", "payer", label="P"), AccessDenied)
    _unchanged(store, lambda: ta.roles.delete("mia", "acme", "payer"), AccessDenied)
    denied = _unchanged(
        store,
        lambda: ta.roles.define("mia", "acme", "x", permissions=["billing", "export"]),
        AccessDenied,
    )
    assert denied.decision.rule == "R-ROLE-2"
    assert "'billing', 'export'" in denied.decision.detail


def test_r_role_2_a_changed_role_is_handed_out_only_by_who_holds_it_now(store: Store) -> None:
    """R-ROLE-2, R-MEM-9: after anna widens 'reader' to billing, mia may no longer hand it out, and an invitation mia sent with it can no longer be accepted; its holders hold billing at once."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "reader", permissions=["reports"])
    ta.members.add_role("mia", "acme", "ben", "reader")
    issued = ta.invitations.send("mia", "acme", "cara@example.com", role="reader")
    changed = ta.roles.change("anna", "acme", "reader", permissions=["reports", "billing"])
    assert changed.permissions == {"reports", "billing"}
    assert ta.check("ben", "acme", "billing").allowed
    _unchanged(store, lambda: ta.members.add("mia", "acme", "cara", role="reader"), AccessDenied)
    _unchanged(store, lambda: ta.invitations.accept("cara", issued.token), AccessDenied)
    (event,) = _events(ta, CompanyRoleChanged)
    assert (event.old_permissions, event.permissions) == (("reports",), ("billing", "reports"))


def test_r_role_2_rename_changes_the_label_only(store: Store) -> None:
    """R-ROLE-2: renaming changes the label; holders, decisions and the key stay; an unchanged value emits nothing."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "reader", permissions=["reports"])
    ta.members.change_role("anna", "acme", "ben", "reader")
    ta.roles.change("anna", "acme", "reader", label="Report readers")
    ta.roles.change("anna", "acme", "reader", label="Report readers")
    assert [r.label for r in ta.roles.list("ben", "acme")][-1] == "Report readers"
    assert ta.check("ben", "acme", "reports").allowed
    assert len(_events(ta, CompanyRoleChanged)) == 1
    _unchanged(store, lambda: ta.roles.change("anna", "acme", "nope", label="x"), UnknownRole)
    _unchanged(store, lambda: ta.roles.change("anna", "acme", "admin", label="x"), UnknownRole)


# -- R-ROLE-3 ---------------------------------------------------------------------------


def test_r_role_3_several_roles_add_up(store: Store) -> None:
    """R-ROLE-3: ben with member, 'payer' (billing) and 'reader' (reports) may do both, and each decision names the role that gave it; removing one takes away only its permissions."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    ta.roles.define("anna", "acme", "reader", permissions=["reports"])
    ta.members.add_role("anna", "acme", "ben", "payer")
    held = ta.members.add_role("anna", "acme", "ben", "reader")
    assert held.roles == ("member", "payer", "reader")
    assert ta.members.add_role("anna", "acme", "ben", "reader") == held  # nothing changes
    billing, reports = ta.check("ben", "acme", "billing"), ta.check("ben", "acme", "reports")
    assert billing.allowed
    assert "'payer'" in billing.detail
    assert reports.allowed
    assert "'reader'" in reports.detail
    assert not ta.check("ben", "acme", "export")
    ta.members.remove_role("anna", "acme", "ben", "payer")
    assert not ta.check("ben", "acme", "billing")
    assert ta.check("ben", "acme", "reports").allowed
    added = _events(ta, MemberRoleAdded)
    assert [(e.user_id, e.role) for e in added] == [("ben", "payer"), ("ben", "reader")]
    assert [e.role for e in _events(ta, MemberRoleRemoved)] == ["payer"]
    (ben,) = [m for m in ta.members.list("anna", "acme") if m.user_id == "ben"]
    assert ben.roles == ("member", "reader")


def test_r_role_3_several_roles_count_for_managing_the_team(store: Store) -> None:
    """R-ROLE-3, R-MEM-9: manage_team from one role and billing from another together let ben hand out a role with billing; either alone does not."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    ta.roles.define("anna", "acme", "teamlead", permissions=[MANAGE_TEAM])
    ta.members.add_role("anna", "acme", "ben", "teamlead")
    ta.members.add("anna", "acme", "cara")
    _unchanged(store, lambda: ta.members.add_role("ben", "acme", "cara", "payer"), AccessDenied)
    ta.members.add_role("anna", "acme", "ben", "payer")
    assert ta.members.add_role("ben", "acme", "cara", "payer").roles == ("member", "payer")
    assert ta.check("ben", "acme", Action.MANAGE_TEAM).allowed
    who = ta.access.who_may("anna", "acme", "billing")
    assert [h.user_id for h in who.items] == ["anna", "ben", "cara"]
    assert "'payer'" in who.items[1].decision.detail


def test_r_role_3_removing_a_role_is_guarded_and_keeps_one(store: Store) -> None:
    """R-ROLE-3, R-MEM-9: nobody takes away a role they could not give; a member's only role is not removed; removing the first role makes the next the role."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    ta.members.add_role("anna", "acme", "ben", "payer")
    _unchanged(store, lambda: ta.members.remove_role("mia", "acme", "ben", "payer"), AccessDenied)
    _unchanged(store, lambda: ta.members.remove_role("ben", "acme", "ben", "payer"), AccessDenied)
    _unchanged(
        store, lambda: ta.members.remove_role("anna", "acme", "mia", "manager"), InvalidInput
    )
    after = ta.members.remove_role("anna", "acme", "ben", "member")
    assert (after.role, after.extra_roles) == ("payer", frozenset())
    assert ta.members.remove_role("anna", "acme", "ben", "member") == after  # held no more


def test_r_role_3_a_role_in_use_is_refused_or_moved_in_one_command(store: Store) -> None:
    """R-ROLE-3: deleting a held role is refused; with move_to every holder (as role, further role or role after a temporary one) gets the named role in the same command, each with its event."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    ta.members.change_role("anna", "acme", "ben", "payer")
    ta.members.add("anna", "acme", "cara")
    ta.members.add_role("anna", "acme", "cara", "payer")
    _unchanged(store, lambda: ta.roles.delete("anna", "acme", "payer"), RoleInUse)
    _unchanged(store, lambda: ta.roles.delete("anna", "acme", "payer", move_to="nope"), UnknownRole)
    _unchanged(
        store, lambda: ta.roles.delete("anna", "acme", "payer", move_to="payer"), UnknownRole
    )
    ta.roles.delete("anna", "acme", "payer", move_to="manager")
    roles = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
    assert roles["ben"] == ("manager",)
    assert roles["cara"] == ("member", "manager")
    assert "payer" not in [r.name for r in ta.roles.list("anna", "acme")]
    assert not ta.check("ben", "acme", "billing")
    assert ta.check("ben", "acme", "reports")
    (deleted,) = _events(ta, CompanyRoleDeleted)
    assert (deleted.role, deleted.moved_to) == ("payer", "manager")
    moved = [(e.user_id, e.new_role) for e in _events(ta, RoleChanged)]
    assert ("ben", "manager") in moved
    assert ("cara", "manager") in [(e.user_id, e.role) for e in _events(ta, MemberRoleAdded)]


def test_r_role_3_a_role_handed_out_by_an_invitation_is_not_deleted(store: Store) -> None:
    """R-ROLE-3: a role a pending invitation hands out is refused even with move_to; after the invitation is withdrawn an unused role is deleted with its event."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "payer", permissions=["billing"])
    issued = ta.invitations.send("anna", "acme", "cara@example.com", role="payer")
    _unchanged(store, lambda: ta.roles.delete("anna", "acme", "payer", move_to="member"), RoleInUse)
    ta.invitations.revoke("anna", "acme", issued.invitation.id)
    ta.roles.delete("anna", "acme", "payer")
    (deleted,) = _events(ta, CompanyRoleDeleted)
    assert deleted.moved_to is None


def test_r_role_3_a_role_defined_in_a_partner_counts_for_its_admins_below(
    store: Store,
) -> None:
    """R-ROLE-3, R-PART-5: a partner's own role with manage_team lets its holder manage the team of a child account; the child's own roles are judged there."""
    ta = _service(store)
    ta.roles.define("anna", "acme", "teamlead", permissions=[MANAGE_TEAM])
    ta.members.add_role("anna", "acme", "ben", "teamlead")
    ta.partners.create_child("anna", "acme", "Kunde", company_id="kunde")
    assert ta.check("ben", "kunde", Action.MANAGE_TEAM).allowed
    ta.roles.define("anna", "kunde", "viewer", permissions=[])
    ta.members.add("ben", "kunde", "cara", role="viewer")
    assert ta.members.list("anna", "kunde")[-1].roles == ("viewer",)
