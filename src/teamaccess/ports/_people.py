"""Repositories of users, companies, memberships and invitations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.models import Company, Invitation, Membership, User
from teamaccess.domain.windows import Window

__all__ = ["Companies", "Invitations", "Memberships", "Users"]


class Users(Protocol):
    """Users known to the library."""

    def get(self, user_id: UserId) -> User | None:
        """Return the user or ``None``."""
        ...

    def get_by_email(self, email: str) -> User | None:
        """Return the user with this normalized e-mail or ``None``."""
        ...

    def get_many_by_email(self, emails: Sequence[str]) -> Mapping[str, User]:
        """The users with these normalized e-mails, keyed by e-mail; missing ones left out."""
        ...

    def get_many(self, user_ids: Sequence[UserId]) -> Mapping[UserId, User]:
        """The users with these ids, keyed by id; missing ones left out."""
        ...

    def add(self, user: User) -> None:
        """Insert; raise ``UserAlreadyExists`` or ``EmailTaken`` on a duplicate."""
        ...

    def add_many(self, users: Sequence[User]) -> None:
        """Insert several users at once (bulk import); duplicates raise as in `add`."""
        ...

    def update(self, user: User) -> None:
        """Replace the stored user with the same id (erasure gives it a pseudonym)."""
        ...

    def all(self) -> Sequence[User]:
        """Every user, ordered by id (for export and tests)."""
        ...


class Companies(Protocol):
    """Companies."""

    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Company | None:
        """Return the company or ``None``.

        With ``for_update`` the company is locked until the transaction ends, so
        commands on one company run one after another (seat races, transfers).
        """
        ...

    def add(self, company: Company) -> None:
        """Insert; raise ``CompanyAlreadyExists`` on a duplicate id."""
        ...

    def update(self, company: Company) -> None:
        """Replace the stored company with the same id (a new ``parent_id`` moves it)."""
        ...

    def all(self) -> Sequence[Company]:
        """Every company, ordered by id."""
        ...

    def ancestors(self, company_id: CompanyId) -> Sequence[CompanyId]:
        """The company's ancestors, parent first, root last (R-PART-2)."""
        ...

    def height(self, company_id: CompanyId) -> int:
        """How many levels of descendants the company has (0 for a leaf)."""
        ...

    def descendants(
        self, ancestor_id: CompanyId, *, after: CompanyId | None, limit: int
    ) -> Sequence[tuple[Company, int]]:
        """One page of proper descendants with their depth below ``ancestor_id``.

        Ordered by company id, starting after ``after`` (keyset pagination), at most
        ``limit``; one query on SQL, however many accounts there are.
        """
        ...

    def children(self, company_id: CompanyId) -> Sequence[Company]:
        """The company's direct children, ordered by id."""
        ...

    def sight_paths(
        self, ancestor_id: CompanyId, company_ids: Sequence[CompanyId]
    ) -> Mapping[CompanyId, Window]:
        """The window of the sight ``ancestor_id`` has of each of ``company_ids`` below it.

        The intersection of the sight windows of every link between them (R-TIME-1);
        only the companies whose window has a bound are named. One query on SQL.
        """
        ...

    def sight_due(self, now: datetime, limit: int) -> Sequence[Company]:
        """Up to ``limit`` companies whose sight window ended by ``now``, not yet swept.

        Those with ``sight_expires_at <= now`` and ``sight_expired`` false, ordered by
        id (R-TIME-2).
        """
        ...

    def sight_next_due(self, after: datetime) -> datetime | None:
        """The earliest ``sight_expires_at`` later than ``after``, or ``None``."""
        ...


class Memberships(Protocol):
    """Memberships, at most one per (company, user) (R-MEM-2)."""

    def get(self, company_id: CompanyId, user_id: UserId) -> Membership | None:
        """Return the membership or ``None``."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[Membership]:
        """The company's memberships, ordered by user id."""
        ...

    def of_user(self, user_id: UserId) -> Sequence[Membership]:
        """The user's memberships, ordered by company id."""
        ...

    def count(self, company_id: CompanyId) -> int:
        """How many members the company has."""
        ...

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Membership]:
        """The memberships of these companies, ordered by (company id, user id)."""
        ...

    def of_user_among(
        self, user_id: UserId, company_ids: Sequence[CompanyId]
    ) -> Sequence[Membership]:
        """The user's memberships in these companies, ordered by company id."""
        ...

    def admitted(
        self,
        company_id: CompanyId,
        *,
        roles: frozenset[str],
        main_contact_roles: frozenset[str],
        ancestors: bool,
        after: UserId | None,
        limit: int,
        ancestor_roles: frozenset[str] | None = None,
        built_in: frozenset[str] = frozenset(),
    ) -> Sequence[Membership]:
        """One page of the memberships an action admits in the company, by user id.

        A member counts if their role is in ``roles``, or in ``main_contact_roles`` and
        they are the main contact. With ``ancestors``, each user who is no member but a
        member of an ancestor counts too, by their membership in the nearest one
        (R-PART-2), if its role is in ``ancestor_roles`` (``None``: any role; R-PART-5
        admits an ancestor's admins only). Ordered by user id, after ``after``, at most
        ``limit``; on SQL one statement, however many members the company has.

        A membership that holds several roles (R-ROLE-3), or whose ancestor
        membership's role is not one of ``built_in`` (an ancestor's own role, R-ROLE-1),
        counts too: the caller decides such rows again, as it does every row.
        """
        ...

    def due(self, now: datetime, limit: int) -> Sequence[Membership]:
        """Up to ``limit`` memberships whose window or temporary role has ended by ``now``.

        Those with ``expires_at <= now`` or ``role_until <= now``, ordered by
        (company id, user id): what the expiry sweep ends (R-TIME-2).
        """
        ...

    def next_due(self, after: datetime) -> datetime | None:
        """The earliest ``expires_at`` or ``role_until`` later than ``after``, or ``None``.

        When the expiry sweep has work next: its schedule hint (R-TIME-2).
        """
        ...

    def add(self, membership: Membership) -> None:
        """Insert; raise ``AlreadyAMember`` on a duplicate (company, user)."""
        ...

    def update(self, membership: Membership) -> None:
        """Replace the stored membership of the same (company, user).

        Raises ``Conflict`` if it would give the company a second main contact.
        """
        ...

    def remove(self, company_id: CompanyId, user_id: UserId) -> None:
        """Delete the membership."""
        ...

    def all(self) -> Sequence[Membership]:
        """Every membership, ordered by (company id, user id)."""
        ...


class Invitations(Protocol):
    """Invitations, found by id or by the hash of their token."""

    def get(self, invitation_id: InvitationId) -> Invitation | None:
        """Return the invitation or ``None``."""
        ...

    def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        """Return the invitation whose token hashes to ``token_hash`` or ``None``."""
        ...

    def pending_for(self, company_id: CompanyId, email: str) -> Invitation | None:
        """Return the company's pending invitation of ``email`` or ``None``."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[Invitation]:
        """The company's invitations, ordered by id."""
        ...

    def of_email(self, email: str) -> Sequence[Invitation]:
        """Every invitation of this normalized address, in any company, ordered by id."""
        ...

    def add(self, invitation: Invitation) -> None:
        """Insert."""
        ...

    def update(self, invitation: Invitation) -> None:
        """Replace the stored invitation with the same id."""
        ...

    def all(self) -> Sequence[Invitation]:
        """Every invitation, ordered by id."""
        ...
