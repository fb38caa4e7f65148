"""Invitations by e-mail with single-use, expiring tokens: ``ta.invitations`` (R-INV-*)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    InvitationAccepted,
    InvitationSent,
    InvitationWithdrawn,
)
from teamaccess.domain.ids import (
    CompanyId,
    InvitationId,
    UserId,
    check_id,
)
from teamaccess.domain.models import (
    Company,
    Invitation,
    InvitationStatus,
    Membership,
    hash_token,
)
from teamaccess.domain.windows import Window, check_window
from teamaccess.errors import (
    AlreadyAMember,
    AlreadyInvited,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsed,
)
from teamaccess.ports import Transaction
from teamaccess.service._authority import join
from teamaccess.service._core import ServiceCore
from teamaccess.service._erasure import live_user

__all__ = ["MAX_TOKEN_LENGTH", "Invitations", "IssuedInvitation", "issue_invitation"]

MAX_TOKEN_LENGTH = 256
_NOT_FOR_YOU = "no invitation for this user with this token"
"""The longest invitation token [accept][teamaccess.service.invitations.Invitations.accept]
takes."""


@attrs.frozen
class IssuedInvitation:
    """An invitation together with its secret token, returned once to the inviter.

    Put the token in the registration link; only its hash is stored (R-INV-2).

    Attributes:
        invitation: The stored invitation.
        token: The clear-text token. It is not kept anywhere.
    """

    invitation: Invitation
    token: str = attrs.field(repr=False)


class Invitations:
    """Invitations by e-mail with single-use tokens: ``ta.invitations``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def send(
        self,
        actor_id: str,
        company_id: str,
        email: str,
        *,
        role: str | None = None,
        member_until: datetime | None = None,
    ) -> IssuedInvitation:
        """Invite an e-mail address with a role; needs ``manage_team`` (R-INV-1).

        Returns the invitation and its secret token, which is not stored (R-INV-2).
        With ``member_until`` (aware) the membership it gives ends then (R-TIME-1); it
        may not outlast the inviter's own (R-TIME-4), checked again at acceptance.

        Raises:
            InvalidEmail: The address cannot be normalized (R-INV-4).
            AlreadyInvited: A pending invitation for it exists; re-send that one.
            AlreadyAMember: A user with that address is already a member.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        address = normalize_email(email)
        role = self._core.known_role(role)
        until = check_window(None, member_until).expires_at

        def work(tx: Transaction, now: datetime) -> IssuedInvitation:
            company = self._core.company(tx, company_id, lock=True)
            self._core.require(tx, Action.INVITE, company, actor_id)
            self._core.require_grant(tx, company, actor_id, role, until=until)
            existing_user = tx.users.get_by_email(address)
            if existing_user is not None and tx.memberships.get(company.id, existing_user.id):
                raise AlreadyAMember(company.id, existing_user.id)
            pending = tx.invitations.pending_for(company.id, address)
            if pending is not None:
                raise AlreadyInvited(
                    f"{address!r} already has pending invitation {pending.id!r}; re-send it"
                )
            return self._issue(
                tx, now, company, UserId(actor_id), address, role, replaces=None, until=until
            )

        return self._core.command(work)

    def resend(self, actor_id: str, company_id: str, invitation_id: str) -> IssuedInvitation:
        """Re-send an open or expired invitation with a new token; the old one is void (R-INV-2).

        Raises:
            InvitationNotFound: No such invitation in this company.
            InvitationUsed: It was accepted already.
            InvitationRevoked: It was revoked or replaced.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(invitation_id, "invitation")

        def work(tx: Transaction, now: datetime) -> IssuedInvitation:
            company = self._core.company(tx, company_id, lock=True)
            self._core.require(tx, Action.INVITE, company, actor_id)
            old = self._invitation(tx, company.id, invitation_id)
            _require_not_closed(old)
            tx.invitations.update(
                attrs.evolve(old, status=InvitationStatus.SUPERSEDED, closed_at=now)
            )
            return self._issue(
                tx, now, company, UserId(actor_id), old.email, old.role, old.id,
                until=old.member_until,
            )  # fmt: skip

        return self._core.command(work)

    def revoke(self, actor_id: str, company_id: str, invitation_id: str) -> Invitation:
        """Revoke a pending invitation; its token stops working (R-INV-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(invitation_id, "invitation")

        def work(tx: Transaction, now: datetime) -> Invitation:
            company = self._core.company(tx, company_id, lock=True)
            self._core.require(tx, Action.INVITE, company, actor_id)
            invitation = self._invitation(tx, company.id, invitation_id)
            _require_not_closed(invitation)
            revoked = attrs.evolve(invitation, status=InvitationStatus.REVOKED, closed_at=now)
            tx.invitations.update(revoked)
            tx.outbox.append(
                InvitationWithdrawn(
                    occurred_at=now,
                    actor_id=UserId(actor_id),
                    company_id=company.id,
                    invitation_id=invitation.id,
                )
            )
            return revoked

        return self._core.command(work)

    def accept(self, user_id: str, token: str) -> Membership:
        """Accept an invitation: the user becomes a member with the invited role (R-INV-3).

        Only the invited address learns anything about an invitation (R-ALL-9): while
        the company requires the accepting user's e-mail to match (the default), a
        token of an invitation for another address is answered exactly as an unknown
        token, before its state, its company or its address are looked at. Where the
        company lets any user accept, the token alone entitles its holder.

        The user's row is locked first and read again, as erasure locks it: an
        erasure that commits first refuses the acceptance, one that starts later
        ends the membership it gave (R-CO-9).

        Raises:
            UnknownUser: No such user, or they were erased.
            InvitationNotFound: The token is unknown, or (where the e-mail must match)
                the invitation is for another address: the same error and text.
            InvitationExpired / InvitationRevoked / InvitationUsed: It cannot be used.
            AccessDenied: The company is suspended (R-CO-8), or the issuer may no longer
                give the role (R-MEM-9).
            CompanyClosed: The company was closed.
            AlreadyAMember: The user is a member already.
        """
        check_id(user_id, "user")
        check_id(token, "invitation token", MAX_TOKEN_LENGTH)
        token_hash = hash_token(token)

        def work(tx: Transaction, now: datetime) -> Membership:
            # the user's row first, as erasure locks it; an unknown or erased user is
            # refused whatever the token (R-CO-9, R-ALL-9)
            user = live_user(tx, user_id)
            found = tx.invitations.get_by_token_hash(token_hash)
            if found is None:
                raise InvitationNotFound(_NOT_FOR_YOU)
            locked = tx.companies.get(found.company_id, for_update=True)
            invitation = tx.invitations.get(found.id) or found  # re-read under the lock
            must_match = locked is None or locked.settings.invitation_email_must_match
            if must_match and user.email != invitation.email:
                raise InvitationNotFound(_NOT_FOR_YOU)  # as for an unknown token (R-ALL-9)
            company = self._core.company(tx, found.company_id)  # closed, suspended (R-CO-8)
            _require_not_closed(invitation)
            if now >= invitation.expires_at:
                raise InvitationExpired(
                    f"invitation {invitation.id!r} expired at {invitation.expires_at.isoformat()}"
                )
            if tx.memberships.get(company.id, user.id) is not None:
                raise AlreadyAMember(company.id, user.id)
            self._core.require_issuer_grant(tx, company, invitation)
            tx.invitations.update(
                attrs.evolve(
                    invitation,
                    status=InvitationStatus.ACCEPTED,
                    accepted_by=user.id,
                    closed_at=now,
                )
            )
            tx.outbox.append(
                InvitationAccepted(
                    occurred_at=now,
                    actor_id=user.id,
                    company_id=company.id,
                    invitation_id=invitation.id,
                    user_id=user.id,
                )
            )
            return join(
                tx, now, company, user, invitation.role, actor_id=user.id, via=invitation.id,
                window=Window(None, invitation.member_until),
            )  # fmt: skip

        return self._core.command(work)

    def list(self, actor_id: str, company_id: str) -> Sequence[Invitation]:
        """The company's invitations, for members who may invite (R-INV-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._core.company(tx, company_id, closed_ok=True)
            self._core.require(tx, Action.INVITE, company, actor_id)
            return tx.invitations.of_company(company.id)

    def _issue(
        self,
        tx: Transaction,
        now: datetime,
        company: Company,
        actor_id: UserId,
        email: str,
        role: str,
        replaces: InvitationId | None,
        *,
        until: datetime | None = None,
    ) -> IssuedInvitation:
        return issue_invitation(
            self._core, tx, now, company, actor_id, email, role, replaces, until=until
        )

    @staticmethod
    def _invitation(tx: Transaction, company_id: CompanyId, invitation_id: str) -> Invitation:
        invitation = tx.invitations.get(InvitationId(check_id(invitation_id, "invitation")))
        if invitation is None or invitation.company_id != company_id:
            raise InvitationNotFound(f"no invitation {invitation_id!r} in company {company_id!r}")
        return invitation


