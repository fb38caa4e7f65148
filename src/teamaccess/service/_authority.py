"""A membership beginning, and what follows when it begins or ends (R-INV-5, R-MEM-10).

Both run inside the command that adds or removes the member, so the consequences
commit with it or not at all (R-ALL-3), each with its event (R-ALL-4). A membership
received as a partner's staff ends with the partner membership it came from, one level
down after another (R-PART-6).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.domain_events import JoinRequestWithdrawn
from teamaccess.domain.domains import JoinRequestState
from teamaccess.domain.events import (
    InvitationWithdrawn,
    MainContactChanged,
    MemberAdded,
    MemberRemoved,
    PoolLeaderChanged,
    stamp,
)
from teamaccess.domain.grant_events import MembershipExpired
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.lead_events import LeadAssigned, RequestAssigned
from teamaccess.domain.models import Company, InvitationStatus, Membership, User
from teamaccess.domain.roles import MANAGE_TEAM, Policy, policy_for
from teamaccess.domain.roles import held as held_by
from teamaccess.domain.windows import Window
from teamaccess.errors import MainContactRequired
from teamaccess.ports import Transaction

__all__ = [
    "end_authority",
    "end_membership",
    "end_staff_memberships",
    "join",
    "successor",
    "withdraw_invitation",
    "withdraw_join_request",
]


def join(
    tx: Transaction,
    now: datetime,
    company: Company,
    user: User,
    role: str,
    *,
    actor_id: UserId,
    via: InvitationId | None = None,
    origin: CompanyId | None = None,
    window: Window | None = None,
) -> Membership:
    """Add a membership; the first member of a company becomes main contact (R-MC-1).

    A pending invitation of the user's address to the company, and a pending join
    request of theirs, are withdrawn: they joined by this way (R-INV-5, R-DOM-3).
    ``origin`` is the ancestor whose admin added them (R-PART-5); the membership then
    ends when they leave it (R-PART-6). ``window`` bounds it in time (R-TIME-1); the
    main contact's membership has none (R-MC-4).

    Raises:
        MainContactRequired: A window on the first member, who becomes main contact.
    """
    first = tx.memberships.count(company.id) == 0
    window = window or Window()
    if first and not window.unbounded:
        raise MainContactRequired(
            f"user {user.id!r} becomes the main contact of {company.id!r}, whose membership "
            "cannot start later or expire (R-MC-4)"
        )
    membership = Membership(
        company.id, user.id, role, now, is_main_contact=first, origin=origin,
        starts_at=window.starts_at, expires_at=window.expires_at,
    )  # fmt: skip
    tx.memberships.add(membership)
    common = stamp(now, actor_id, company.id)
    tx.outbox.append(MemberAdded(**common, user_id=user.id, role=role, invitation_id=via))
    if first:
        tx.outbox.append(MainContactChanged(**common, old_user_id=None, new_user_id=user.id))
    withdraw_invitation(tx, now, actor_id, company.id, user.email)
    withdraw_join_request(tx, now, actor_id, company.id, user.id)
    return membership


def withdraw_join_request(
    tx: Transaction, now: datetime, actor_id: UserId, company_id: CompanyId, user_id: UserId
) -> None:
    """End the user's pending join request to the company, if any: they joined (R-DOM-3)."""
    pending = tx.join_requests.pending(company_id, user_id)
    if pending is None:
        return
    tx.join_requests.update(attrs.evolve(pending, state=JoinRequestState.WITHDRAWN, closed_at=now))
    tx.outbox.append(
        JoinRequestWithdrawn(
            **stamp(now, actor_id, company_id), request_id=pending.id, user_id=user_id
        )
    )


def withdraw_invitation(
    tx: Transaction, now: datetime, actor_id: UserId | None, company_id: CompanyId, email: str
) -> None:
    """Withdraw the pending invitation of ``email`` to the company, if any (R-INV-5).

    Called when the address joins by another way and when its member is removed, so
    that no invitation issued before a removal can bring the person back.
    """
    pending = tx.invitations.pending_for(company_id, email)
    if pending is None:
        return
    tx.invitations.update(attrs.evolve(pending, status=InvitationStatus.REVOKED, closed_at=now))
    tx.outbox.append(
        InvitationWithdrawn(**stamp(now, actor_id, company_id), invitation_id=pending.id)
    )


