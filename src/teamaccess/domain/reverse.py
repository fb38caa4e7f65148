"""Reverse questions, answered by the same rules as the check (issue 19).

"Who may do ACTION in COMPANY?" is not a second policy: `admission` asks
[decide][teamaccess.domain.policy.decide] once per role of the policy, as a plain
member and as the main contact, and once as a member of an ancestor. What it learns
(which roles qualify, which only as main contact, whether ancestors' members do) is
what a store filters its members by, so a page is one select; the answer on every row
is then decided again for the real membership, so the rows carry the reason and rule
the check itself gives.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs

from teamaccess.domain.company_filter import CompanyFilter
from teamaccess.domain.decisions import Decision
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import AddMembersBy, Company, CompanySettings, Membership
from teamaccess.domain.policy import decide
from teamaccess.domain.roles import (
    MANAGE_TEAM,
    REASSIGN_MAIN_CONTACT,
    Policy,
    RolePolicy,
    policy_for,
)
from teamaccess.domain.support import SupportGrant, SupportStatus, decide_support

__all__ = [
    "Admission",
    "Expansion",
    "Holder",
    "Step",
    "admission",
    "company_filter",
    "expand_steps",
    "reaches_below",
]

_PROBE = UserId("\x00probe")  # no real id holds a control character (R-ALL-7)
_OTHER = UserId("\x00other")
_ANCESTOR = CompanyId("\x00ancestor")


@attrs.frozen
class Admission:
    """Which memberships an action admits in one company.

    Attributes:
        roles: Roles whose members may, main contact or not.
        main_contact_roles: Roles whose member may only as the main contact.
        ancestors: Whether members of an ancestor (who are not members) may, by some
            role (R-PART-2, R-PART-5); each such row is decided again for its own role
            and its own ancestor's state.
        ancestor_roles: The roles of the nearest ancestor membership that may
            (R-PART-5: an ancestor's admins), or ``None`` for any role (the overview).
    """

    roles: frozenset[str] = frozenset()
    main_contact_roles: frozenset[str] = frozenset()
    ancestors: bool = False
    ancestor_roles: frozenset[str] | None = None

    @property
    def nobody(self) -> bool:
        """Whether no membership at all is admitted."""
        return not (self.roles or self.main_contact_roles or self.ancestors)


def admission(
    action: str, company: Company | None, policy: Policy, *, targeted: bool = False
) -> Admission:
    """What ``decide`` admits for ``action`` in ``company``, learnt by asking it.

    With ``targeted``, the action is asked about another member (remove a colleague,
    set their contact flag); the member it is aimed at is the caller's to add, since
    it may act on itself (R-MEM-5, R-MEM-7).
    """
    if company is None:
        return Admission()
    when = company.created_at
    own = policy_for(policy, company)  # its own roles count in it too (R-ROLE-1)

    def allows(role: str, main: bool) -> bool:
        actor = Membership(company.id, _PROBE, role, when, is_main_contact=main)
        target = Membership(company.id, _OTHER, role, when) if targeted else None
        return decide(action, company=company, actor=actor, policy=policy, target=target).allowed

    roles = frozenset(r for r in own.roles if allows(r, False) and allows(r, True))
    main_only = frozenset(r for r in own.roles if r not in roles and allows(r, True))
    # An open ancestor: each row's own ancestor is gated when the row is decided.
    ancestor = Company(_ANCESTOR, "ancestor", when)
    target = Membership(company.id, _OTHER, "", when) if targeted else None

    def from_above(role: str) -> bool:
        return decide(
            action, company=company, actor=None, policy=policy, target=target,
            ancestor_member=Membership(_ANCESTOR, _PROBE, role, when), ancestor=ancestor,
        ).allowed  # fmt: skip

    above = frozenset(r for r in policy.roles if from_above(r))
    anyone = from_above("\x00any")  # a role no policy knows: the role does not matter
    return Admission(roles, main_only, bool(above) or anyone, None if anyone else above)


def reaches_below(action: str, policy: Policy) -> bool:
    """Whether members of a company may do ``action`` in open accounts below it (R-PART-2)."""
    probe = Company(CompanyId("\x00probe"), "probe", datetime.fromtimestamp(0, timezone.utc))
    return admission(action, probe, policy).ancestors


@attrs.frozen
class Holder:
    """One person who may do something, and why: a row of a reverse query.

    Attributes:
        user_id: The person.
        company_id: The company they may act in (or act for, to see a lead or record).
        via: The company whose membership grants it: ``company_id`` itself, or an
            ancestor for a partner's overview (R-PART-2).
        role: Their role in ``via`` at the instant asked about (a temporary role that
            ended counts as the role after it, R-TIME-1).
        decision: The allowing decision, with its reason and rule, as the check gives it.
        starts_at: When the membership of ``via`` began to count, if it has a start (R-TIME-3).
        expires_at: When that membership ends, if it does (R-TIME-3).
        role_until: When ``role`` ends, if it is temporary (R-TIME-3).
    """

    user_id: UserId
    company_id: CompanyId
    via: CompanyId
    role: str
    decision: Decision
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    role_until: datetime | None = None


@attrs.frozen
class Step:
    """One link in the path behind a decision (see ``ta.access.expand``).

    Attributes:
        kind: ``company``, ``membership``, ``ancestor``, ``role``, ``target`` or ``rule``.
        subject: What the link is about (a company id, ``user@company``, a role, a rule ID).
        detail: What holds of it.
    """

    kind: str
    subject: str
    detail: str


@attrs.frozen
class Expansion:
    """A decision with the path of grants and facts behind it (Zanzibar's Expand).

    Attributes:
        decision: The decision, exactly as the check gives it.
        steps: The company, the membership (or the ancestor's), the role and its
            permissions, the member aimed at, and the deciding rule, in that order.
    """

    decision: Decision
    steps: tuple[Step, ...]


def expand_steps(
    decision: Decision,
    *,
    user_id: str,
    company: Company | None,
    company_id: str,
    actor: Membership | None,
    ancestor_member: Membership | None,
    ancestors: tuple[CompanyId, ...],
    policy: Policy,
    target: Membership | None,
    insider: bool = True,
) -> tuple[Step, ...]:
    """The grants and facts a decision rests on, company first, rule last.

    ``insider``: whether the asker is a member of the company (or a platform admin);
    only they read a suspension reason (R-ALL-9).
    """
    steps = [_company_step(company, company_id, insider=insider)]
    if company is not None:
        if actor is not None:
            main = ", main contact" if actor.is_main_contact else ""
            roles = ", ".join(actor.roles)
            label = "roles" if actor.extra_roles else "role"
            steps.append(Step("membership", f"{user_id}@{company.id}", f"{label} {roles}{main}"))
            own = policy_for(policy, company)
            steps.extend(_role_step(role, own) for role in actor.roles)
        elif ancestor_member is not None:
            where = ancestor_member.company_id
            chain = " > ".join([*reversed(ancestors[: ancestors.index(where) + 1]), company.id])
            steps.append(Step("membership", f"{user_id}@{where}", f"role {ancestor_member.role}"))
            steps.append(Step("ancestor", where, f"above {company.id}: {chain}"))
        else:
            steps.append(Step("membership", f"{user_id}@{company.id}", "none"))
        if target is not None:
            steps.append(Step("target", f"{target.user_id}@{company.id}", f"role {target.role}"))
    steps.append(Step("rule", decision.rule, str(decision)))
    return tuple(steps)


def _company_step(company: Company | None, company_id: str, *, insider: bool) -> Step:
    if company is None:
        return Step("company", company_id, "unknown")
    if company.closed_at is not None:
        into = f", merged into {company.merged_into}" if company.merged_into else ""
        return Step("company", company.id, f"closed{into}")
    if company.suspended_at is not None:
        why = f": {company.suspension_reason}" if insider and company.suspension_reason else ""
        return Step("company", company.id, f"suspended{why}")
    return Step("company", company.id, "open")


def _role_step(role: str, policy: Policy) -> Step:
    if role not in policy.roles:
        return Step("role", role, "unknown to the policy")
    granted = sorted(policy.permissions(role))
    return Step("role", role, "grants " + (", ".join(granted) if granted else "nothing"))


_EPOCH = datetime.fromtimestamp(0, timezone.utc)
_NOBODY = "\x00nobody"  # a probe role that grants nothing


def company_filter(
    action: str, policy: Policy, *, user_id: UserId, now: datetime, staff: bool = False
) -> CompanyFilter:
    """The companies in which ``decide`` allows ``user_id`` to do ``action``, learnt by asking it.

    Like `admission`, a store's filter is not a second policy: each field of the
    [CompanyFilter][teamaccess.domain.company_filter.CompanyFilter] is what ``decide``
    answers for a probe membership (a role granting nothing, as main contact or not,
    in a company whose members may or may not add members; a role granting exactly
    one permission; the same as a member of an open ancestor), and what
    `decide_support` answers for a probe grant naming the action. The permissions
    probed are the action itself and every permission the policy's roles grant (a
    company's own roles hold only those of the host's list, R-ROLE-1). The action is
    asked about without a member aimed at (as ``check`` without ``target_user_id``).

    Args:
        action: The action.
        policy: The role policy.
        user_id: The user whose companies are wanted.
        now: The instant to judge every window at (R-TIME-1).
        staff: Whether the user is platform staff (support grants count, R-SUP-1).
    """
    probes = frozenset(
        {action, MANAGE_TEAM, REASSIGN_MAIN_CONTACT}
        | {p for role in policy.roles for p in policy.permissions(role)}
    )
    company = Company(CompanyId("\x00probe"), "probe", _EPOCH)
    managers = attrs.evolve(
        company, settings=CompanySettings(add_members_by=AddMembersBy.TEAM_MANAGERS)
    )
    anyone = attrs.evolve(company, settings=CompanySettings(add_members_by=AddMembersBy.ANY_MEMBER))

    def member(permission: str | None, *, main: bool = False, where: Company = managers) -> bool:
        grants = RolePolicy({_NOBODY: frozenset() if permission is None else {permission}})
        actor = Membership(where.id, _PROBE, _NOBODY, _EPOCH, is_main_contact=main)
        return decide(action, company=where, actor=actor, policy=grants).allowed

    def above(permission: str | None) -> bool:
        grants = RolePolicy({_NOBODY: frozenset() if permission is None else {permission}})
        ancestor = Company(_ANCESTOR, "ancestor", _EPOCH)
        return decide(
            action, company=managers, actor=None, policy=grants,
            ancestor_member=Membership(_ANCESTOR, _PROBE, _NOBODY, _EPOCH), ancestor=ancestor,
        ).allowed  # fmt: skip

    def granting(permissions: frozenset[str]) -> frozenset[str]:
        return frozenset(r for r in policy.roles if policy.permissions(r) & permissions)

    member_any = member(None)
    member_permissions = frozenset() if member_any else frozenset(p for p in probes if member(p))
    ancestor_any = above(None)
    ancestor_permissions = frozenset() if ancestor_any else frozenset(p for p in probes if above(p))
    grant = SupportGrant(
        "\x00probe", company.id, _PROBE, "probe", (action,), _EPOCH, timedelta(days=1),
        SupportStatus.APPROVED, starts_at=_EPOCH, expires_at=_EPOCH + timedelta(days=1),
    )  # fmt: skip
    supported = decide_support([grant], action, company, _EPOCH)
    return CompanyFilter(
        user_id=user_id,
        action=action,
        now=now,
        built_in=frozenset(policy.roles),
        member_any=member_any,
        member_main_contact=not member_any and member(None, main=True),
        member_by_setting=not member_any and member(None, where=anyone),
        member_permissions=member_permissions,
        member_roles=granting(member_permissions),
        ancestor_any=ancestor_any,
        ancestor_permissions=ancestor_permissions,
        ancestor_roles=granting(ancestor_permissions),
        support=staff and supported is not None and supported.allowed,
    )
