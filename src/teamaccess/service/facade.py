"""The facade hosts call: :class:`TeamAccess`.

Every command names the acting user and, where one exists, the acting company
(R-MEM-1). Each command runs in one transaction of the store: it checks, writes and
appends its events to the outbox, and commits all of it or nothing (R-ALL-3, R-ALL-4).
Bad input raises a specific :mod:`teamaccess.errors` exception before anything is
written (R-ALL-6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    CompanyCreated,
    CompanyProfileUpdated,
    ContactVisibilityChanged,
    InvitationAccepted,
    InvitationSent,
    InvitationWithdrawn,
    MainContactChanged,
    MemberAdded,
    MemberRemoved,
    OutboxMessage,
    RoleChanged,
    Stamp,
    UserRegistered,
    stamp,
)
from teamaccess.domain.ids import (
    CompanyId,
    InvitationId,
    UserId,
    check_id,
    check_name,
    well_formed,
)
from teamaccess.domain.inputs import (
    check_attributes,
    check_bool,
    check_count,
    check_positions,
    check_settings,
)
from teamaccess.domain.models import (
    Company,
    CompanySettings,
    Invitation,
    InvitationStatus,
    Membership,
    User,
    hash_token,
)
from teamaccess.domain.policy import decide
from teamaccess.errors import (
    AlreadyAMember,
    AlreadyInvited,
    InvalidInput,
    InvitationEmailMismatch,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsed,
    MainContactRequired,
    NotEligible,
)
from teamaccess.ports import Transaction
from teamaccess.service._authority import end_authority, withdraw_invitation
from teamaccess.service._core import raise_if_denied
from teamaccess.service.leads import LeadCommands
from teamaccess.service.lifecycle import LifecycleCommands
from teamaccess.service.records import RecordCommands
from teamaccess.service.seats import SeatCommands

__all__ = ["MAX_TOKEN_LENGTH", "IssuedInvitation", "TeamAccess"]

MAX_TOKEN_LENGTH = 256
"""The longest invitation token :meth:`TeamAccess.accept_invitation` takes."""


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


class TeamAccess(SeatCommands, LeadCommands, RecordCommands, LifecycleCommands):
    """The teamaccess service, the facade a host calls.

    Companies, members, the main contact, invitations, seat pools and access tags,
    partner accounts with properties, articles and licenses, the lead marketplace and
    the company inbox, shared records with their timeline, migration and merging of
    companies, and decisions with reasons. One instance per store; it is thread-safe as far as
    its store is. Constructor arguments are described on
    :class:`~teamaccess.service._core.ServiceCore`: ``store``, then keyword-only
    ``policy``, ``eligibility``, ``clock``, ``ids``, ``tokens``, ``founder_role``,
    ``member_role``, ``default_settings``, ``platform_admins``, ``directory``,
    ``max_partner_depth``, ``retries`` and ``timeline_embargo``.
    """

    # -- users -------------------------------------------------------------------

    def register_user(
        self, user_id: str, email: str, *, attributes: Mapping[str, str] | None = None
    ) -> User:
        """Make a host user known to the library.

        Raises:
            InvalidName: ``user_id`` is not a usable id.
            InvalidEmail: ``email`` cannot be normalized (R-INV-4).
            UserAlreadyExists: The id is taken.
            EmailTaken: Another user has the same normalized e-mail.
        """
        user = User(
            UserId(check_id(user_id, "user")), normalize_email(email), check_attributes(attributes)
        )

        def work(tx: Transaction, now: datetime) -> User:
            tx.users.add(user)
            tx.outbox.append(
                UserRegistered(
                    occurred_at=now,
                    actor_id=user.id,
                    company_id=None,
                    user_id=user.id,
                    email=user.email,
                )
            )
            return user

        return self._command(work)

    def get_user(self, user_id: str) -> User:
        """Return the user or raise :class:`~teamaccess.errors.UnknownUser`."""
        check_id(user_id, "user")
        with self._store.reader() as tx:
            return self._user(tx, user_id)

    def find_user_by_email(self, email: str) -> User | None:
        """Return the user with this e-mail after normalization, or ``None``."""
        normalized = normalize_email(email)
        with self._store.reader() as tx:
            return tx.users.get_by_email(normalized)

    # -- companies ----------------------------------------------------------------

    def create_company(
        self,
        actor_id: str,
        name: str,
        *,
        company_id: str | None = None,
        settings: CompanySettings | None = None,
    ) -> Company:
        """Create a company; its creator becomes its first member and main contact (R-MC-1).

        Raises:
            UnknownUser: The creator is not registered.
            InvalidName: The name or id is empty or too long.
            CompanyAlreadyExists: ``company_id`` is taken.
        """
        check_id(actor_id, "user")
        check_settings(settings)
        name = check_name(name, "company name")
        if company_id is not None:
            check_id(company_id, "company")

        def work(tx: Transaction, now: datetime) -> Company:
            founder = self._user(tx, actor_id)
            company = Company(
                id=CompanyId(company_id or self._ids("company")),
                name=name,
                created_at=now,
                settings=settings or self._default_settings,
            )
            tx.companies.add(company)
            tx.memberships.add(
                Membership(company.id, founder.id, self._founder_role, now, is_main_contact=True)
            )
            common: Stamp = {"occurred_at": now, "actor_id": founder.id, "company_id": company.id}
            tx.outbox.append(CompanyCreated(**common, name=name))
            tx.outbox.append(MemberAdded(**common, user_id=founder.id, role=self._founder_role))
            tx.outbox.append(MainContactChanged(**common, old_user_id=None, new_user_id=founder.id))
            return company

        return self._command(work)

    def get_company(self, company_id: str) -> Company:
        """Return the company or raise :class:`~teamaccess.errors.UnknownCompany`."""
        check_id(company_id, "company")
        with self._store.reader() as tx:
            return self._company(tx, company_id, closed_ok=True)

    def update_company_profile(self, actor_id: str, company_id: str, *, name: str) -> Company:
        """Edit the company profile; only the main contact may (R-MC-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = check_name(name, "company name")

        def work(tx: Transaction, now: datetime) -> Company:
            company = self._company(tx, company_id, lock=True)
            self._require(tx, Action.EDIT_PROFILE, company, actor_id)
            updated = attrs.evolve(company, name=name)
            if updated != company:
                tx.companies.update(updated)
                tx.outbox.append(
                    CompanyProfileUpdated(
                        occurred_at=now, actor_id=UserId(actor_id), company_id=company.id, name=name
                    )
                )
            return updated

        return self._command(work)

    # -- members -----------------------------------------------------------------

    def add_member(
        self,
        actor_id: str,
        company_id: str,
        user_id: str,
        *,
        role: str | None = None,
        exist_ok: bool = False,
    ) -> Membership:
        """Add a registered user to the company (R-MEM-2, R-MEM-3, R-MEM-4).

        Args:
            actor_id: The member who adds.
            company_id: The acting company.
            user_id: The user to add.
            role: Their role; the service's ``member_role`` if omitted.
            exist_ok: Return the existing membership instead of raising
                :class:`~teamaccess.errors.AlreadyAMember`.

        Raises:
            NotAMember: The actor is not a member (R-MEM-1).
            AccessDenied: Only team managers may add members here (R-MEM-3).
            NotEligible: The host's eligibility predicate refused (R-MEM-4).
            AlreadyAMember: The user is already a member (R-MEM-2).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")
        role = self._known_role(role)
        check_bool(exist_ok, "exist_ok")

        def work(tx: Transaction, now: datetime) -> Membership:
            company = self._company(tx, company_id, lock=True)
            self._require(tx, Action.ADD_MEMBER, company, actor_id)
            self._require_grant(tx, company, actor_id, role)
            candidate = self._user(tx, user_id)
            existing = tx.memberships.get(company.id, candidate.id)
            if existing is not None:
                if exist_ok:
                    return existing
                raise AlreadyAMember(company.id, candidate.id)
            if self._eligibility is not None:
                verdict = self._eligibility(
                    actor=self._user(tx, actor_id), candidate=candidate, company=company
                )
                if not verdict:
                    raise NotEligible(verdict)
            return self._join(tx, now, company, candidate, role, actor_id=UserId(actor_id))

        return self._command(work)

    def remove_member(self, actor_id: str, company_id: str, user_id: str) -> None:
        """Remove a member, ending their access at once; their history stays (R-MEM-7).

        A member may always remove themselves (leave). The main contact can leave only
        as the last member, or after handing the role on (R-MC-4).

        Raises:
            MembershipNotFound: ``user_id`` is not a member.
            MainContactRequired: ``user_id`` is the main contact and others remain.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> None:
            company = self._company(tx, company_id, lock=True)
            target = self._membership(tx, company.id, user_id)
            self._require(tx, Action.REMOVE_MEMBER, company, actor_id, target)
            if target.is_main_contact and tx.memberships.count(company.id) > 1:
                raise MainContactRequired(
                    f"user {user_id!r} is the main contact of {company.id!r}; "
                    "transfer the role before removing them (R-MC-4)"
                )
            tx.memberships.remove(company.id, target.user_id)
            common = stamp(now, UserId(actor_id), company.id)
            tx.outbox.append(MemberRemoved(**common, user_id=target.user_id))
            if target.is_main_contact:
                tx.outbox.append(
                    MainContactChanged(**common, old_user_id=target.user_id, new_user_id=None)
                )
            end_authority(tx, now, UserId(actor_id), company.id, target.user_id)
            removed = tx.users.get(target.user_id)
            if removed is not None:
                withdraw_invitation(tx, now, UserId(actor_id), company.id, removed.email)

        self._command(work)

    def leave_company(self, actor_id: str, company_id: str) -> None:
        """Remove yourself from the company; same rules as :meth:`remove_member`."""
        self.remove_member(actor_id, company_id, actor_id)

    def change_role(self, actor_id: str, company_id: str, user_id: str, role: str) -> Membership:
        """Give a member another role; needs ``manage_team`` (R-MEM-8).

        Nobody gives a role with permissions they do not hold themselves (R-MEM-9).
        """
        role = self._known_role(role, required=True)
        return self._change_member(
            actor_id, company_id, user_id, Action.MANAGE_TEAM, {"role": role},
            lambda common, old: RoleChanged(
                **common, user_id=old.user_id, old_role=old.role, new_role=role
            ),
            grants=role,
        )  # fmt: skip

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
            company = self._company(tx, company_id, lock=True)
            target = self._membership(tx, company.id, to_user_id)
            self._require(tx, Action.TRANSFER_MAIN_CONTACT, company, actor_id, target)
            if target.is_main_contact:
                return target
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

        return self._command(work)

    def set_show_as_contact(
        self, actor_id: str, company_id: str, user_id: str, show: bool
    ) -> Membership:
        """Set a member's "show as contact" flag (R-MEM-5).

        Members may change their own; team managers anyone's.
        """
        if not isinstance(show, bool):
            raise InvalidInput(f"show must be True or False, got {show!r}")
        return self._change_member(
            actor_id, company_id, user_id, Action.SET_SHOW_AS_CONTACT, {"show_as_contact": show},
            lambda common, old: ContactVisibilityChanged(
                **common, user_id=old.user_id, show_as_contact=show
            ),
        )  # fmt: skip

    def members(self, actor_id: str, company_id: str) -> Sequence[Membership]:
        """The company's members with roles, for its members only (R-MEM-6)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._store.reader() as tx:
            company = self._company(tx, company_id, closed_ok=True)
            self._require(tx, Action.VIEW_MEMBERS, company, actor_id)
            return tx.memberships.of_company(company.id)

    def public_contacts(self, company_id: str) -> Sequence[Membership]:
        """Members listed on the public profile: those with "show as contact" on (R-MEM-5)."""
        check_id(company_id, "company")
        with self._store.reader() as tx:
            company = self._company(tx, company_id, closed_ok=True)
            return [m for m in tx.memberships.of_company(company.id) if m.show_as_contact]

    def companies_of(self, user_id: str) -> Sequence[Membership]:
        """Every membership of a user, one per company (R-MEM-1)."""
        check_id(user_id, "user")
        with self._store.reader() as tx:
            return tx.memberships.of_user(UserId(user_id))

    def main_contact(self, company_id: str) -> Membership | None:
        """The company's main contact, or ``None`` if it has no members (R-MC-1, R-MC-4)."""
        check_id(company_id, "company")
        with self._store.reader() as tx:
            company = self._company(tx, company_id, closed_ok=True)
            return next(
                (m for m in tx.memberships.of_company(company.id) if m.is_main_contact), None
            )

    # -- invitations ---------------------------------------------------------------

    def invite(
        self, actor_id: str, company_id: str, email: str, *, role: str | None = None
    ) -> IssuedInvitation:
        """Invite an e-mail address with a role; needs ``manage_team`` (R-INV-1).

        Returns the invitation and its secret token, which is not stored (R-INV-2).

        Raises:
            InvalidEmail: The address cannot be normalized (R-INV-4).
            AlreadyInvited: A pending invitation for it exists; re-send that one.
            AlreadyAMember: A user with that address is already a member.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        address = normalize_email(email)
        role = self._known_role(role)

        def work(tx: Transaction, now: datetime) -> IssuedInvitation:
            company = self._company(tx, company_id, lock=True)
            self._require(tx, Action.INVITE, company, actor_id)
            self._require_grant(tx, company, actor_id, role)
            existing_user = tx.users.get_by_email(address)
            if existing_user is not None and tx.memberships.get(company.id, existing_user.id):
                raise AlreadyAMember(company.id, existing_user.id)
            pending = tx.invitations.pending_for(company.id, address)
            if pending is not None:
                raise AlreadyInvited(
                    f"{address!r} already has pending invitation {pending.id!r}; re-send it"
                )
            return self._issue(tx, now, company, UserId(actor_id), address, role, replaces=None)

        return self._command(work)

    def resend_invitation(
        self, actor_id: str, company_id: str, invitation_id: str
    ) -> IssuedInvitation:
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
            company = self._company(tx, company_id, lock=True)
            self._require(tx, Action.INVITE, company, actor_id)
            old = self._invitation(tx, company.id, invitation_id)
            _require_not_closed(old)
            tx.invitations.update(
                attrs.evolve(old, status=InvitationStatus.SUPERSEDED, closed_at=now)
            )
            return self._issue(tx, now, company, UserId(actor_id), old.email, old.role, old.id)

        return self._command(work)

    def revoke_invitation(self, actor_id: str, company_id: str, invitation_id: str) -> Invitation:
        """Revoke a pending invitation; its token stops working (R-INV-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(invitation_id, "invitation")

        def work(tx: Transaction, now: datetime) -> Invitation:
            company = self._company(tx, company_id, lock=True)
            self._require(tx, Action.INVITE, company, actor_id)
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

        return self._command(work)

    def accept_invitation(self, user_id: str, token: str) -> Membership:
        """Accept an invitation: the user becomes a member with the invited role (R-INV-3).

        Raises:
            InvitationNotFound: The token is unknown.
            InvitationExpired / InvitationRevoked / InvitationUsed: It cannot be used.
            InvitationEmailMismatch: The user's e-mail is not the invited one and the
                company requires a match (the default).
            AlreadyAMember: The user is a member already.
        """
        check_id(user_id, "user")
        check_id(token, "invitation token", MAX_TOKEN_LENGTH)
        token_hash = hash_token(token)

        def work(tx: Transaction, now: datetime) -> Membership:
            found = tx.invitations.get_by_token_hash(token_hash)
            if found is None:
                raise InvitationNotFound("unknown invitation token")
            company = self._company(tx, found.company_id, lock=True)
            invitation = tx.invitations.get(found.id) or found  # re-read under the lock
            _require_not_closed(invitation)
            if now >= invitation.expires_at:
                raise InvitationExpired(
                    f"invitation {invitation.id!r} expired at {invitation.expires_at.isoformat()}"
                )
            user = self._user(tx, user_id)
            if company.settings.invitation_email_must_match and user.email != invitation.email:
                raise InvitationEmailMismatch(
                    f"invitation {invitation.id!r} is for {invitation.email!r}, "
                    f"not for {user.email!r}"
                )
            if tx.memberships.get(company.id, user.id) is not None:
                raise AlreadyAMember(company.id, user.id)
            self._require_issuer_grant(tx, company, invitation)
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
            return self._join(
                tx, now, company, user, invitation.role, actor_id=user.id, via=invitation.id
            )

        return self._command(work)

    def invitations(self, actor_id: str, company_id: str) -> Sequence[Invitation]:
        """The company's invitations, for members who may invite (R-INV-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._store.reader() as tx:
            company = self._company(tx, company_id, closed_ok=True)
            self._require(tx, Action.INVITE, company, actor_id)
            return tx.invitations.of_company(company.id)

    # -- decisions -----------------------------------------------------------------

    def check(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
    ) -> Decision:
        """Decide whether the actor may do ``action`` in the company (R-ALL-2).

        Returns a :class:`~teamaccess.Decision` that is truthy when allowed and says
        why, with the deciding rule. Never raises for unknown ids: they are denied
        (R-ALL-1). A malformed id or action (not a string, empty, too long, with
        control characters or outer spaces) raises
        :class:`~teamaccess.errors.InvalidName`, the same on every store (R-ALL-7).
        """
        if not well_formed(actor_id, company_id, action):
            check_id(actor_id, "user")
            check_id(company_id, "company")
            check_id(action, "action")
        if target_user_id is None:  # the hot path: one read of everything decide needs
            company, actor, above = self._store.check_facts(company_id, actor_id)
            return decide(
                action, company=company, actor=actor, policy=self._policy, ancestor_member=above
            )
        check_id(target_user_id, "user")
        with self._store.reader() as tx:  # an action aimed at a member: its membership too
            company = tx.companies.get(CompanyId(company_id))
            target = tx.memberships.get(CompanyId(company_id), UserId(target_user_id))
            return self._decide(tx, action, company, actor_id, target)

    def require(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
    ) -> Decision:
        """Like :meth:`check`, but raise :class:`~teamaccess.errors.AccessDenied` if denied."""
        decision = self.check(actor_id, company_id, action, target_user_id=target_user_id)
        raise_if_denied(decision)
        return decision

    # -- outbox ----------------------------------------------------------------------

    def pending_events(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The oldest undelivered outbox messages, for a consumer (R-ALL-4)."""
        check_count(limit, "limit", 1, 1_000_000)
        with self._store.reader() as tx:
            return tx.outbox.pending(limit)

    def mark_delivered(self, positions: Sequence[int]) -> None:
        """Mark outbox messages delivered once the consumer has handled them."""
        positions = check_positions(positions)

        def work(tx: Transaction, now: datetime) -> None:
            tx.outbox.mark_delivered(list(positions), now)

        self._command(work)

    # -- internals -----------------------------------------------------------------

    def _join(
        self,
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

    def _issue(
        self,
        tx: Transaction,
        now: datetime,
        company: Company,
        actor_id: UserId,
        email: str,
        role: str,
        replaces: InvitationId | None,
    ) -> IssuedInvitation:
        token = self._tokens()
        invitation = Invitation(
            id=InvitationId(self._ids("invitation")),
            company_id=company.id,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor_id,
            created_at=now,
            expires_at=now + company.settings.invitation_ttl,
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

    @staticmethod
    def _invitation(tx: Transaction, company_id: CompanyId, invitation_id: str) -> Invitation:
        invitation = tx.invitations.get(InvitationId(check_id(invitation_id, "invitation")))
        if invitation is None or invitation.company_id != company_id:
            raise InvitationNotFound(f"no invitation {invitation_id!r} in company {company_id!r}")
        return invitation


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