def end_authority(
    tx: Transaction,
    now: datetime,
    actor_id: UserId | None,
    company_id: CompanyId,
    user_id: UserId,
) -> None:
    """End what ``user_id`` held through the company they just left (R-MEM-10).

    Leadership of the company's seat pools passes to the main contact (when the
    company has none left, the leader's lost membership alone keeps them out, R-SEAT-4);
    leads and inbox requests assigned to them go back to the company, unassigned.
    Each row is re-read under its lock, so a concurrent command on it is not undone.
    """
    common = stamp(now, actor_id, company_id)
    main = next((m for m in tx.memberships.of_company(company_id) if m.is_main_contact), None)
    if main is not None:
        for led in tx.pools.led_by(company_id, user_id):
            pool = tx.pools.get(led.id, for_update=True)
            if pool is not None and pool.leader_id == user_id:
                tx.pools.update(attrs.evolve(pool, leader_id=main.user_id))
                tx.outbox.append(
                    PoolLeaderChanged(
                        **common,
                        pool_id=pool.id,
                        old_leader_id=user_id,
                        new_leader_id=main.user_id,
                    )
                )
    for assigned in tx.leads.assigned_in(company_id, user_id):
        lead = tx.leads.get(assigned.id, for_update=True)
        if lead is not None and lead.assignee_id == user_id:
            tx.leads.update(attrs.evolve(lead, assignee_id=None))
            tx.outbox.append(LeadAssigned(**common, lead_id=lead.id, assignee_id=None))
    for waiting in tx.inbox.assigned_in(company_id, user_id):
        request = tx.inbox.get(waiting.id, for_update=True)
        if request is not None and request.assignee_id == user_id:
            tx.inbox.update(attrs.evolve(request, assignee_id=None))
            tx.outbox.append(RequestAssigned(**common, request_id=request.id, assignee_id=None))


def end_membership(
    tx: Transaction,
    now: datetime,
    actor_id: UserId | None,
    member: Membership,
    email: str,
    *,
    policy: Policy | None = None,
    expired: bool = False,
) -> None:
    """Remove the membership with its events and what follows (R-MEM-7, R-MEM-10, R-INV-5).

    The caller has checked that it may end: the main contact leaves last (R-MC-4).
    Then every membership the person received as this company's staff (``origin``)
    ends too, and so on below (R-PART-6): see `end_staff_memberships`. A membership
    already ended (by such a cascade in the same command) is skipped. With
    ``expired`` (the sweep, R-TIME-2) the event is `MembershipExpired`, not
    `MemberRemoved`; what follows is the same.
    """
    if tx.memberships.get(member.company_id, member.user_id) is None:
        return
    tx.memberships.remove(member.company_id, member.user_id)
    common = stamp(now, actor_id, member.company_id)
    if expired and member.expires_at is not None:
        tx.outbox.append(
            MembershipExpired(**common, user_id=member.user_id, expired_at=member.expires_at)
        )
    else:
        tx.outbox.append(MemberRemoved(**common, user_id=member.user_id))
    if member.is_main_contact:
        tx.outbox.append(MainContactChanged(**common, old_user_id=member.user_id, new_user_id=None))
    end_authority(tx, now, actor_id, member.company_id, member.user_id)
    withdraw_invitation(tx, now, actor_id, member.company_id, email)
    end_staff_memberships(tx, now, actor_id, member, email, policy=policy)


def end_staff_memberships(
    tx: Transaction,
    now: datetime,
    actor_id: UserId | None,
    ended: Membership,
    email: str,
    *,
    policy: Policy | None = None,
) -> None:
    """End what the person held below as the staff of the company they left (R-PART-6).

    Each of their memberships whose ``origin`` is that company ends with its events,
    in the same transaction, and recursively what came from it. A main contact with
    other members first hands the role to `successor` (R-MC-1, R-MC-4): the account
    keeps one, and the person's authority still ends.
    """
    for held in tx.memberships.of_user(ended.user_id):
        if held.origin != ended.company_id:
            continue
        tx.companies.get(held.company_id, for_update=True)  # as a removal locks it
        current = tx.memberships.get(held.company_id, held.user_id)
        if current is None or current.origin != ended.company_id:
            continue
        if current.is_main_contact:
            heir = successor(tx, current, policy)
            if heir is not None:
                tx.memberships.update(attrs.evolve(current, is_main_contact=False))
                tx.memberships.update(
                    attrs.evolve(heir, is_main_contact=True, starts_at=None, expires_at=None)
                )
                tx.outbox.append(
                    MainContactChanged(
                        **stamp(now, actor_id, current.company_id),
                        old_user_id=current.user_id,
                        new_user_id=heir.user_id,
                    )
                )
                current = attrs.evolve(current, is_main_contact=False)
        end_membership(tx, now, actor_id, current, email, policy=policy)


def successor(tx: Transaction, leaving: Membership, policy: Policy | None) -> Membership | None:
    """Who becomes main contact when ``leaving`` loses the role with others remaining.

    The longest-standing remaining member whose role holds ``manage_team`` (an admin),
    else the longest-standing remaining member; ties by user id; a member whose
    membership has a window only after every member without one, since a main
    contact's membership has none (R-MC-4; the heir's window is cleared). ``None`` if
    nobody remains.
    """
    others = [
        m for m in tx.memberships.of_company(leaving.company_id) if m.user_id != leaving.user_id
    ]
    if policy is not None:  # the company's own roles count too (R-ROLE-1)
        policy = policy_for(policy, tx.companies.get(leaving.company_id))

    def rank(m: Membership) -> tuple[bool, bool, datetime, str]:
        manages = policy is not None and MANAGE_TEAM in held_by(policy, m)
        timed = m.starts_at is not None or m.expires_at is not None
        return (timed, not manages, m.joined_at, m.user_id)

    return min(others, key=rank, default=None)
