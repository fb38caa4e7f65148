"""A company's own roles: define, change, delete, list: ``ta.roles`` (R-ROLE-1..3).

The built-in roles are the host's policy; on top of them each company's admins may
define roles of the company's own, from the host's permission list and within the
company's plan (`RoleLimits`). Nobody writes into a role a permission they lack, nor
takes one out of it (R-ROLE-2). A role in use is deleted only by moving its holders
to another role in the same command (R-ROLE-3). Every change is one command with
its event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.domain.company_roles import (
    RoleLimits,
    check_label,
    check_permissions,
    check_plan,
    check_role_name,
    decide_definition,
)
from teamaccess.domain.decisions import Action
from teamaccess.domain.events import Event, RoleChanged, Stamp, stamp
from teamaccess.domain.grant_events import RoleWindowChanged
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.models import Company, CompanyRole, InvitationStatus, Membership
from teamaccess.domain.role_events import (
    CompanyRoleChanged,
    CompanyRoleDefined,
    CompanyRoleDeleted,
    MemberRoleAdded,
    MemberRoleRemoved,
)
from teamaccess.domain.roles import policy_for
from teamaccess.domain.windows import at_instant
from teamaccess.errors import RoleExists, RoleInUse, UnknownRole
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore, raise_if_denied
from teamaccess.service._sight import sighted

__all__ = ["Roles"]


class Roles:
    """A company's own roles: ``ta.roles`` (R-ROLE-1, R-ROLE-2, R-ROLE-3)."""

    def __init__(self, core: ServiceCore, limits: RoleLimits) -> None:
        self._core = core
        self._limits = limits

    def define(
        self,
        actor_id: str,
        company_id: str,
        name: str,
        *,
        permissions: Sequence[str] | frozenset[str],
        label: str | None = None,
    ) -> CompanyRole:
        """Define a role of the company's own (R-ROLE-1, R-ROLE-2).

        Args:
            actor_id: A member with ``manage_team`` who holds every permission given.
            company_id: The company.
            name: The role's key: a lower-case letter, then up to 63 of
                ``a-z 0-9 _ . -``; it never changes.
            permissions: What it grants: names from the host's permission list.
            label: The name shown to people; ``name`` if omitted.

        Raises:
            RoleExists: A role of that name counts in the company (built in or its own).
            UnknownPermission: A permission is not on the host's list.
            RoleLimitExceeded: The plan allows no more roles, or not a permission.
            AccessDenied: The actor lacks ``manage_team`` or a permission (R-ROLE-2).
        """
        check_id(actor_id, "user")
        check_role_name(name)
        shown = check_label(name if label is None else label)
        wanted = check_permissions(permissions, self._known())

        def work(tx: Transaction, now: datetime) -> CompanyRole:
            company = self._definer(tx, company_id, actor_id, wanted, None, now)
            if name in policy_for(self._core.policy, company).roles:
                raise RoleExists(f"a role {name!r} counts in company {company.id!r} already")
            check_plan(self._limits.plan(company), company, wanted, new=True)
            role = CompanyRole(name, shown, wanted)
            tx.companies.update(attrs.evolve(company, roles={**company.roles, name: role}))
            tx.outbox.append(
                CompanyRoleDefined(
                    **stamp(now, UserId(actor_id), company.id),
                    role=name,
                    label=shown,
                    permissions=tuple(sorted(wanted)),
                )
            )
            return role

        return self._core.command(work)

    def change(
        self,
        actor_id: str,
        company_id: str,
        name: str,
        *,
        permissions: Sequence[str] | frozenset[str] | None = None,
        label: str | None = None,
    ) -> CompanyRole:
        """Rename a company's own role (its label) or give it other permissions (R-ROLE-2).

        The actor must hold every permission the role holds before and after; its
        holders hold the new permissions at once. Unchanged values change nothing.

        Raises:
            UnknownRole: The company has no role of its own of that name.
            UnknownPermission, RoleLimitExceeded, AccessDenied: As for `define`.
        """
        check_id(actor_id, "user")
        check_id(name, "role")
        shown = None if label is None else check_label(label)
        wanted = None if permissions is None else check_permissions(permissions, self._known())

        def work(tx: Transaction, now: datetime) -> CompanyRole:
            company = self._definer(tx, company_id, actor_id, wanted or frozenset(), name, now)
            old = company.roles[name]
            role = CompanyRole(
                name, old.label if shown is None else shown,
                old.permissions if wanted is None else wanted,
            )  # fmt: skip
            if role == old:
                return old
            check_plan(self._limits.plan(company), company, role.permissions, new=False)
            tx.companies.update(attrs.evolve(company, roles={**company.roles, name: role}))
            tx.outbox.append(
                CompanyRoleChanged(
                    **stamp(now, UserId(actor_id), company.id),
                    role=name,
                    label=role.label,
                    permissions=tuple(sorted(role.permissions)),
                    old_label=old.label,
                    old_permissions=tuple(sorted(old.permissions)),
                )
            )
            return role

        return self._core.command(work)

    def delete(
        self, actor_id: str, company_id: str, name: str, *, move_to: str | None = None
    ) -> None:
        """Delete a company's own role; with ``move_to``, move its holders first (R-ROLE-3).

        A role someone holds (as their role, a further role or the role after a
        temporary one) is refused unless ``move_to`` names a role that counts in the
        company and that the actor may hand out (R-MEM-9); then each holder gets it in
        the same command, each with its event. A role that a pending invitation or a
        domain's join mode hands out is refused either way: withdraw or change those first.

        Raises:
            UnknownRole: The company has no role of its own of that name, or ``move_to``
                does not count in it.
            RoleInUse: Someone holds it and no ``move_to`` was named, or an invitation
                or domain hands it out.
            AccessDenied: The actor lacks ``manage_team`` or a permission of the role
                (R-ROLE-2), or may not hand out ``move_to`` (R-MEM-9).
        """
        check_id(actor_id, "user")
        check_id(name, "role")
        target = None if move_to is None else self._core.known_role(move_to, required=True)

        def work(tx: Transaction, now: datetime) -> None:
            company = self._definer(tx, company_id, actor_id, frozenset(), name, now)
            counting = policy_for(self._core.policy, company).roles
            if target is not None and (target == name or target not in counting):
                raise UnknownRole(target, tuple(r for r in counting if r != name))
            _refuse_handed_out(tx, company, name, now)
            holders = [m for m in tx.memberships.of_company(company.id) if _holds(m, name)]
            if holders and target is None:
                raise RoleInUse(
                    f"role {name!r} of company {company.id!r} is held by {len(holders)} "
                    "member(s); name a role to move them to"
                )
            common = stamp(now, UserId(actor_id), company.id)
            if holders and target is not None:
                self._core.require_grant(tx, company, actor_id, target, from_ancestor=True)
                for m in holders:
                    _move(tx, common, m, name, target)
            roles = {k: v for k, v in company.roles.items() if k != name}
            tx.companies.update(attrs.evolve(company, roles=roles))
            moved = target if holders else None
            tx.outbox.append(CompanyRoleDeleted(**common, role=name, moved_to=moved))

        self._core.command(work)

    def list(self, actor_id: str, company_id: str) -> tuple[CompanyRole, ...]:
        """The roles that count in the company: the built-in ones, then its own by name.

        For whoever may see its members (R-CO-6); a built-in role's label is its name.

        Raises:
            NotAMember: Without sight of the company, whether it exists or not (R-ALL-9).
        """
        company, _ = self._core.member_of(company_id, actor_id, "R-MEM-6")
        policy = self._core.policy
        built_in = tuple(CompanyRole(r, r, policy.permissions(r)) for r in policy.roles)
        return built_in + tuple(company.roles[n] for n in sorted(company.roles))

    # -- helpers ------------------------------------------------------------------------

    def _known(self) -> frozenset[str]:
        return self._limits.known(self._core.policy)

    def _definer(
        self,
        tx: Transaction,
        company_id: str,
        actor_id: str,
        permissions: frozenset[str],
        name: str | None,
        now: datetime,
    ) -> Company:
        """The locked company, if the actor may define, change or delete ``name`` there."""
        core = self._core
        sighted(core, tx, company_id, actor_id, Action.MANAGE_TEAM, lock=True)
        company = core.company(tx, company_id)
        raise_if_denied(core.decide(tx, Action.MANAGE_TEAM, company, actor_id))
        role = None
        if name is not None:
            role = company.roles.get(name)
            if role is None:
                raise UnknownRole(name, tuple(sorted(company.roles)))
        mine = tx.memberships.get(company.id, UserId(actor_id))
        where: Company | None = company
        if mine is None:  # an admin of an ancestor (R-PART-5): judged on their role there
            mine = core.ancestor_membership(tx, company.id, UserId(actor_id))
            where = None if mine is None else tx.companies.get(mine.company_id)
        if mine is not None:
            mine = at_instant(mine, now)
        raise_if_denied(decide_definition(mine, policy_for(core.policy, where), permissions, role))
        return company


