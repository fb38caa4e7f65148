"""The ports: what the service needs from storage and from the outside world.

Storage adapters implement [Store][teamaccess.Store]; everything below it is reached through a
[Transaction][teamaccess.ports.Transaction] (the unit of work). Adapters store and find; they never
decide
access. Each write method raises the library's own [teamaccess.errors][] for a
broken uniqueness rule, exactly as a database constraint would.

The clock, id and token factories are injectable so that tests are deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from teamaccess.domain.decisions import Decision
from teamaccess.domain.events import Event, OutboxMessage
from teamaccess.domain.ids import CompanyId, InvitationId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead, LeadState, RequestState
from teamaccess.domain.models import Company, Invitation, Membership, User
from teamaccess.domain.partners import Article, License, PropertyDefinition
from teamaccess.domain.records import RecordKind, ServiceLink, SharedRecord
from teamaccess.domain.seats import Enrollment, PoolId, Product, ProductId, SeatPool, TagGrant

__all__ = [
    "Articles",
    "Clock",
    "Companies",
    "Eligibility",
    "Enrollments",
    "IdFactory",
    "InboxRequests",
    "Invitations",
    "Leads",
    "Licenses",
    "Memberships",
    "Outbox",
    "Products",
    "PropertyDefinitions",
    "Records",
    "SeatPools",
    "ServiceLinks",
    "Store",
    "TagGrants",
    "TokenFactory",
    "Transaction",
    "UserDirectory",
    "Users",
]


class Clock(Protocol):
    """Returns the current time as an aware UTC ``datetime``."""

    def __call__(self) -> datetime:
        """Return now."""
        ...


class IdFactory(Protocol):
    """Makes a new unique id for a kind of entity (``"company"``, ``"invitation"``)."""

    def __call__(self, kind: str) -> str:
        """Return a fresh id."""
        ...


class TokenFactory(Protocol):
    """Makes a new secret, unguessable invitation token."""

    def __call__(self) -> str:
        """Return a fresh token."""
        ...


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

    def add(self, user: User) -> None:
        """Insert; raise ``UserAlreadyExists`` or ``EmailTaken`` on a duplicate."""
        ...

    def add_many(self, users: Sequence[User]) -> None:
        """Insert several users at once (bulk import); duplicates raise as in `add`."""
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

    def add(self, invitation: Invitation) -> None:
        """Insert."""
        ...

    def update(self, invitation: Invitation) -> None:
        """Replace the stored invitation with the same id."""
        ...

    def all(self) -> Sequence[Invitation]:
        """Every invitation, ordered by id."""
        ...


class Products(Protocol):
    """Products that sell group access."""

    def get(self, product_id: ProductId) -> Product | None:
        """Return the product or ``None``."""
        ...

    def add(self, product: Product) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def all(self) -> Sequence[Product]:
        """Every product, ordered by id."""
        ...


class SeatPools(Protocol):
    """Seat pools (groups)."""

    def get(self, pool_id: PoolId, *, for_update: bool = False) -> SeatPool | None:
        """Return the pool or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, pool: SeatPool) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def update(self, pool: SeatPool) -> None:
        """Replace the stored pool; the store refuses ``used > seats`` (``SeatsExhausted``)."""
        ...

    def all(self) -> Sequence[SeatPool]:
        """Every pool, ordered by id."""
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Make the pools bought by ``source`` belong to ``target`` (a merge, R-CO-2)."""
        ...

    def led_by(self, company_id: CompanyId, user_id: UserId) -> Sequence[SeatPool]:
        """The pools of ``company_id`` that ``user_id`` leads, ordered by id (R-MEM-10)."""
        ...


class Enrollments(Protocol):
    """Participants holding seats, at most one seat per (pool, user)."""

    def get(self, pool_id: PoolId, user_id: UserId) -> Enrollment | None:
        """Return the enrollment or ``None``."""
        ...

    def of_pool(self, pool_id: PoolId) -> Sequence[Enrollment]:
        """The pool's participants, ordered by user id."""
        ...

    def add(self, enrollment: Enrollment) -> None:
        """Insert; raise ``AlreadyEnrolled`` on a duplicate."""
        ...

    def add_many(self, enrollments: Sequence[Enrollment]) -> None:
        """Insert several enrollments at once; a duplicate raises ``AlreadyEnrolled``."""
        ...

    def remove(self, pool_id: PoolId, user_id: UserId) -> None:
        """Delete the enrollment."""
        ...

    def all(self) -> Sequence[Enrollment]:
        """Every enrollment, ordered by (pool id, user id)."""
        ...


