"""The access rules as one pure function: facts in, :class:`Decision` out.

Every branch names the rule that decides it. Deny by default (R-ALL-1): a missing
company, a missing membership, an unknown role or an unknown action never allows.
"""

from __future__ import annotations

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.models import AddMembersBy, Company, Membership
from teamaccess.domain.roles import MANAGE_TEAM, REASSIGN_MAIN_CONTACT, Policy

__all__ = ["decide"]

_MEMBER_ACTIONS = {Action.OPEN_BACKOFFICE.value, Action.VIEW_MEMBERS.value}
_ACCOUNT_ACTIONS = {Action.SWITCH_INTO.value, Action.VIEW_OVERVIEW.value}
_MANAGER_ACTIONS = {
    Action.CREATE_CHILD_ACCOUNT.value: "R-PART-1",
    Action.EDIT_ACCOUNT.value: "R-PART-4",
}
_SELF_OR_MANAGER = {
    Action.REMOVE_MEMBER.value: "R-MEM-7",
    Action.SET_SHOW_AS_CONTACT.value: "R-MEM-5",
}


def decide(
    action: str,
    *,
    company: Company | None,
    actor: Membership | None,
    policy: Policy,
    target: Membership | None = None,
    ancestor_member: Membership | None = None,
) -> Decision:
    """Decide whether ``actor`` may do ``action`` in ``company``.

    Args:
        action: An :class:`Action` value or a host permission name (R-MEM-8).
        company: The acting company, or ``None`` if it does not exist.
        actor: The actor's membership in it, or ``None`` if they are not a member.
        policy: The role policy.
        target: The membership the action is aimed at, for actions on a member.
        ancestor_member: The actor's membership in an ancestor of the company, if
            they are not a member of it: such a user sees its overview only (R-PART-2).
    """
    action = action.value if isinstance(action, Action) else action
    if company is None:
        return Decision.deny(Reason.UNKNOWN_COMPANY, "R-ALL-1")
    if company.closed_at is not None:
        into = f"; merged into {company.merged_into!r}" if company.merged_into else ""
        return Decision.deny(Reason.COMPANY_CLOSED, "R-CO-3", f"{company.id!r} is closed{into}")
    if (actor is None or actor.company_id != company.id) and ancestor_member is not None:
        where = f"member of ancestor {ancestor_member.company_id!r}, not of {company.id!r}"
        if action == Action.VIEW_OVERVIEW.value:
            return Decision.allow(Reason.ANCESTOR_MEMBER, "R-PART-2", where)
        return Decision.deny(Reason.OVERVIEW_ONLY, "R-PART-2", where)
    if actor is None or actor.company_id != company.id:
        rule = (
            "R-MEM-6"
            if action in _MEMBER_ACTIONS
            else "R-PART-2"
            if action in _ACCOUNT_ACTIONS
            else "R-MEM-1"
        )
        return Decision.deny(Reason.NOT_A_MEMBER, rule, f"not a member of {company.id!r}")
    if actor.role not in policy.roles:
        return Decision.deny(Reason.UNKNOWN_ROLE, "R-ALL-1", f"role {actor.role!r}")
    permissions = policy.permissions(actor.role)

    if action in _MEMBER_ACTIONS:
        return Decision.allow(Reason.IS_MEMBER, "R-MEM-6")
    if action in _ACCOUNT_ACTIONS:
        return Decision.allow(Reason.IS_MEMBER, "R-PART-2")
    if action in _MANAGER_ACTIONS:
        return _by_permission(permissions, MANAGE_TEAM, _MANAGER_ACTIONS[action])
    if action == Action.EDIT_PROFILE.value:
        if actor.is_main_contact:
            return Decision.allow(Reason.IS_MAIN_CONTACT, "R-MC-2")
        return Decision.deny(
            Reason.NOT_MAIN_CONTACT, "R-MC-2", "only the main contact may edit the profile"
        )
    if action == Action.ADD_MEMBER.value:
        if company.settings.add_members_by is AddMembersBy.ANY_MEMBER:
            return Decision.allow(Reason.ANY_MEMBER_MAY_ADD, "R-MEM-3")
        return _by_permission(permissions, MANAGE_TEAM, "R-MEM-3")
    if action in _SELF_OR_MANAGER:
        rule = _SELF_OR_MANAGER[action]
        if target is None:
            return Decision.deny(Reason.TARGET_REQUIRED, rule, "name the member it is about")
        if target.user_id == actor.user_id:
            return Decision.allow(Reason.IS_SELF, rule)
        return _by_permission(permissions, MANAGE_TEAM, rule)
    if action == Action.TRANSFER_MAIN_CONTACT.value:
        if actor.is_main_contact:
            return Decision.allow(Reason.IS_MAIN_CONTACT, "R-MC-3")
        if REASSIGN_MAIN_CONTACT in permissions:
            return Decision.allow(Reason.ROLE_PERMITS, "R-MC-3", REASSIGN_MAIN_CONTACT)
        return Decision.deny(
            Reason.NOT_MAIN_CONTACT, "R-MC-3", "only the main contact may hand the role on"
        )
    if action == Action.INVITE.value:
        return _by_permission(permissions, MANAGE_TEAM, "R-INV-1")
    return _by_permission(permissions, action, "R-MEM-8")


def _by_permission(permissions: frozenset[str], permission: str, rule: str) -> Decision:
    if permission in permissions:
        return Decision.allow(Reason.ROLE_PERMITS, rule, permission)
    return Decision.deny(Reason.NOT_PERMITTED, rule, f"role lacks {permission!r}")
