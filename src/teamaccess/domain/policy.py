"""The access rules as one pure function: facts in, [Decision][teamaccess.Decision] out.

Every branch names the rule that decides it. Deny by default (R-ALL-1): a missing
company, a missing membership, an unknown role or an unknown action never allows.
"""

from __future__ import annotations

from datetime import datetime, timezone

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.gate import closed, company_gate, suspended
from teamaccess.domain.models import AddMembersBy, Company, Membership
from teamaccess.domain.roles import (
    MANAGE_TEAM,
    REASSIGN_MAIN_CONTACT,
    Policy,
    granting_role,
    held,
    policy_for,
)
from teamaccess.domain.windows import (
    Window,
    at_instant,
    in_window,
    membership_window_denial,
    sight_denial,
)

__all__ = ["decide", "decide_grant", "not_a_member", "suspended"]

_MEMBER_ACTIONS = {Action.OPEN_BACKOFFICE.value, Action.VIEW_MEMBERS.value}
_ACCOUNT_ACTIONS = {Action.SWITCH_INTO.value, Action.VIEW_OVERVIEW.value}
_MANAGER_ACTIONS = {
    Action.CREATE_CHILD_ACCOUNT.value: "R-PART-1",
    Action.EDIT_ACCOUNT.value: "R-PART-4",
}
_VIEW_OVERVIEW = Action.VIEW_OVERVIEW.value
_UNKNOWN_COMPANY = Decision.deny(Reason.UNKNOWN_COMPANY, "R-ALL-1")
_MEMBER_OK = Decision.allow(Reason.IS_MEMBER, "R-MEM-6")
_ACCOUNT_OK = Decision.allow(Reason.IS_MEMBER, "R-PART-2")
_EDIT_PROFILE_OK = Decision.allow(Reason.IS_MAIN_CONTACT, "R-MC-2")
_ADD_MEMBER_OK = Decision.allow(Reason.ANY_MEMBER_MAY_ADD, "R-MEM-3")
_ANCESTOR_OK = Decision.allow(Reason.ANCESTOR_MEMBER, "R-PART-2")
_SELF_OR_MANAGER = {
    Action.REMOVE_MEMBER.value: "R-MEM-7",
    Action.SET_SHOW_AS_CONTACT.value: "R-MEM-5",
}
# What an admin of an ancestor may do in a descendant: manage its team, nothing else
# of its data (R-PART-5), each with the permission it needs in the ancestor.
_ANCESTOR_TEAM = {
    Action.ADD_MEMBER.value: MANAGE_TEAM,
    Action.REMOVE_MEMBER.value: MANAGE_TEAM,
    Action.MANAGE_TEAM.value: MANAGE_TEAM,
    Action.SET_SHOW_AS_CONTACT.value: MANAGE_TEAM,
    Action.TRANSFER_MAIN_CONTACT.value: REASSIGN_MAIN_CONTACT,
}