class TagGrants(Protocol):
    """Tags held per source (R-TAG-3)."""

    def add(self, grant: TagGrant) -> None:
        """Insert; raise ``Conflict`` if this source already grants this tag."""
        ...

    def add_many(self, grants: Sequence[TagGrant]) -> None:
        """Insert several grants at once; a duplicate raises ``Conflict``."""
        ...

    def holders(self, tag: str, user_ids: Sequence[UserId]) -> frozenset[UserId]:
        """Those of ``user_ids`` who hold ``tag`` through at least one source."""
        ...

    def remove(self, user_id: UserId, tag: str, source: str) -> None:
        """Delete one source's grant."""
        ...

    def sources(self, user_id: UserId, tag: str) -> Sequence[str]:
        """The sources that give ``user_id`` the tag, ordered."""
        ...

    def lock_holders(self, user_ids: Sequence[UserId]) -> None:
        """Serialize tag changes of these users until the transaction ends (R-TAG-6).

        Called before the tags of a user are read and changed, so that what a tag
        event says (``still_held``, ``newly_held``) is true at commit: a SQL store
        locks the users' rows in id order; a store whose writers never overlap does
        nothing.
        """
        ...

    def tags_of(self, user_id: UserId) -> frozenset[str]:
        """Every tag the user holds through at least one source."""
        ...

    def all(self) -> Sequence[TagGrant]:
        """Every grant, ordered by (user, tag, source)."""
        ...


class PropertyDefinitions(Protocol):
    """Custom properties partners define for their child accounts (R-PART-4)."""

    def of_partner(self, partner_id: CompanyId) -> Sequence[PropertyDefinition]:
        """The partner's definitions, in the order they were defined."""
        ...

    def add(self, definition: PropertyDefinition) -> None:
        """Insert; raise ``Conflict`` if the partner has a property of that name."""
        ...

    def all(self) -> Sequence[PropertyDefinition]:
        """Every definition, ordered by (partner id, definition order)."""
        ...

    def remove_all(self, partner_id: CompanyId) -> None:
        """Delete the partner's definitions (a merge re-adds them, R-CO-2)."""
        ...


class Articles(Protocol):
    """What accounts bought (R-LIC-1)."""

    def add(self, article: Article) -> None:
        """Insert; raise ``Conflict`` if the account has an article with that number."""
        ...

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Article]:
        """The articles of these accounts, ordered by (company id, sku)."""
        ...

    def all(self) -> Sequence[Article]:
        """Every article, ordered by (company id, sku)."""
        ...

    def remove_all(self, company_id: CompanyId) -> None:
        """Delete the company's articles (a merge re-adds them, R-CO-2)."""
        ...


class Licenses(Protocol):
    """Counted entitlements per account and action kind (R-LIC-1, R-LIC-2)."""

    def get(self, company_id: CompanyId, kind: str, *, for_update: bool = False) -> License | None:
        """Return the license or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, license_: License) -> None:
        """Insert; raise ``Conflict`` if the account has a license of that kind."""
        ...

    def update(self, license_: License) -> None:
        """Replace the stored license; the store refuses ``used > limit`` (``LicenseExhausted``)."""
        ...

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[License]:
        """The licenses of these accounts, ordered by (company id, kind)."""
        ...

    def all(self) -> Sequence[License]:
        """Every license, ordered by (company id, kind)."""
        ...

    def remove_all(self, company_id: CompanyId) -> None:
        """Delete the company's licenses (a merge re-adds them, R-CO-2)."""
        ...


