"""Members of a company, their roles and the main contact: ``ta.members``.

Every command names the acting user and the acting company (R-MEM-1), runs in one
transaction and emits its events to the outbox in it (R-ALL-3, R-ALL-4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.domain.consistency import Consistency
from teamaccess.domain.decisions import Action
from teamaccess.domain.events import (
    ContactVisibilityChanged,
    Event,
    MainContactChanged,
    RoleChanged,
    stamp,
)
from teamaccess.domain.grant_events import RoleWindowChanged
from teamaccess.domain.ids import (
    CompanyId,
    UserId,
    check_id,
)
from teamaccess.domain.inputs import (
    check_bool,
)
from teamaccess.domain.lead_events import HandlerChanged
from teamaccess.domain.models import (
    Company,
    Membership,
)
from teamaccess.domain.policy import decide_grant
from teamaccess.domain.role_events import MemberRoleAdded, MemberRoleRemoved
from teamaccess.domain.windows import at_instant, check_window, decide_window_grant
from teamaccess.errors import (
    AlreadyAMember,
    InvalidInput,
    MainContactRequired,
    NotEligible,
)
from teamaccess.ports import Transaction
from teamaccess.service._authority import end_membership, join
from teamaccess.service._core import ServiceCore, raise_if_denied
from teamaccess.service._erasure import live_user
from teamaccess.service._sight import sighted

__all__ = ["Members"]


def _without(m: Membership, role: str) -> Membership:
    """``m`` without ``role``, or raise if it is their only or their temporary role."""
    rest = m.extra_roles - {role}
    if role != m.role:
        return attrs.evolve(m, extra_roles=rest)
    if not rest:
        raise InvalidInput(
            f"role {role!r} is the only role of {m.user_id!r}: change it with change_role"
        )
    if m.role_until is not None:
        raise InvalidInput(f"role {role!r} of {m.user_id!r} is temporary: it ends by itself")
    first, *others = sorted(rest)
    return attrs.evolve(m, role=first, extra_roles=frozenset(others))


class Members:
    """Members of a company, roles and the main contact: ``ta.members``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def add(
        self,
        actor_id: str,
        company_id: str,
        user_id: str,
        *,
        role: str | None = None,
        exist_ok: bool = False,
        starts_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> Membership:
        """Add a registered user to the company (R-MEM-2, R-MEM-3, R-MEM-4).

        Args:
            actor_id: The member who adds.
            company_id: The acting company.
            user_id: The user to add.
            role: Their role; the service's ``member_role`` if omitted.
            exist_ok: Return the existing membership instead of raising
                [AlreadyAMember][teamaccess.errors.AlreadyAMember].
            starts_at: When the membership starts to count (aware); at once if omitted.
            expires_at: When it ends (aware): from then on the check denies with
                ``expired`` and the sweep ends it (R-TIME-1, R-TIME-2). It may not
                outlast the adder's own membership (R-TIME-4).

        Raises:
            NotAMember: The actor is not a member (R-MEM-1).
            AccessDenied: Only team managers may add members here (R-MEM-3).
            NotEligible: The host's eligibility predicate refused (R-MEM-4).
            AlreadyAMember: The user is already a member (R-MEM-2).
            MainContactRequired: A window on a company's first member, who becomes its
                main contact (R-MC-4).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")
        role = self._core.known_role(role)
        check_bool(exist_ok, "exist_ok")
        window = check_window(starts_at, expires_at)

        def work(tx: Transaction, now: datetime) -> Membership:
            sighted(self._core, tx, company_id, actor_id, Action.ADD_MEMBER, lock=True)
            company = self._core.company(tx, company_id)
            origin = self._require_team(
                tx, Action.ADD_MEMBER, company, actor_id, role, expires_at=window.expires_at
            )
            candidate = live_user(tx, user_id)  # an erased person joins nothing (R-CO-9)
            if origin is not None and tx.memberships.get(origin, candidate.id) is None:
                origin = None  # not the partner's staff: a customer the partner added
            existing = tx.memberships.get(company.id, candidate.id)
            if existing is not None:
                if exist_ok:
                    return existing
                raise AlreadyAMember(company.id, candidate.id)
            if self._core.eligibility is not None:
                verdict = self._core.eligibility(
                    actor=self._core.user(tx, actor_id), candidate=candidate, company=company
                )
                if not verdict:
                    raise NotEligible(verdict)
            return join(
                tx, now, company, candidate, role,
                actor_id=UserId(actor_id), origin=origin, window=window,
            )  # fmt: skip

        return self._core.command(work)

    def remove(self, actor_id: str, company_id: str, user_id: str) -> None:
        """Remove a member, ending their access at once; their history stays (R-MEM-7).

        A member may always remove themselves (leave). The main contact can leave only
        as the last member, or after handing the role on (R-MC-4). An admin of an
        ancestor may remove members of a descendant (R-PART-5). What the person held
        below as this company's staff ends with it (R-PART-6).

        Raises:
            MembershipNotFound: ``user_id`` is not a member.
            MainContactRequired: ``user_id`` is the main contact and others remain.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> None:
            sighted(self._core, tx, company_id, actor_id, Action.REMOVE_MEMBER, lock=True)
            company = self._core.company(tx, company_id)
            target = self._core.membership(tx, company.id, user_id)
            self._core.require(tx, Action.REMOVE_MEMBER, company, actor_id, target)
            if target.is_main_contact and tx.memberships.count(company.id) > 1:
                raise MainContactRequired(
                    f"user {user_id!r} is the main contact of {company.id!r}; "
                    "transfer the role before removing them (R-MC-4)"
                )
            removed = tx.users.get(target.user_id)
            email = "" if removed is None else removed.email
            end_membership(tx, now, UserId(actor_id), target, email, policy=self._core.policy)

        self._core.command(work)

    def leave(self, actor_id: str, company_id: str) -> None:
        """Remove yourself from the company; same rules as `remove_member`."""
        self.remove(actor_id, company_id, actor_id)

    def change_role(
        self,
        actor_id: str,
        company_id: str,
        user_id: str,
        role: str,
        *,
        until: datetime | None = None,
        then: str | None = None,
    ) -> Membership:
        """Give a member another role; needs ``manage_team`` (R-MEM-8).

        Nobody gives a role with permissions they do not hold themselves (R-MEM-9);
        an admin of an ancestor is judged on their role there (R-PART-5).

        Args:
            actor_id: The member who changes it.
            company_id: The acting company.
            user_id: The member.
            role: The new role.
            until: Make it temporary: from this instant on (aware) the member holds
                ``then`` instead, at once for every decision and in the store once the
                sweep ran (R-TIME-1, R-TIME-2). It may not outlast the actor's own
                membership or temporary role (R-TIME-4).
            then: The role after ``until``; the member's current role if omitted. The
                actor must be allowed to give it too (R-MEM-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")
        role = self._core.known_role(role, required=True)
        ends = check_window(None, until).expires_at
        after = None if then is None else self._core.known_role(then, required=True)
        if ends is None and then is not None:
            raise InvalidInput("then needs until: the role after a temporary one")

        def work(tx: Transaction, now: datetime) -> Membership:
            sighted(self._core, tx, company_id, actor_id, Action.MANAGE_TEAM, lock=True)
            company = self._core.company(tx, company_id)
            target = self._core.membership(tx, company.id, user_id)
            self._require_team(
                tx, Action.MANAGE_TEAM, company, actor_id, role, target,
                expires_at=ends, by_role=True, allow_open=role == self._core.member_role,
            )  # fmt: skip
            successor = None
            if ends is not None:
                successor = after or at_instant(target, now).role
                self._require_team(tx, Action.MANAGE_TEAM, company, actor_id, successor, target)
            updated = attrs.evolve(
                target, role=role, role_until=ends, role_after=successor,
                extra_roles=target.extra_roles - {role},  # held once, as its role (R-ROLE-3)
            )  # fmt: skip
            if updated == target:
                return target
            tx.memberships.update(updated)
            common = stamp(now, UserId(actor_id), company.id)
            if role != target.role:
                tx.outbox.append(
                    RoleChanged(
                        **common, user_id=target.user_id, old_role=target.role, new_role=role
                    )
                )
            if (ends, successor) != (target.role_until, target.role_after):
                tx.outbox.append(
                    RoleWindowChanged(
                        **common, user_id=target.user_id, role=role, role_until=ends,
                        role_after=successor, old_role_until=target.role_until,
                    )
                )  # fmt: skip
            return updated

        return self._core.command(work)

    def add_role(self, actor_id: str, company_id: str, user_id: str, role: str) -> Membership:
        """Give a member a further role beside the ones they hold (R-ROLE-3).

        What they may do is then the union of their roles. Needs ``manage_team`` and
        the right to hand out ``role`` (R-MEM-9); holding it already changes nothing.

        Raises:
            UnknownRole: ``role`` counts neither as built in nor as the company's own.
            AccessDenied: The actor lacks ``manage_team`` or a permission of ``role``.
        """
        return self._roles(actor_id, company_id, user_id, role, add=True)

    def remove_role(self, actor_id: str, company_id: str, user_id: str, role: str) -> Membership:
        """Take one of a member's roles away; they keep at least one (R-ROLE-3).

        Needs ``manage_team`` and the right to hand out ``role`` (R-MEM-9): nobody
        takes away what they could not give. Taking away their first role makes the
        next (by name) their role. Not holding it changes nothing.

        Raises:
            InvalidInput: It is their only role (change it with `change_role`), or their
                temporary role (R-TIME-1), which ends by itself or by `change_role`.
            AccessDenied: The actor lacks ``manage_team`` or a permission of ``role``.
        """
        return self._roles(actor_id, company_id, user_id, role, add=False)

    def _roles(
        self, actor_id: str, company_id: str, user_id: str, role: str, *, add: bool
    ) -> Membership:
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")
        role = self._core.known_role(role, required=True)

        def work(tx: Transaction, now: datetime) -> Membership:
            sighted(self._core, tx, company_id, actor_id, Action.MANAGE_TEAM, lock=True)
            company = self._core.company(tx, company_id)
            target = self._core.membership(tx, company.id, user_id)
            self._require_team(
                tx, Action.MANAGE_TEAM, company, actor_id, role, target, allow_open=True
            )
            if add == (role in target.roles):
                return target
            common = stamp(now, UserId(actor_id), company.id)
            if add:
                updated = attrs.evolve(target, extra_roles=target.extra_roles | {role})
                event: Event = MemberRoleAdded(**common, user_id=target.user_id, role=role)
            else:
                updated = _without(target, role)
                event = MemberRoleRemoved(**common, user_id=target.user_id, role=role)
            tx.memberships.update(updated)
            tx.outbox.append(event)
            return updated

        return self._core.command(work)

    def _require_team(
        self,
        tx: Transaction,
        action: Action,
        company: Company,
        actor_id: str,
        role: str,
        target: Membership | None = None,
        *,
        expires_at: datetime | None = None,
        by_role: bool = False,
        allow_open: bool = False,
    ) -> CompanyId | None:
        """Raise unless the actor may do ``action`` handing out ``role`` (R-MEM-9, R-PART-5).

        What is handed out ends at ``expires_at`` (``None``: never); it may not outlast
        the granting membership, nor with ``by_role`` the granting temporary role
        (R-TIME-4); ``allow_open`` skips that bound (a grant without an end of its own).

        Returns the ancestor whose admin the actor acts as (the new membership's
        ``origin`` if the person added is that ancestor's staff too, R-PART-6), or
        ``None`` when they act as a member of the company.
        """
        decision = self._core.decide(tx, action, company, actor_id, target)
        raise_if_denied(decision)
        self._core.company_role(company, role)
        granting = tx.memberships.get(company.id, UserId(actor_id))
        origin = above = None
        if granting is None and decision.rule == "R-PART-5":
            granting = self._core.ancestor_membership(tx, company.id, UserId(actor_id))
            origin = None if granting is None else granting.company_id
            above = None if origin is None else tx.companies.get(origin)
        policy, default = self._core.policy, self._core.member_role
        now = self._core.clock()
        raise_if_denied(
            decide_grant(
                granting,
                role,
                policy=policy,
                default_role=default,
                now=now,
                company=company,
                actor_company=above,
            )
        )
        if granting is not None and not allow_open:
            by_role = by_role or role != default
            raise_if_denied(decide_window_grant(granting, expires_at, by_role=by_role, now=now))
        return origin

    def transfer_main_contact(self, actor_id: str, company_id: str, to_user_id: str) -> Membership:
        """Hand the main-contact role to another member (R-MC-3).

        The main contact may always; a member whose role grants
        ``reassign_main_contact`` may too. The old main contact stays a member.

        Raises:
            MembershipNotFound: The new main contact is not a member.
            AccessDenied: The actor is neither main contact nor allowed to reassign.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(to_user_id, "user")

        def work(tx: Transaction, now: datetime) -> Membership:
            sighted(self._core, tx, company_id, actor_id, Action.TRANSFER_MAIN_CONTACT, lock=True)
            company = self._core.company(tx, company_id)
            target = self._core.membership(tx, company.id, to_user_id)
            self._core.require(tx, Action.TRANSFER_MAIN_CONTACT, company, actor_id, target)
            if target.is_main_contact:
                return target
            if target.starts_at is not None or target.expires_at is not None:
                raise MainContactRequired(
                    f"the membership of {target.user_id!r} has a window; a main contact's "
                    "cannot start later or expire: clear it first (R-MC-4)"
                )
            current = next(m for m in tx.memberships.of_company(company.id) if m.is_main_contact)
            tx.memberships.update(attrs.evolve(current, is_main_contact=False))
            updated = attrs.evolve(target, is_main_contact=True)
            tx.memberships.update(updated)
            tx.outbox.append(
                MainContactChanged(
                    occurred_at=now,
                    actor_id=UserId(actor_id),
                    company_id=company.id,
                    old_user_id=current.user_id,
                    new_user_id=target.user_id,
                )
            )
            return updated

        return self._core.command(work)

    def set_show_as_contact(
        self, actor_id: str, company_id: str, user_id: str, show: bool
    ) -> Membership:
        """Set a member's "show as contact" flag (R-MEM-5).

        Members may change their own; team managers anyone's.
        """
        if not isinstance(show, bool):
            raise InvalidInput(f"show must be True or False, got {show!r}")
        self._require_sight(actor_id, company_id, Action.SET_SHOW_AS_CONTACT)
        return self._core.change_member(
            actor_id, company_id, user_id, Action.SET_SHOW_AS_CONTACT, {"show_as_contact": show},
            lambda common, old: ContactVisibilityChanged(
                **common, user_id=old.user_id, show_as_contact=show
            ),
        )  # fmt: skip

    def list(
        self, actor_id: str, company_id: str, *, consistency: Consistency | None = None
    ) -> Sequence[Membership]:
        """The company's members with roles, for its members only (R-MEM-6).

        ``consistency``: where it may read (R-ALL-12), as for ``ta.check``.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.reads(consistency).reader() as tx:
            sighted(self._core, tx, company_id, actor_id, Action.VIEW_MEMBERS)
            company = self._core.company(tx, company_id, closed_ok=True)
            self._core.require(tx, Action.VIEW_MEMBERS, company, actor_id)
            return tx.memberships.of_company(company.id)

    def public_contacts(self, company_id: str) -> Sequence[Membership]:
        """Members listed on the public profile: those with "show as contact" on (R-MEM-5)."""
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._core.company(tx, company_id, closed_ok=True)
            return [
                m
                for m in tx.memberships.of_company(company.id)
                if m.show_as_contact and self._core.counts(m)  # R-TIME-1
            ]

    def of_user(self, user_id: str) -> Sequence[Membership]:
        """Every membership of a user, one per company (R-MEM-1)."""
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return tx.memberships.of_user(UserId(user_id))

    def main_contact(self, company_id: str) -> Membership | None:
        """The company's main contact, or ``None`` if it has no members (R-MC-1, R-MC-4)."""
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._core.company(tx, company_id, closed_ok=True)
            return next(
                (m for m in tx.memberships.of_company(company.id) if m.is_main_contact), None
            )

    def set_handler(
        self, actor_id: str, company_id: str, user_id: str, is_handler: bool
    ) -> Membership:
        """Name a member a responsible handler, or stop; needs ``manage_team`` (R-LEAD-5)."""
        if not isinstance(is_handler, bool):
            raise InvalidInput(f"is_handler must be True or False, got {is_handler!r}")
        self._require_sight(actor_id, company_id, Action.MANAGE_TEAM)
        return self._core.change_member(
            actor_id, company_id, user_id, Action.MANAGE_TEAM, {"is_handler": is_handler},
            lambda common, old: HandlerChanged(
                **common, user_id=old.user_id, is_handler=is_handler
            ),
        )  # fmt: skip

    def _require_sight(self, actor_id: str, company_id: str, action: Action) -> None:
        """Answer an outsider as for a missing company, before any member is looked up."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            sighted(self._core, tx, company_id, actor_id, action)
