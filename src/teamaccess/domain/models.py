"""The domain values: users, companies, memberships, invitations.

All values are frozen ``attrs`` classes; a change makes a new value with
`attrs.evolve`. Rules that depend only on these values live here or in
`teamaccess.domain.policy`; nothing here does I/O.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs

from teamaccess.domain.ids import CompanyId, InvitationId, UserId, shown
from teamaccess.domain.leads import MarketRole
from teamaccess.domain.partners import PropertyValue
from teamaccess.errors import InvalidInput

__all__ = [
    "AddMembersBy",
    "Company",
    "CompanyRole",
    "CompanySettings",
    "Invitation",
    "InvitationStatus",
    "Membership",
    "User",
    "hash_token",
]


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def names(value: Iterable[str]) -> frozenset[str]:
    """A set of role or permission names (the converter of the fields holding one)."""
    return frozenset(value)


@attrs.frozen
class CompanyRole:
    """A role a company's admins defined for that company (R-ROLE-1).

    Attributes:
        name: Its key, unique in the company and never one of the built-in roles; it
            never changes, so memberships and invitations keep pointing at it.
        label: The name shown to people; renaming a role changes only this.
        permissions: What it grants: names from the host's permission list.
    """

    name: str
    label: str
    permissions: frozenset[str] = attrs.field(converter=names)


@attrs.frozen
class User:
    """A person known to the host platform.

    Attributes:
        id: The host's opaque id for the user.
        email: The normalized e-mail address (R-INV-4), unique among users.
        attributes: Host facts about the user that an eligibility predicate may read,
            e.g. ``{"networking": "on"}`` (R-MEM-4).
    """

    id: UserId
    email: str
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)


class AddMembersBy(str, enum.Enum):
    """Who may add members to a company (R-MEM-3)."""

    ANY_MEMBER = "any_member"
    """Every active member may add colleagues (the default, as in seed 000)."""
    TEAM_MANAGERS = "team_managers"
    """Only members whose role grants ``manage_team`` (partner child accounts, seed 004)."""


@attrs.frozen
class CompanySettings:
    """Per-company switches; each default is the behaviour the seeds describe.

    Attributes:
        add_members_by: Who may add members (R-MEM-3).
        invitation_ttl: How long an invitation token stays valid (R-INV-2).
        invitation_email_must_match: Whether the accepting user's e-mail must equal
            the invited address (R-INV-3).
        support_approval_by_platform: Whether a second platform admin may approve
            platform staff's support access instead of the main contact (R-SUP-1).
    """

    add_members_by: AddMembersBy = AddMembersBy.ANY_MEMBER
    invitation_ttl: timedelta = timedelta(days=7)
    invitation_email_must_match: bool = True
    support_approval_by_platform: bool = False

    def __attrs_post_init__(self) -> None:
        """Refuse values of the wrong type and a lifetime outside (0, 10 years] (R-ALL-6)."""
        ttl: object = self.invitation_ttl  # a host may pass anything: checked, not trusted
        if not isinstance(ttl, timedelta) or not timedelta(0) < ttl <= MAX_INVITATION_TTL:
            raise InvalidInput(
                f"invitation_ttl must be a positive timedelta of at most "
                f"{MAX_INVITATION_TTL.days} days, got {shown(ttl)}"
            )
        members_by: object = self.add_members_by
        if not isinstance(members_by, AddMembersBy):
            try:
                object.__setattr__(self, "add_members_by", AddMembersBy(members_by))
            except ValueError:
                raise InvalidInput(
                    f"add_members_by must be one of {', '.join(m.value for m in AddMembersBy)}, "
                    f"got {shown(members_by)}"
                ) from None
        must_match: object = self.invitation_email_must_match
        if not isinstance(must_match, bool):
            raise InvalidInput(
                f"invitation_email_must_match must be True or False, got {shown(must_match)}"
            )
        if not isinstance(self.support_approval_by_platform, bool):
            raise InvalidInput(
                f"support_approval_by_platform must be True or False, got "
                f"{shown(self.support_approval_by_platform)}"
            )


MAX_INVITATION_TTL = timedelta(days=3653)
"""The longest an invitation may stay valid: ten years (R-ALL-6)."""


@attrs.frozen
class Company:
    """The tenant that users act for.

    Attributes:
        id: The company's id.
        name: The display name shown on its profile.
        created_at: When it was created (UTC).
        settings: Its [CompanySettings][teamaccess.CompanySettings].
        parent_id: The partner above it, if any (R-PART-1).
        pricing_model: The named plan it is on, if any (R-LIC-3).
        properties: Values of the custom properties its parent defined (R-PART-4).
        market_roles: The roles it plays on a lead marketplace (R-LEAD-1).
        closed_at: When it was closed; a closed company refuses new actions (R-CO-3).
        merged_into: The company it was merged into (R-CO-2).
        suspended_at: When a platform admin suspended it; a suspended company refuses
            every action until it is resumed (R-CO-5).
        suspension_reason: Why it was suspended (an unpaid invoice, an incident).
        sight_starts_at: When the sight its parent's members have of it starts
            (R-PART-2, R-PART-5, R-TIME-1): before it, they have none. ``None``: at once.
        sight_expires_at: When that sight ends; from then on the link to the parent
            gives no sight of it or of anything below it, before any sweep (R-TIME-1).
            ``None``: never. Its own members are not concerned.
        sight_expired: Whether the sweep has ended that sight with its
            `PartnerSightExpired` event (R-TIME-2); the window stays as it was, so the
            sight stays ended until a new window is set (R-TIME-4).
        roles: The roles its admins defined, by name (R-ROLE-1); they count in this
            company only, beside the built-in roles of the policy.
    """

    id: CompanyId
    name: str
    created_at: datetime
    settings: CompanySettings = CompanySettings()
    parent_id: CompanyId | None = None
    pricing_model: str | None = None
    properties: Mapping[str, PropertyValue] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )
    market_roles: frozenset[MarketRole] = frozenset()
    closed_at: datetime | None = None
    merged_into: CompanyId | None = None
    suspended_at: datetime | None = None
    suspension_reason: str | None = None
    sight_starts_at: datetime | None = None
    sight_expires_at: datetime | None = None
    sight_expired: bool = False
    roles: Mapping[str, CompanyRole] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )

    @property
    def is_closed(self) -> bool:
        """Whether the company was closed (R-CO-3)."""
        return self.closed_at is not None

    @property
    def is_suspended(self) -> bool:
        """Whether the company is suspended (R-CO-5)."""
        return self.suspended_at is not None


@attrs.frozen
class Membership:
    """A user linked to a company, with a role (R-MEM-1, R-MEM-8).

    Attributes:
        company_id: The company.
        user_id: The member.
        role: A role name known to the role policy, e.g. ``"admin"``.
        is_main_contact: Whether this member is the company's main contact (R-MC-1).
        show_as_contact: Whether the member is listed as a public contact (R-MEM-5).
        joined_at: When the membership began (UTC).
        is_handler: Whether the member is a responsible handler, who assigns the
            company's leads to colleagues (R-LEAD-5).
        origin: The partner company whose staff the member received this membership
            as (by creating the account, or being added by an admin of the partner);
            it ends when they leave or are removed from that partner (R-PART-6).
            ``None`` for a membership the account's own members gave.
        starts_at: When the membership starts to count (UTC); before it, the user is
            not a member for any decision (R-TIME-1). ``None``: at once.
        expires_at: When it ends (UTC); from then on the user is not a member for any
            decision, before any sweep runs (R-TIME-1). ``None``: never.
        role_until: When ``role`` ends (a temporary role, e.g. admin until a date);
            from then on the member holds ``role_after`` (R-TIME-1). ``None``: never.
        role_after: The role the member falls back to at ``role_until``.
        extra_roles: Further roles the member holds beside ``role`` (R-ROLE-3); what
            they may do is the union of all their roles' permissions. A temporary role
            (``role_until``) concerns ``role`` only.
    """

    company_id: CompanyId
    user_id: UserId
    role: str
    joined_at: datetime
    is_main_contact: bool = False
    show_as_contact: bool = True
    is_handler: bool = False
    origin: CompanyId | None = None
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    role_until: datetime | None = None
    role_after: str | None = None
    extra_roles: frozenset[str] = attrs.field(default=frozenset(), converter=names)

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the member holds: ``role`` first, then the others by name (R-ROLE-3)."""
        if not self.extra_roles:
            return (self.role,)
        return (self.role, *sorted(self.extra_roles - {self.role}))