class Leads(Protocol):
    """Leads and the offers of each lead to taker companies (R-LEAD-2, R-LEAD-3)."""

    def get(self, lead_id: LeadId, *, for_update: bool = False) -> Lead | None:
        """Return the lead or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, lead: Lead, offered_to: Sequence[CompanyId]) -> None:
        """Insert a lead with its offers; raise ``Conflict`` on a duplicate id."""
        ...

    def update(self, lead: Lead) -> None:
        """Replace the stored lead with the same id."""
        ...

    def offered_to(self, lead_id: LeadId) -> Sequence[CompanyId]:
        """The companies the lead is currently offered to, ordered by id."""
        ...

    def end_offers(self, lead_id: LeadId) -> None:
        """Delete every offer of the lead (it was picked)."""
        ...

    def visible_to(
        self,
        company_id: CompanyId,
        *,
        state: LeadState | None,
        after: LeadId | None,
        limit: int,
    ) -> Sequence[Lead]:
        """One page of the leads members of ``company_id`` may see (R-LEAD-7).

        Those it operates, gave or picked, and those offered to it; ordered by id,
        after ``after``, at most ``limit``; one indexed query on SQL.
        """
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Make every reference to ``source`` (operator, giver, picker, offers) ``target``."""
        ...

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[Lead]:
        """Leads picked by ``company_id`` and assigned to ``user_id``, by id (R-MEM-10)."""
        ...

    def all(self) -> Sequence[Lead]:
        """Every lead, ordered by id."""
        ...

    def all_offers(self) -> Sequence[tuple[LeadId, CompanyId]]:
        """Every open offer as (lead, company), ordered."""
        ...


class InboxRequests(Protocol):
    """Contact and meeting requests in company inboxes (R-LEAD-6)."""

    def get(self, request_id: RequestId, *, for_update: bool = False) -> InboxRequest | None:
        """Return the request or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, request: InboxRequest) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def update(self, request: InboxRequest) -> None:
        """Replace the stored request with the same id."""
        ...

    def of_company(
        self,
        company_id: CompanyId,
        *,
        state: RequestState | None,
        after: RequestId | None,
        limit: int,
    ) -> Sequence[InboxRequest]:
        """One page of the company's inbox, ordered by id, after ``after``."""
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Move ``source``'s inbox to ``target`` (a merge, R-CO-2)."""
        ...

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[InboxRequest]:
        """Requests in the inbox of ``company_id`` assigned to ``user_id``, by id (R-MEM-10)."""
        ...

    def all(self) -> Sequence[InboxRequest]:
        """Every request, ordered by id."""
        ...


class Records(Protocol):
    """Shared records of customer companies (R-REC-1..3)."""

    def get(self, record_id: RecordId) -> SharedRecord | None:
        """Return the record or ``None``."""
        ...

    def add(self, record: SharedRecord) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def timeline(
        self,
        customer_id: CompanyId,
        *,
        since: datetime,
        until: datetime | None,
        visible_at: datetime | None,
        kinds: frozenset[RecordKind] | None,
        after: tuple[datetime, RecordId] | None,
        limit: int,
    ) -> Sequence[SharedRecord]:
        """One page of the customer's records with ``since <= occurred_at < until``.

        ``until=None`` sets no upper bound.

        Newest first (by ``occurred_at``, then id, both descending), after the keyset
        ``after``. With ``visible_at`` only records whose embargo has ended by then
        (R-REC-2); with ``kinds`` only those kinds. One indexed query on SQL.
        """
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Move ``source``'s records to ``target`` (a merge, R-CO-2)."""
        ...

    def all(self) -> Sequence[SharedRecord]:
        """Every record, ordered by id."""
        ...


