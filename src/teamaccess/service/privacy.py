"""A person's data rights: ``ta.privacy`` (GDPR articles 15 and 17, R-CO-7).

``export`` gathers everything the library stores about a person; ``erase`` ends what
they hold by the normal rules (each with its event) and replaces their e-mail address
and attributes by a pseudonym in every table and in the stored outbox payloads. Ids
stay: they are the host's keys, and the audit trail keeps its shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from teamaccess.domain.codec import converter
from teamaccess.domain.events import (
    InvitationWithdrawn,
    PoolLeaderChanged,
    UserErased,
    event_to_dict,
    stamp,
)
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.models import InvitationStatus, User
from teamaccess.domain.privacy import ERASED_DOMAIN, mentions, pseudonym_email
from teamaccess.errors import MainContactRequired
from teamaccess.ports import Transaction
from teamaccess.service._authority import end_membership
from teamaccess.service._core import ServiceCore
from teamaccess.service._enrolment import find_product, lock_pool
from teamaccess.service._tagging import revoke, take_seat
from teamaccess.service.support import end_grants_of_erased

__all__ = ["Privacy"]


class Privacy:
    """A person's data rights: ``ta.privacy``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def export(self, actor_id: str, user_id: str) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready data (GDPR art. 15).

        The user, their memberships, seats, led groups, tags with their sources,
        invitations of their address, inbox requests they sent, leads and requests
        assigned to them, and every outbox event that names them. The user asks for
        their own; a platform admin for anyone's. It reads the whole outbox.

        Raises:
            AccessDenied: The actor is neither the user nor a platform admin (R-CO-7).
            UnknownUser: No such user.
        """
        check_id(actor_id, "user")
        check_id(user_id, "user")
        if actor_id != user_id:
            self._core.require_platform_admin(actor_id, "R-CO-7")
        with self._core.store.reader() as tx:
            user = self._core.user(tx, user_id)
            memberships = tx.memberships.of_user(user.id)
            assigned_leads = [
                lead for m in memberships for lead in tx.leads.assigned_in(m.company_id, user.id)
            ]
            assigned_requests = [
                r for m in memberships for r in tx.inbox.assigned_in(m.company_id, user.id)
            ]
            events = [
                {"position": message.position, **data}
                for message in tx.outbox.all()
                for data in [event_to_dict(message.event)]
                if mentions(data, user.id, user.email)
            ]
            return {
                "user": _plain(user),
                "memberships": _plain(memberships),
                "seats": _plain(tx.enrollments.of_user(user.id)),
                "groups_led": _plain(tx.pools.of_leader(user.id)),
                "tags": _plain(tx.tags.of_users([user.id])),
                "invitations": [
                    {k: v for k, v in _plain(i).items() if k != "token_hash"}
                    for i in tx.invitations.of_email(user.email)
                ],
                "inbox_requests_sent": _plain(tx.inbox.of_sender(user.email)),
                "leads_assigned": _plain(assigned_leads),
                "inbox_requests_assigned": _plain(assigned_requests),
                "join_requests": _plain(tx.join_requests.of_user(user.id)),
                "support_grants": _plain(tx.support.of_staff(user.id)),
                "directory_records": _plain(tx.directories.of_user(user.id)),
                "events": events,
            }

    def erase(self, actor_id: str, user_id: str) -> User:
        """Erase a person on their request; platform admins only (GDPR art. 17, R-CO-7).

        Refused while they are the main contact of a company with other members: the
        role is handed on first (R-MC-4). Otherwise, in one transaction: their
        memberships end as a removal ends them (R-MEM-7, R-MEM-10), their seats as
        ``seats.remove`` ends them (R-SEAT-9, R-SEAT-10), their remaining tags are
        revoked and pending invitations of their address withdrawn, each with its
        event; then their e-mail address becomes a pseudonym (``erased-...@erased.invalid``)
        and their attributes are dropped in the users table, in invitations, in inbox
        requests and inside every stored outbox payload. The audit chains of the
        rewritten events are sealed again (``ta.audit.verify`` passes after it), and
        ``UserErased``, which closes it, says how many.
        Erasing an erased user again changes nothing.

        Erasure is final (R-CO-9): it locks the person's companies and pools, then
        their user row, and every command that would hand them something (an
        invitation accepted, a seat, a purchase, a direct tag, a membership) locks that
        row too and reads the user again, so it commits before the erasure (which then
        ends what it gave) or is refused with `UnknownUser`. Their leadership of pools
        ends: a company's pool passes to its main contact (``PoolLeaderChanged``); a
        pool without one is left to platform admins, as the group decision refuses an
        erased leader.

        Raises:
            AccessDenied: The actor is not a platform admin (R-CO-7).
            UnknownUser: No such user.
            MainContactRequired: They are the main contact of a company with others.
        """
        check_id(actor_id, "user")
        check_id(user_id, "user")
        self._core.require_platform_admin(actor_id, "R-CO-7")

        def work(tx: Transaction, now: datetime) -> User:
            self._core.user(tx, user_id)
            _lock_what_they_hold(tx, UserId(user_id))
            user = self._core.user(tx, user_id)
            if user.email.endswith("@" + ERASED_DOMAIN):
                return user
            actor = UserId(actor_id)
            for m in tx.memberships.of_user(user.id):
                tx.companies.get(m.company_id, for_update=True)  # as a removal locks it
            memberships = tx.memberships.of_user(user.id)  # read again, under the locks
            for m in memberships:
                if m.is_main_contact and tx.memberships.count(m.company_id) > 1:
                    raise MainContactRequired(
                        f"user {user.id!r} is the main contact of {m.company_id!r}; "
                        "transfer the role before erasing them (R-MC-4)"
                    )
            for m in memberships:
                end_membership(tx, now, actor, m, user.email)
            for seat in tx.enrollments.of_user(user.id):
                pool, _ = lock_pool(tx, seat.pool_id)  # its company first (R-ALL-8)
                take_seat(tx, now, actor, pool, find_product(tx, pool.product_id), user.id)
            _end_leadership(tx, now, actor, user.id)
            for grant in tx.tags.of_users([user.id]):
                revoke(tx, now, actor, None, user.id, grant.tag, grant.source)
            pseudonym = pseudonym_email(user.id)
            for invitation in tx.invitations.of_email(user.email):
                changes: dict[str, Any] = {"email": pseudonym}
                if invitation.status is InvitationStatus.PENDING:
                    changes.update(status=InvitationStatus.REVOKED, closed_at=now)
                    tx.outbox.append(
                        InvitationWithdrawn(
                            **stamp(now, actor, invitation.company_id),
                            invitation_id=invitation.id,
                        )
                    )
                tx.invitations.update(attrs.evolve(invitation, **changes))
            for request in tx.inbox.of_sender(user.email):
                tx.inbox.update(attrs.evolve(request, sender_email=pseudonym))
            erased = User(user.id, pseudonym, {})
            tx.join_requests.remove_of_user(user.id)  # they go with the person (R-CO-9)
            for record in tx.directories.of_user(user.id):  # a userName is personal data
                tx.directories.remove_user(record.company_id, record.user_id)
            end_grants_of_erased(tx, now, actor, user)  # as staff: ended, reasons scrubbed
            for claim in tx.domains.of_domain(user.email.rpartition("@")[2]):
                if claim.challenge_address == user.email:  # a code mailed to them is void
                    tx.domains.update(
                        attrs.evolve(claim, challenge_address=None, challenge_hash=None)
                    )
            tx.users.update(erased)
            tx.outbox.redact(user.email, pseudonym)
            tx.outbox.forget_context(user.id)  # where they worked from (R-CO-7)
            resealed = tx.outbox.reseal()  # the audit chains the rewrite changed (issue 32)
            tx.outbox.append(
                UserErased(**stamp(now, actor, None), user_id=user.id, resealed=len(resealed))
            )
            return erased

        erased = self._core.command(work)
        scrub = getattr(self._core.store, "scrub", None)
        if scrub is not None:
            scrub()
        return erased


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data (dates as ISO strings, enums as values)."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return converter.unstructure(value)


def _end_leadership(tx: Transaction, now: datetime, actor: UserId, user_id: UserId) -> None:
    """End the erased person's leadership of the pools they still lead (R-CO-9).

    Leaving a company already passed its pools to the main contact (R-MEM-10). A
    company pool they lead without being a member passes to its main contact too,
    with ``PoolLeaderChanged``; a pool with no company, or of a company without
    members, keeps their id as its leader's, and the group decision refuses an
    erased leader: only a platform admin manages it from then on.
    """
    for led in tx.pools.of_leader(user_id):
        if led.company_id is None:
            continue
        pool, _ = lock_pool(tx, led.id)
        main = next(
            (m for m in tx.memberships.of_company(led.company_id) if m.is_main_contact), None
        )
        if main is None or pool.leader_id != user_id or pool.company_id != led.company_id:
            continue
        tx.pools.update(attrs.evolve(pool, leader_id=main.user_id))
        tx.outbox.append(
            PoolLeaderChanged(
                **stamp(now, actor, pool.company_id),
                pool_id=pool.id,
                old_leader_id=user_id,
                new_leader_id=main.user_id,
            )
        )


def _lock_what_they_hold(tx: Transaction, user_id: UserId) -> None:
    """Lock the person's companies and pools, then their own row, held until commit.

    A command that would hand them something locks the row too, so it commits before
    the erasure or sees them erased (R-CO-9). The order is every command's (a company,
    then its pool, then the people), so erasing never deadlocks with an enrolment or
    an added membership; what they gain before the row is locked is read again after.
    """
    for company_id in sorted({m.company_id for m in tx.memberships.of_user(user_id)}):
        tx.companies.get(company_id, for_update=True)
    for pool_id in sorted({seat.pool_id for seat in tx.enrollments.of_user(user_id)}):
        lock_pool(tx, pool_id)
    tx.tags.lock_holders([user_id])
