"""Repositories of leads, inbox requests, shared records and service links (seeds 000, 001, 003)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from teamaccess.domain.ids import CompanyId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead, LeadState, RequestState
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.records import RecordKind, ServiceLink, SharedRecord

__all__ = ["InboxRequests", "Leads", "Records", "ServiceLinks"]


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

    def visible_page(
        self,
        company_id: CompanyId,
        user_id: UserId,
        *,
        state: LeadState | None,
        after: LeadId | None,
        limit: int,
    ) -> tuple[Company | None, Membership | None, Sequence[Lead]]:
        """The company, the user's membership in it, and one page of the leads it sees.

        What the service decides on (R-LEAD-4) and the page (R-LEAD-7), read together:
        on SQL one indexed statement. The page holds the leads ``company_id`` operates,
        gave or picked, and those offered to it; ordered by id, after ``after``, at
        most ``limit``. It is empty unless the membership exists and the company is
        open (neither closed nor suspended): the leads never reach a read the stored
        facts refuse. ``None`` for a company or a membership that is not there.
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

    def of_sender(self, email: str) -> Sequence[InboxRequest]:
        """Every request sent from this normalized address, in any company, by id."""
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