class ServiceLinks(Protocol):
    """Providers and service providers linked to customers (R-REC-1)."""

    def get(self, customer_id: CompanyId, partner_id: CompanyId) -> ServiceLink | None:
        """Return the link or ``None``."""
        ...

    def add(self, link: ServiceLink) -> None:
        """Insert; raise ``Conflict`` if the two are linked already."""
        ...

    def of_customer(self, customer_id: CompanyId) -> Sequence[ServiceLink]:
        """The customer's links, ordered by partner id."""
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Make ``target`` take ``source``'s place on either side of every link.

        A link the target already has is not doubled.
        """
        ...

    def all(self) -> Sequence[ServiceLink]:
        """Every link, ordered by (customer, partner)."""
        ...


class Outbox(Protocol):
    """Domain events written in the same transaction as the change (R-ALL-4)."""

    def append(self, event: Event) -> None:
        """Add an event; it becomes visible when the transaction commits."""
        ...

    def extend(self, events: Sequence[Event]) -> None:
        """Add several events at once, in order."""
        ...

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The oldest undelivered messages, at most ``limit``, in order."""
        ...

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        """Mark these messages delivered."""
        ...

    def all(self) -> Sequence[OutboxMessage]:
        """Every message in order (the audit trail)."""
        ...


class Transaction(Protocol):
    """One unit of work: changes made through it commit together or not at all."""

    @property
    def users(self) -> Users:
        """The users repository."""
        ...

    @property
    def companies(self) -> Companies:
        """The companies repository."""
        ...

    @property
    def memberships(self) -> Memberships:
        """The memberships repository."""
        ...

    @property
    def invitations(self) -> Invitations:
        """The invitations repository."""
        ...

    @property
    def products(self) -> Products:
        """The products repository."""
        ...

    @property
    def pools(self) -> SeatPools:
        """The seat pools repository."""
        ...

    @property
    def enrollments(self) -> Enrollments:
        """The enrollments repository."""
        ...

    @property
    def tags(self) -> TagGrants:
        """The tag grants repository."""
        ...

    @property
    def properties(self) -> PropertyDefinitions:
        """The custom property definitions repository."""
        ...

    @property
    def articles(self) -> Articles:
        """The articles repository."""
        ...

    @property
    def licenses(self) -> Licenses:
        """The licenses repository."""
        ...

    @property
    def leads(self) -> Leads:
        """Leads and their offers."""
        ...

    @property
    def inbox(self) -> InboxRequests:
        """Company inbox requests."""
        ...

    @property
    def records(self) -> Records:
        """Shared records."""
        ...

    @property
    def links(self) -> ServiceLinks:
        """Service links between customers and providers."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The outbox."""
        ...

    def commit(self) -> None:
        """Make every change of this transaction durable and visible."""
        ...


class Store(Protocol):
    """A storage adapter (R-ALL-5)."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Begin a unit of work; leaving the block without ``commit`` rolls it back."""
        ...

    def reader(self) -> AbstractContextManager[Transaction]:
        """Begin a read-only view that sees only committed state."""
        ...

    def check_facts(
        self, company_id: str, user_id: str
    ) -> tuple[Company | None, Membership | None, Membership | None]:
        """What a permission check needs, read together in one go.

        The company, the user's membership in it, and, if they are not a member, their
        membership in the nearest ancestor of the company (R-PART-2). The hot path of
        a check: on SQL one statement (through the closure table), without an
        explicit transaction; in memory a few lookups under the store's lock.
        """
        ...


class Eligibility(Protocol):
    """The host's rule for who may be added to a company (R-MEM-4).

    Return an allowing [Decision][teamaccess.Decision], or a denying one whose reason
    names the failed precondition (e.g. ``Decision.deny("networking_off", "R-MEM-4")``).
    """

    def __call__(self, *, actor: User, candidate: User, company: Company) -> Decision:
        """Decide whether ``actor`` may add ``candidate`` to ``company``."""
        ...


class UserDirectory(Protocol):
    """The host's user directory, asked to register a person enrolled by e-mail (R-SEAT-5).

    Called inside the enrolling transaction; return the new user's id. If the
    transaction then fails, the host may see an id that never became a teamaccess user,
    so make registration lazy or idempotent by e-mail.
    """

    def __call__(self, email: str) -> str:
        """Register ``email`` with the host and return its user id."""
        ...