def decide(
    action: str,
    *,
    company: Company | None,
    actor: Membership | None,
    policy: Policy,
    target: Membership | None = None,
    ancestor_member: Membership | None = None,
    ancestor: Company | None = None,
    company_id: str | None = None,
    now: datetime | None = None,
    sight: Window | None = None,
) -> Decision:
    """Decide whether ``actor`` may do ``action`` in ``company``.

    An outsider (no membership in the company or an ancestor) gets the same denial,
    ``not_a_member``, whether the company exists, is open or is suspended (R-ALL-9);
    only a closed company says so to everyone (R-CO-3).

    Args:
        action: An [Action][teamaccess.Action] value or a host permission name (R-MEM-8).
        company: The acting company, or ``None`` if it does not exist.
        actor: The actor's membership in it, or ``None`` if they are not a member.
        policy: The role policy.
        target: The membership the action is aimed at, for actions on a member.
        ancestor_member: The actor's membership in the nearest ancestor of the company,
            if they are not a member of it: such a user sees its overview (R-PART-2),
            and an admin of the ancestor manages its team (R-PART-5).
        ancestor: The company of ``ancestor_member``: its state passes the company
            gate like the company's own, so a closed or suspended ancestor gives no
            sight of, nor authority over, its descendants (R-CO-8). Missing, it denies.
        company_id: The id asked about: with it, a missing company is denied as a
            company of which the actor is not a member (R-ALL-9); without it,
            ``unknown_company``.
        now: The instant to decide at (the service's clock): a membership outside its
            window denies with ``expired`` or ``not_yet_valid`` (unless sight from an
            ancestor allows: pass ``ancestor_member`` too for a windowed member), a
            temporary role that ended counts as the role after it (R-TIME-1). Only read
            when a membership has a window; ``None`` then means the system's UTC time.
        sight: The window of the sight ``ancestor_member`` has of the company: the
            intersection of the windows of every link between the ancestor and the
            company (`sight_path`). Outside it that sight denies with ``expired`` or
            ``not_yet_valid`` and the date (R-TIME-1); ``None``: no window.
    """
    # Action is a str enum: its members equal (and hash like) their values, so the
    # lookups below work for either. The common answers are shared constants: a
    # check is on the hot path of every request.
    if company is None:
        return _UNKNOWN_COMPANY if company_id is None else not_a_member(action, company_id)
    if company.closed_at is not None:
        return closed(company)
    insider = actor is not None and actor.company_id == company.id
    if company.suspended_at is not None and (insider or ancestor_member is not None):
        return suspended(company, insider=insider)  # the reason only for its members
    expired = None
    if insider and actor is not None and _timed(actor):
        when = now or datetime.now(timezone.utc)
        expired = membership_window_denial(actor, when)
        if expired is None:
            actor = at_instant(actor, when)
        else:  # no member now (R-TIME-1); sight from an ancestor may still hold (R-PART-2)
            actor, insider = None, False
    if actor is None or not insider:
        if ancestor_member is not None and _timed(ancestor_member):
            when = now or datetime.now(timezone.utc)
            # An ancestor membership outside its window gives no sight: an outsider then
            # learns nothing of the account, not even that it exists (R-TIME-1, R-ALL-9).
            ancestor_member = (
                at_instant(ancestor_member, when) if in_window(ancestor_member, when) else None
            )
        if ancestor_member is not None:
            ended = None
            if sight is not None and not sight.unbounded:  # every link's window (R-TIME-1)
                when = now or datetime.now(timezone.utc)
                ended = sight_denial(sight, company.id, ancestor_member.company_id, when)
            through = (  # a Decision is falsy when it denies: no ``or`` here
                ended
                if ended is not None
                else _through_ancestor(action, company, ancestor_member, ancestor, policy, target)
            )
            if expired is None or through.allowed:
                return through
        return expired if expired is not None else not_a_member(action, company.id)
    if company.roles:  # the company's own roles count beside the built-in ones (R-ROLE-1)
        policy = policy_for(policy, company)
    if actor.role not in policy.roles:  # RolePolicy keeps its roles as a tuple
        return Decision.deny(Reason.UNKNOWN_ROLE, "R-ALL-1", f"role {actor.role!r}")
    if action in _MEMBER_ACTIONS:
        return _MEMBER_OK
    if action in _ACCOUNT_ACTIONS:
        return _ACCOUNT_OK
    permissions = held(policy, actor)  # the union of the member's roles (R-ROLE-3)
    return _by_roles(_decide_member(action, company, actor, permissions, target), policy, actor)


def _decide_member(
    action: str,
    company: Company,
    actor: Membership,
    permissions: frozenset[str],
    target: Membership | None,
) -> Decision:
    """What a member of the company, holding ``permissions``, may do in it."""
    if action in _MANAGER_ACTIONS:
        return _by_permission(permissions, MANAGE_TEAM, _MANAGER_ACTIONS[action])
    if action == Action.EDIT_PROFILE.value:
        if actor.is_main_contact:
            return _EDIT_PROFILE_OK
        return Decision.deny(
            Reason.NOT_MAIN_CONTACT, "R-MC-2", "only the main contact may edit the profile"
        )
    if action == Action.ADD_MEMBER.value:
        if company.settings.add_members_by is AddMembersBy.ANY_MEMBER:
            return _ADD_MEMBER_OK
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
    return _by_permission(permissions, str(getattr(action, "value", action)), "R-MEM-8")


def _through_ancestor(
    action: str,
    company: Company,
    above: Membership,
    ancestor: Company | None,
    policy: Policy,
    target: Membership | None,
) -> Decision:
    """What a member of an ancestor (not of the company) may do in it (R-PART-2, R-PART-5).

    The ancestor passes the company gate first (R-CO-8); its suspension reason is for
    its own members' eyes and is never repeated here (R-ALL-9).
    """
    blocked = company_gate(ancestor, insider=False)
    if blocked is None and ancestor is not None and ancestor.id != above.company_id:
        blocked = _UNKNOWN_COMPANY  # a company that is not the membership's
    if blocked is not None:
        detail = f"through ancestor {above.company_id!r}: {blocked.detail or blocked.reason}"
        return Decision.deny(blocked.reason, "R-CO-8", detail)
    if action == _VIEW_OVERVIEW:
        return _ANCESTOR_OK
    needed = _ANCESTOR_TEAM.get(action)
    policy = policy_for(policy, ancestor)  # the roles it defined count there (R-ROLE-1)
    if needed is not None and above.role in policy.roles and needed in held(policy, above):
        if action in _SELF_OR_MANAGER and target is None:
            return Decision.deny(Reason.TARGET_REQUIRED, "R-PART-5", "name the member it is about")
        return Decision.allow(
            Reason.ROLE_PERMITS, "R-PART-5", f"{needed} in ancestor {above.company_id!r}"
        )
    where = f"member of ancestor {above.company_id!r}, not of {company.id!r}"
    return Decision.deny(Reason.OVERVIEW_ONLY, "R-PART-2", where)