def issue_invitation(
    core: ServiceCore,
    tx: Transaction,
    now: datetime,
    company: Company,
    actor_id: UserId,
    email: str,
    role: str,
    replaces: InvitationId | None = None,
    *,
    until: datetime | None = None,
) -> IssuedInvitation:
    """Store a new invitation with a fresh token and emit ``InvitationSent`` (R-INV-1, R-INV-2).

    The caller has checked that ``actor_id`` may invite with ``role``; also used by
    ``invite`` mode of a verified domain (R-DOM-2). ``until`` ends the membership the
    invitation gives (R-TIME-1).
    """
    token = core.tokens()
    invitation = Invitation(
        id=InvitationId(core.ids("invitation")),
        company_id=company.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor_id,
        created_at=now,
        expires_at=now + company.settings.invitation_ttl,
        member_until=until,
    )
    tx.invitations.add(invitation)
    tx.outbox.append(
        InvitationSent(
            occurred_at=now,
            actor_id=actor_id,
            company_id=company.id,
            invitation_id=invitation.id,
            email=email,
            role=role,
            expires_at=invitation.expires_at,
            replaces=replaces,
        )
    )
    return IssuedInvitation(invitation, token)


def _require_not_closed(invitation: Invitation) -> None:
    if invitation.status is InvitationStatus.ACCEPTED:
        raise InvitationUsed(f"invitation {invitation.id!r} was already accepted")
    if invitation.status is InvitationStatus.REVOKED:
        raise InvitationRevoked(f"invitation {invitation.id!r} was revoked")
    if invitation.status is InvitationStatus.SUPERSEDED:
        raise InvitationRevoked(
            f"invitation {invitation.id!r} was replaced by a re-sent invitation; "
            "use the newest link"
        )
