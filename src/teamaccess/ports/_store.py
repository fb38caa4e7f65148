"""The unit of work, the store, the outbox, and the pluggable parts of the service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from teamaccess.domain.audit import AuditFilter
from teamaccess.domain.audit_chain import SealedEvent
from teamaccess.domain.decisions import Decision
from teamaccess.domain.events import Event, OutboxMessage
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company, Membership, User
from teamaccess.domain.windows import Window
from teamaccess.ports._domains import DomainClaims, JoinRequests
from teamaccess.ports._partners import Articles, Licenses, PropertyDefinitions
from teamaccess.ports._people import Companies, Invitations, Memberships, Users
from teamaccess.ports._provisioning import Directories
from teamaccess.ports._seats import Enrollments, Products, SeatPools, TagGrants
from teamaccess.ports._support import SupportGrants
from teamaccess.ports._work import InboxRequests, Leads, Records, ServiceLinks

__all__ = [
    "CheckFacts",
    "Clock",
    "Eligibility",
    "IdFactory",
    "Outbox",
    "Store",
    "TokenFactory",
    "Transaction",
    "UserDirectory",
]


CheckFacts = tuple[
    Company | None, Membership | None, Membership | None, Company | None, Window | None
]
"""What `Store.check_facts` reads: company, membership, ancestor's membership, ancestor, sight."""


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


class Outbox(Protocol):
    """Domain events written in the same transaction as the change (R-ALL-4)."""

    def append(self, event: Event) -> None:
        """Add an event; it becomes visible when the transaction commits."""
        ...

    def extend(self, events: Sequence[Event]) -> None:
        """Add several events at once, in order."""
        ...

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The oldest undelivered messages that are not dead, at most ``limit``, in order.

        Never fails because of one row: an event this version cannot read is an
        ``UndecodableEvent`` (R-ALL-11), as in every read of the outbox.
        """
        ...

    def count_pending(self) -> int:
        """How many messages are neither delivered nor dead."""
        ...

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        """Mark these messages delivered (and end their lease)."""
        ...

    def claim(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        """Lease up to ``limit`` due messages to relay ``owner`` until ``until`` (R-ALL-8).

        Due: pending, not dead, not leased (or the lease ended by ``now``), retry time
        reached. Concurrent claims never lease one message twice (``SKIP LOCKED``, the
        single writer, the store's lock). Of each company only the run of messages up
        to its first pending message not claimed here is leased (the domain rule
        ``in_company_order``); a claim looks past the messages of companies held back
        that way, so they never starve the others (R-ALL-11). In order. A stored event
        this version cannot read comes as an ``UndecodableEvent``, never an error.

        Relays share the work by company (R-ALL-8): the claim keeps ``owner`` alive
        until ``until``, and looks first at the shards of its share among the relays
        alive at ``now`` (``teamaccess.domain.relay.share``); only when nothing there is
        due does it look at every shard. Order never depends on the shares.
        """
        ...

    def leave(self, owner: str) -> None:
        """Relay ``owner`` stops: the others share its shards from their next claim."""
        ...

    def release(self, owner: str, positions: Sequence[int]) -> None:
        """End ``owner``'s lease of these messages without counting an attempt.

        A message whose lease has passed to another relay keeps that relay's lease.
        """
        ...

    def failed(
        self,
        owner: str,
        position: int,
        error: str,
        retry_at: datetime | None,
        dead_at: datetime | None,
    ) -> None:
        """Count ``owner``'s failed attempt and end its lease; due at ``retry_at``, or dead.

        Nothing changes when the lease has passed to another relay meanwhile: its
        attempt is the one that counts.
        """
        ...

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The oldest dead messages (parked after their last attempt), at most ``limit``."""
        ...

    def redrive(self, positions: Sequence[int] | None) -> int:
        """Make these dead messages (all, for ``None``) pending again; how many."""
        ...

    def redact(self, old: str, new: str) -> int:
        """Replace ``old`` by ``new`` inside every string of every stored payload.

        Erasure (GDPR art. 17) gives a person a pseudonym in the audit trail; the
        events keep their shape. A relay's stored error (``last_error``), which may
        quote a payload, is redacted too (R-CO-9). Returns how many messages changed.
        """
        ...

    def all(self) -> Sequence[OutboxMessage]:
        """Every message in order (the audit trail)."""
        ...

    def search(self, query: AuditFilter, limit: int) -> Sequence[OutboxMessage]:
        """The first ``limit`` messages in order that ``query`` keeps (``query.matches``)."""
        ...

    def forget_context(self, actor_id: UserId) -> int:
        """Drop the request context from the stored events ``actor_id`` did; how many.

        The client's address and browser are personal data: erasure (R-CO-7) ends them.
        """
        ...

    def purge(self, before: datetime, keep: frozenset[str]) -> int:
        """Delete the delivered or dead messages that occurred before ``before``; how many.

        Pending messages (still owed to a consumer) and those whose kind is in ``keep``
        stay.
        """
        ...

    def chain(self, company_id: CompanyId | None, after: int, limit: int) -> Sequence[SealedEvent]:
        """The next ``limit`` events of a company's audit chain after position ``after``.

        ``None``: the chain of the events without a company. In outbox order, each as
        stored beside its seal (``teamaccess.domain.audit_chain``), for ``ta.audit.verify``.
        """
        ...

    def head(self, company_id: CompanyId | None) -> str | None:
        """The head of a company's audit chain as stored (the seal of its last event).

        ``None`` if the store keeps no head for it (no event was ever appended).
        """
        ...

    def reseal(self) -> Mapping[CompanyId | None, int]:
        """Seal again the chains this transaction's rewrites changed; per chain, how many events.

        ``redact``, ``forget_context`` and ``purge`` change stored events; each chain
        they changed is sealed again from its first changed event on, and its head
        follows. Appending seals each event after its chain's head, which it locks until the
        transaction ends, so that concurrent commands link one after the other. The
        rewrites above only mark what they changed; the command calls this before it
        appends its own event, and records the answer (per chain, how many events
        were sealed again) in it. Locks the heads of those chains.
        """
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
    def domains(self) -> DomainClaims:
        """Company domain claims (R-DOM-1)."""
        ...

    @property
    def join_requests(self) -> JoinRequests:
        """Join requests by domain (R-DOM-3)."""
        ...

    @property
    def support(self) -> SupportGrants:
        """Support grants of platform staff (R-SUP-1)."""
        ...

    @property
    def directories(self) -> Directories:
        """Connected directories and their records (R-PROV-1)."""
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

    def reader(self, *, one_statement: bool = False) -> AbstractContextManager[Transaction]:
        """Begin a read-only view that sees only committed state.

        ``one_statement``: the caller reads with a single statement (a page of leads),
        so a store may run it without an explicit transaction: one statement sees one
        snapshot. Stores without such a difference ignore it.
        """
        ...

    def check_facts(self, company_id: str, user_id: str) -> CheckFacts:
        """What a permission check needs, read together in one go.

        The company, the user's membership in it, and, if they are not a member, their
        membership in the nearest ancestor of the company (R-PART-2) and that ancestor,
        whose state gates the sight it gives (R-CO-8), and the window of that sight:
        the intersection of the sight windows of the company and of each ancestor
        below that one (R-TIME-1; ``None`` if none has a window); ``None`` for what is
        not there.
        The hot path of a check: on SQL one statement (through the closure table),
        without an explicit transaction; in memory a few lookups under the store's lock.
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