def _timed(m: Membership) -> bool:
    return m.starts_at is not None or m.expires_at is not None or m.role_until is not None


def decide_grant(
    actor: Membership | None,
    role: str,
    *,
    policy: Policy,
    default_role: str,
    now: datetime | None = None,
    company: Company | None = None,
    actor_company: Company | None = None,
) -> Decision:
    """May ``actor`` hand out ``role`` (add, invite, accept, change a role)? (R-MEM-9).

    Nobody hands out more than they hold: every permission of ``role`` must be one of
    the actor's (the union over their roles, R-ROLE-3), and any role other than
    ``default_role`` (the plain member role) needs ``manage_team``. So a plain member
    who may add colleagues (R-MEM-3) adds them as plain members only.

    Args:
        actor: The granting member's membership now, or ``None`` if they are not one.
        role: The role handed out.
        policy: The role policy.
        default_role: The company's plain member role.
        now: The instant to judge the actor's membership and role at (R-TIME-1).
        company: The company the role is handed out in: its own roles count
            (R-ROLE-1); ``None``: the built-in roles only.
        actor_company: The company of the actor's membership, if it is not
            ``company`` (an ancestor's admin, R-PART-5): the actor's roles are read there.
    """
    if actor is None:
        return Decision.deny(Reason.NOT_A_MEMBER, "R-MEM-9", "the granting user is not a member")
    if _timed(actor):
        when = now or datetime.now(timezone.utc)
        expired = membership_window_denial(actor, when)
        if expired is not None:
            return Decision.deny(expired.reason, "R-MEM-9", expired.detail)
        actor = at_instant(actor, when)
    given = policy_for(policy, company)
    holder = given if actor_company is None else policy_for(policy, actor_company)
    mine = held(holder, actor) if actor.role in holder.roles else frozenset()
    if role != default_role and MANAGE_TEAM not in mine:
        return Decision.deny(
            Reason.ROLE_ABOVE_ACTOR,
            "R-MEM-9",
            f"giving role {role!r} needs {MANAGE_TEAM!r}, which role {actor.role!r} lacks",
        )
    missing = sorted(given.permissions(role) - mine)
    if missing:
        return Decision.deny(
            Reason.ROLE_ABOVE_ACTOR,
            "R-MEM-9",
            f"role {role!r} grants {', '.join(map(repr, missing))}, "
            f"which role {actor.role!r} lacks",
        )
    return Decision.allow(Reason.ROLE_PERMITS, "R-MEM-9", f"may give role {role!r}")


def _by_roles(decision: Decision, policy: Policy, actor: Membership) -> Decision:
    """Name the role that granted the permission of an allowing decision (R-ROLE-3)."""
    if not decision.allowed or decision.reason != Reason.ROLE_PERMITS:
        return decision
    role = actor.role if not actor.extra_roles else granting_role(policy, actor, decision.detail)
    return _named(decision, role)


_NAMED: dict[tuple[Decision, str | None], Decision] = {}  # shared: the hot path allocates none


def _named(decision: Decision, role: str | None) -> Decision:
    found = _NAMED.get((decision, role))
    if found is None:
        if len(_NAMED) >= 10_000:
            _NAMED.clear()
        detail = decision.detail if role is None else f"{decision.detail} by role {role!r}"
        found = Decision.allow(decision.reason, decision.rule, detail)
        _NAMED[(decision, role)] = found
    return found


def _by_permission(permissions: frozenset[str], permission: str, rule: str) -> Decision:
    if permission in permissions:
        return Decision.allow(Reason.ROLE_PERMITS, rule, permission)
    return Decision.deny(Reason.NOT_PERMITTED, rule, f"role lacks {permission!r}")


_NOT_A_MEMBER: dict[tuple[str, str], Decision] = {}  # the denial per rule and company


def not_a_member(action: str, company_id: str) -> Decision:
    """The denial of ``action`` to a non-member of ``company_id`` (R-MEM-6, R-PART-2, R-MEM-1).

    It is also what a caller without sight of a company learns of one that does not
    exist: the same answer either way (R-ALL-9).
    """
    rule = (
        "R-MEM-6"
        if action in _MEMBER_ACTIONS
        else "R-PART-2"
        if action in _ACCOUNT_ACTIONS
        else "R-MEM-1"
    )
    decision = _NOT_A_MEMBER.get((rule, company_id))
    if decision is None:
        if len(_NOT_A_MEMBER) >= 100_000:
            _NOT_A_MEMBER.clear()
        decision = Decision.deny(Reason.NOT_A_MEMBER, rule, f"not a member of {company_id!r}")
        _NOT_A_MEMBER[(rule, company_id)] = decision
    return decision
