"""A membership beginning, and what follows when it begins or ends (R-INV-5, R-MEM-10).

Both run inside the command that adds or removes the member, so the consequences
commit with it or not at all (R-ALL-3), each with its event (R-ALL-4).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.events import (
    InvitationWithdrawn,
    MainContactChanged,
    MemberAdded,
    MemberRemoved,
    PoolLeaderChanged,
    stamp,
)
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.lead_events import LeadAssigned, RequestAssigned
from teamaccess.domain.models import Company, InvitationStatus, Membership, User
from teamaccess.ports import Transaction

__all__ = ["end_authority", "end_membership", "join", "withdraw_invitation"]


def join(
    tx: Transaction,
    now: datetime,
    company: Company,
    user: User,
    role: str,
    *,
    actor_id: UserId,
    via: InvitationId | None = None,
) -> Membership:
    """Add a membership; the first member of a company becomes main contact (R-MC-1).

    A pending invitation of the user's address to the company is withdrawn: they
    joined by this way (R-INV-5).
    """
    first = tx.memberships.count(company.id) == 0
    membership = Membership(company.id, user.id, role, now, is_main_contact=first)
    tx.memberships.add(membership)
    common = stamp(now, actor_id, company.id)
    tx.outbox.append(MemberAdded(**common, user_id=user.id, role=role, invitation_id=via))
    if first:
        tx.outbox.append(MainContactChanged(**common, old_user_id=None, new_user_id=user.id))
    withdraw_invitation(tx, now, actor_id, company.id, user.email)
    return membership


def withdraw_invitation(
    tx: Transaction, now: datetime, actor_id: UserId, company_id: CompanyId, email: str
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
    tx: Transaction, now: datetime, actor_id: UserId, company_id: CompanyId, user_id: UserId
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
    tx: Transaction, now: datetime, actor_id: UserId, member: Membership, email: str
) -> None:
    """Remove the membership with its events and what follows (R-MEM-7, R-MEM-10, R-INV-5).

    The caller has checked that it may end: the main contact leaves last (R-MC-4).
    """
    tx.memberships.remove(member.company_id, member.user_id)
    common = stamp(now, actor_id, member.company_id)
    tx.outbox.append(MemberRemoved(**common, user_id=member.user_id))
    if member.is_main_contact:
        tx.outbox.append(MainContactChanged(**common, old_user_id=member.user_id, new_user_id=None))
    end_authority(tx, now, actor_id, member.company_id, member.user_id)
    withdraw_invitation(tx, now, actor_id, member.company_id, email)
