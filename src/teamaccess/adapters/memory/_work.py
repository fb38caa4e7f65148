"""In-memory leads, inbox requests, shared records and service links (seeds 000, 001, 003).

Leads are indexed by operator, giver, picker and offered company, each a sorted list
of lead ids, so "the leads this company may see, after id X" merges four ordered
streams and stops after one page (R-LEAD-7), as the SQL adapter's indexes do.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.adapters.memory._people import NOBODY
from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.gate import is_open
from teamaccess.domain.ids import CompanyId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead, LeadState, RequestState
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.records import RecordKind, ServiceLink, SharedRecord
from teamaccess.errors import Conflict

__all__ = ["MemoryInbox", "MemoryLeads", "MemoryLinks", "MemoryRecords"]


def _columns(lead: Lead) -> dict[str, CompanyId | None]:
    return {"operator": lead.operator_id, "giver": lead.giver_id, "picker": lead.picked_by}


class MemoryLeads(Repo):
    """Leads with their offers."""

    def get(self, lead_id: LeadId, *, for_update: bool = False) -> Lead | None:
        return self._t.leads.get(lead_id)

    def add(self, lead: Lead, offered_to: Sequence[CompanyId]) -> None:
        if lead.id in self._t.leads:
            raise Conflict(f"lead {lead.id!r} already exists")
        for company_id in (lead.operator_id, lead.giver_id, *offered_to):
            require(company_id in self._t.companies, "company", company_id)
        self._j.put(self._t.leads, lead.id, lead)
        self._index(lead)
        takers = tuple(dict.fromkeys(offered_to))
        self._j.put(self._t.offers, lead.id, takers)
        for company_id in takers:
            self._t.leads_by["offer"].add(self._j, company_id, lead.id)

    def update(self, lead: Lead) -> None:
        old = self._t.leads.get(lead.id)
        require(old is not None, "lead", lead.id)
        if old is not None:
            self._unindex(old)
        self._j.put(self._t.leads, lead.id, lead)
        self._index(lead)

    def _index(self, lead: Lead) -> None:
        for column, company_id in _columns(lead).items():
            if company_id is not None:
                self._t.leads_by[column].add(self._j, company_id, lead.id)

    def _unindex(self, lead: Lead) -> None:
        for column, company_id in _columns(lead).items():
            if company_id is not None:
                self._t.leads_by[column].remove(self._j, company_id, lead.id)

    def offered_to(self, lead_id: LeadId) -> Sequence[CompanyId]:
        return sorted(self._t.offers.get(lead_id, ()))

    def end_offers(self, lead_id: LeadId) -> None:
        offers = self._t.offers.get(lead_id, ())
        if offers:
            self._j.put(self._t.offers, lead_id, ())
        for company_id in offers:
            self._t.leads_by["offer"].remove(self._j, company_id, lead_id)

    def visible_page(
        self,
        company_id: CompanyId,
        user_id: UserId,
        *,
        state: LeadState | None,
        after: LeadId | None,
        limit: int,
    ) -> tuple[Company | None, Membership | None, Sequence[Lead]]:
        company = self._t.companies.get(company_id)
        member = self._t.members.get(company_id, NOBODY).get(user_id)
        if member is None or not is_open(company):  # the SQL statement's guard
            return company, member, ()
        streams = [index.after(company_id, after) for index in self._t.leads_by.values()]
        leads, page = self._t.leads, []
        previous = None
        for lead_id in heapq.merge(*streams):
            if lead_id == previous:
                continue
            previous = lead_id
            lead = leads[lead_id]
            if state is None or lead.state is state:
                page.append(lead)
                if len(page) == limit:
                    break
        return company, member, page

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        require(target in self._t.companies, "company", target)
        mine = {
            lead_id for index in self._t.leads_by.values() for lead_id in index.after(source, None)
        }
        for lead_id in sorted(mine):
            lead = self._t.leads[lead_id]
            moved = attrs.evolve(
                lead,
                operator_id=target if lead.operator_id == source else lead.operator_id,
                giver_id=target if lead.giver_id == source else lead.giver_id,
                picked_by=target if lead.picked_by == source else lead.picked_by,
            )
            if moved != lead:
                self.update(moved)
            offers = self._t.offers[lead_id]
            if source in offers:
                self._t.leads_by["offer"].remove(self._j, source, lead_id)
                kept = tuple(c for c in offers if c != source)
                if target not in offers:
                    kept += (target,)
                    self._t.leads_by["offer"].add(self._j, target, lead_id)
                self._j.put(self._t.offers, lead_id, kept)

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[Lead]:
        leads = (self._t.leads[i] for i in self._t.leads_by["picker"].after(company_id, None))
        return [lead for lead in leads if lead.assignee_id == user_id]

    def all(self) -> Sequence[Lead]:
        return [self._t.leads[i] for i in sorted(self._t.leads)]

    def all_offers(self) -> Sequence[tuple[LeadId, CompanyId]]:
        return sorted(
            (lead, company) for lead, offers in self._t.offers.items() for company in offers
        )


class MemoryInbox(Repo):
    """Company inbox requests."""

    def get(self, request_id: RequestId, *, for_update: bool = False) -> InboxRequest | None:
        return self._t.inbox.get(request_id)

    def add(self, request: InboxRequest) -> None:
        if request.id in self._t.inbox:
            raise Conflict(f"request {request.id!r} already exists")
        require(request.company_id in self._t.companies, "company", request.company_id)
        self._j.put(self._t.inbox, request.id, request)
        self._t.inbox_of.add(self._j, request.company_id, request.id)

    def update(self, request: InboxRequest) -> None:
        old = self._t.inbox.get(request.id)
        require(old is not None, "request", request.id)
        if old is not None and old.company_id != request.company_id:
            self._t.inbox_of.remove(self._j, old.company_id, request.id)
            self._t.inbox_of.add(self._j, request.company_id, request.id)
        self._j.put(self._t.inbox, request.id, request)

    def of_company(
        self,
        company_id: CompanyId,
        *,
        state: RequestState | None,
        after: RequestId | None,
        limit: int,
    ) -> Sequence[InboxRequest]:
        page: list[InboxRequest] = []
        for request_id in self._t.inbox_of.after(company_id, after):
            request = self._t.inbox[request_id]
            if state is None or request.state is state:
                page.append(request)
                if len(page) == limit:
                    break
        return page

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        for request_id in list(self._t.inbox_of.after(source, None)):
            self.update(attrs.evolve(self._t.inbox[request_id], company_id=target))

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[InboxRequest]:
        requests = (self._t.inbox[i] for i in self._t.inbox_of.after(company_id, None))
        return [request for request in requests if request.assignee_id == user_id]

    def of_sender(self, email: str) -> Sequence[InboxRequest]:
        found = (r for r in self._t.inbox.values() if r.sender_email == email)
        return sorted(found, key=lambda r: r.id)

    def all(self) -> Sequence[InboxRequest]:
        return [self._t.inbox[i] for i in sorted(self._t.inbox)]


class MemoryRecords(Repo):
    """Shared records, indexed by customer in (occurred_at, id) order."""

    def get(self, record_id: RecordId) -> SharedRecord | None:
        return self._t.records.get(record_id)

    def add(self, record: SharedRecord) -> None:
        if record.id in self._t.records:
            raise Conflict(f"record {record.id!r} already exists")
        require(record.customer_id in self._t.companies, "company", record.customer_id)
        self._j.put(self._t.records, record.id, record)
        self._t.records_of.add(self._j, record.customer_id, (record.occurred_at, record.id))

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
        bounds = [b for b in (after, None if until is None else (until, RecordId(""))) if b]
        bound = min(bounds) if bounds else None
        page: list[SharedRecord] = []
        for occurred_at, record_id in self._t.records_of.before(customer_id, bound):
            if occurred_at < since:
                break
            record = self._t.records[record_id]
            if (kinds is None or record.kind in kinds) and (
                visible_at is None
                or record.visible_from is None
                or record.visible_from <= visible_at
            ):
                page.append(record)
                if len(page) == limit:
                    break
        return page

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        for record in list(self._t.records.values()):
            if source not in (record.customer_id, record.author_company_id):
                continue
            moved = attrs.evolve(
                record,
                customer_id=target if record.customer_id == source else record.customer_id,
                author_company_id=(
                    target if record.author_company_id == source else record.author_company_id
                ),
            )
            key = (record.occurred_at, record.id)
            self._t.records_of.remove(self._j, record.customer_id, key)
            self._t.records_of.add(self._j, moved.customer_id, key)
            self._j.put(self._t.records, record.id, moved)

    def all(self) -> Sequence[SharedRecord]:
        return [self._t.records[i] for i in sorted(self._t.records)]


class MemoryLinks(Repo):
    """Service links, by customer."""

    def get(self, customer_id: CompanyId, partner_id: CompanyId) -> ServiceLink | None:
        return self._t.links.get(customer_id, {}).get(partner_id)

    def add(self, link: ServiceLink) -> None:
        for company_id in (link.customer_id, link.partner_id):
            require(company_id in self._t.companies, "company", company_id)
        links = self._t.links.setdefault(link.customer_id, {})
        if link.partner_id in links:
            raise Conflict(f"{link.partner_id!r} is already linked to {link.customer_id!r}")
        self._j.put(links, link.partner_id, link)

    def of_customer(self, customer_id: CompanyId) -> Sequence[ServiceLink]:
        links = self._t.links.get(customer_id, {})
        return [links[p] for p in sorted(links)]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        for link in self.all():
            if source not in (link.customer_id, link.partner_id):
                continue
            self._j.pop(self._t.links[link.customer_id], link.partner_id)
            moved = attrs.evolve(
                link,
                customer_id=target if link.customer_id == source else link.customer_id,
                partner_id=target if link.partner_id == source else link.partner_id,
            )
            if self.get(moved.customer_id, moved.partner_id) is None:
                self.add(moved)

    def all(self) -> Sequence[ServiceLink]:
        return [link for c in sorted(self._t.links) for link in self.of_customer(c)]