class InvitationStatus(str, enum.Enum):
    """The stored life-cycle state of an invitation; expiry is computed, not stored."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    """Replaced by a re-sent invitation whose new token voids this one (R-INV-2)."""


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored (R-INV-2)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@attrs.frozen
class Invitation:
    """An invitation of an e-mail address into a company with a role (R-INV-1).

    Only the hash of its secret token is kept (R-INV-2).

    Attributes:
        id: The invitation's id.
        company_id: The inviting company.
        email: The normalized invited address.
        role: The role the membership will get on acceptance.
        token_hash: ``hash_token(token)``.
        invited_by: The member who sent it.
        created_at: When it was sent.
        expires_at: When its token stops working.
        status: Its stored [InvitationStatus][teamaccess.InvitationStatus].
        accepted_by: The user who accepted it, once accepted.
        closed_at: When it was accepted, revoked or superseded.
        member_until: When the membership it gives ends (R-TIME-1); ``None``: never.
    """

    id: InvitationId
    company_id: CompanyId
    email: str
    role: str
    token_hash: str
    invited_by: UserId
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    accepted_by: UserId | None = None
    closed_at: datetime | None = None
    member_until: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        """Return whether the token can still be accepted at ``now``."""
        return self.status is InvitationStatus.PENDING and now < self.expires_at