def _holds(m: Membership, name: str) -> bool:
    return m.role == name or name in m.extra_roles or m.role_after == name


def _refuse_handed_out(tx: Transaction, company: Company, name: str, now: datetime) -> None:
    """Raise `RoleInUse` if a pending invitation or a domain's join mode hands ``name`` out."""
    for invitation in tx.invitations.of_company(company.id):
        if invitation.role == name and invitation.status is InvitationStatus.PENDING:
            raise RoleInUse(
                f"invitation {invitation.id!r} hands out role {name!r}; withdraw it first"
            )
    for claim in tx.domains.of_company(company.id):
        if claim.default_role == name:
            raise RoleInUse(
                f"domain {claim.domain!r} hands out role {name!r}; change its mode first"
            )


def _move(tx: Transaction, common: Stamp, m: Membership, name: str, to: str) -> None:
    """Give member ``m`` the role ``to`` wherever they hold ``name``, each with its event."""
    extra = set(m.extra_roles)
    role, after = m.role, m.role_after
    events: list[Event] = []
    if name in extra:
        extra.discard(name)
        events.append(MemberRoleRemoved(**common, user_id=m.user_id, role=name))
        if to != role and to not in extra:
            extra.add(to)
            events.append(MemberRoleAdded(**common, user_id=m.user_id, role=to))
    if role == name:
        role = to
        extra.discard(to)
        events.append(RoleChanged(**common, user_id=m.user_id, old_role=name, new_role=to))
    if after == name:
        after = to
        events.append(
            RoleWindowChanged(
                **common, user_id=m.user_id, role=role, role_until=m.role_until,
                role_after=to, old_role_until=m.role_until,
            )
        )  # fmt: skip
    tx.memberships.update(attrs.evolve(m, role=role, role_after=after, extra_roles=extra))
    for event in events:
        tx.outbox.append(event)
