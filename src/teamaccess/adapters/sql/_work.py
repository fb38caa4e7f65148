"""SQL storage of leads, offers, inbox requests, shared records and service links."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from teamaccess.adapters.sql._locks import write_locked
from teamaccess.adapters.sql._raw import RawSelect
from teamaccess.adapters.sql._repo import Repo, chunks
from teamaccess.adapters.sql._schema import Tables
from teamaccess.domain.ids import CompanyId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead, LeadState, RequestKind, RequestState
from teamaccess.domain.records import LinkKind, RecordKind, ServiceLink, SharedRecord
from teamaccess.errors import StorageError

__all__ = ["InboxRequests", "Leads", "Records", "ServiceLinks"]


def _lead(row: sa.Row[Any]) -> Lead:
    return Lead(
        id=LeadId(row.id),
        operator_id=CompanyId(row.operator_id),
        giver_id=CompanyId(row.giver_id),
        title=row.title,
        state=LeadState(row.state),
        created_at=row.created_at,
        picked_by=row.picked_by,
        picked_by_user=row.picked_by_user,
        picked_at=row.picked_at,
        assignee_id=row.assignee_id,
    )


def _lead_values(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "operator_id": lead.operator_id,
        "giver_id": lead.giver_id,
        "title": lead.title,
        "state": lead.state.value,
        "created_at": lead.created_at,
        "picked_by": lead.picked_by,
        "picked_by_user": lead.picked_by_user,
        "picked_at": lead.picked_at,
        "assignee_id": lead.assignee_id,
    }


_LEAD_COLUMNS = ("id", "operator_id", "giver_id", "title", "state", "created_at", "picked_by",
                 "picked_by_user", "picked_at", "assignee_id")  # fmt: skip


@functools.lru_cache(maxsize=64)
def _visible_statement(t: Tables, by_state: bool, paged: bool, offers: bool) -> sa.Select[Any]:
    """The visible-leads page as one statement, built once per shape (R-LEAD-7).

    Each branch is an index range scan that stops after ``:limit`` rows: the leads
    the company operates, gave and picked, and its open offers. Wrapping them as
    derived tables lets SQLite and MySQL accept ORDER BY/LIMIT inside a UNION.
    """
    leads, o = t.leads, t.offers
    company: sa.BindParameter[str] = sa.bindparam("company_id")
    limit: sa.BindParameter[int] = sa.bindparam("limit")
    branches: list[sa.Select[Any]] = []
    for column in (leads.c.operator_id, leads.c.giver_id, leads.c.picked_by):
        branch = sa.select(leads.c.id).where(column == company)
        if by_state:
            branch = branch.where(leads.c.state == sa.bindparam("state"))
        if paged:
            branch = branch.where(leads.c.id > sa.bindparam("after"))
        branches.append(branch.order_by(leads.c.id).limit(limit))
    if offers:
        branch = sa.select(o.c.lead_id.label("id")).where(o.c.company_id == company)
        if paged:
            branch = branch.where(o.c.lead_id > sa.bindparam("after"))
        branches.append(branch.order_by(o.c.lead_id).limit(limit))
    parts = [b.subquery(f"b{i}") for i, b in enumerate(branches)]
    ids = sa.union(*(sa.select(part.c.id) for part in parts)).subquery("visible")
    columns = [leads.c[name] for name in _LEAD_COLUMNS]  # not the lock counter
    return sa.select(*columns).join(ids, ids.c.id == leads.c.id).order_by(leads.c.id).limit(limit)


@functools.lru_cache(maxsize=64)
def _visible_select(
    t: Tables, by_state: bool, paged: bool, offers: bool, dialect: Dialect
) -> RawSelect:
    """The page's statement, run on the driver's cursor: a page is 50 rows of 10 columns."""
    statement = _visible_statement(t, by_state, paged, offers)
    if tuple(statement.selected_columns.keys()) != _LEAD_COLUMNS:
        raise StorageError(f"{t.leads.name} has other columns than {_LEAD_COLUMNS}")
    return RawSelect(statement, dialect)


def _lead_at(values: list[Any]) -> Lead:
    """A lead from the values of its row, in the table's column order (`_LEAD_COLUMNS`)."""
    values[4] = _STATES[values[4]]
    return Lead(*values)


_STATES = {state.value: state for state in LeadState}


class Leads(Repo):
    """Leads and their open offers; `visible_to` is one statement per page."""

    def get(self, lead_id: LeadId, *, for_update: bool = False) -> Lead | None:
        t = self._t.leads
        statement = sa.select(t).where(t.c.id == lead_id)
        if not for_update:
            row = self._row(statement)
            return None if row is None else _lead(row)
        row = self._row(statement.with_for_update())
        if row is None:
            return None
        write_locked(self._c, t, t.c.id == lead_id)  # visible to certification (R-ALL-12)
        return _lead(row)

    def add(self, lead: Lead, offered_to: Sequence[CompanyId]) -> None:
        self._insert_one(self._t.leads, _lead_values(lead), f"lead {lead.id!r}")
        self._insert(self._t.offers, [{"lead_id": lead.id, "company_id": c} for c in offered_to])

    def update(self, lead: Lead) -> None:
        self._update_one(self._t.leads, "id", _lead_values(lead))

    def offered_to(self, lead_id: LeadId) -> Sequence[CompanyId]:
        o = self._t.offers
        statement = sa.select(o.c.company_id).where(o.c.lead_id == lead_id).order_by(o.c.company_id)
        return [CompanyId(row.company_id) for row in self._rows(statement)]

    def end_offers(self, lead_id: LeadId) -> None:
        o = self._t.offers
        self._c.execute(o.delete().where(o.c.lead_id == lead_id))

    def visible_to(
        self,
        company_id: CompanyId,
        *,
        state: LeadState | None,
        after: LeadId | None,
        limit: int,
    ) -> Sequence[Lead]:
        offers = state in (None, LeadState.OFFERED)  # offers exist for offered leads only
        shape = (self._t, state is not None, after is not None, offers)
        params = {"company_id": company_id, "state": state and state.value, "after": after,
                  "limit": limit}  # fmt: skip
        page = _visible_select(*shape, self._c.dialect).all(self._c, params)
        return [_lead_at(values) for values in page]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        t, o = self._t.leads, self._t.offers
        for column in ("operator_id", "giver_id", "picked_by"):
            self._repoint(t, column, source, target)
        both = sa.select(o.c.lead_id).where(
            o.c.company_id == source,
            o.c.lead_id.in_(sa.select(o.c.lead_id).where(o.c.company_id == target)),
        )
        doubled = [row.lead_id for row in self._rows(both)]
        for chunk in chunks(doubled):
            self._c.execute(o.delete().where(o.c.company_id == source, o.c.lead_id.in_(chunk)))
        self._repoint(o, "company_id", source, target)

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[Lead]:
        t = self._t.leads
        mine = sa.and_(t.c.picked_by == company_id, t.c.assignee_id == user_id)
        return [_lead(row) for row in self._rows(sa.select(t).where(mine).order_by(t.c.id))]

    def all(self) -> Sequence[Lead]:
        t = self._t.leads
        return [_lead(row) for row in self._rows(sa.select(t).order_by(t.c.id))]

    def all_offers(self) -> Sequence[tuple[LeadId, CompanyId]]:
        o = self._t.offers
        statement = sa.select(o.c.lead_id, o.c.company_id).order_by(o.c.lead_id, o.c.company_id)
        return [(LeadId(row.lead_id), CompanyId(row.company_id)) for row in self._rows(statement)]


def _request(row: sa.Row[Any]) -> InboxRequest:
    return InboxRequest(
        id=RequestId(row.id),
        company_id=CompanyId(row.company_id),
        kind=RequestKind(row.kind),
        sender_email=row.sender_email,
        subject=row.subject,
        received_at=row.received_at,
        sender_id=row.sender_id,
        assignee_id=row.assignee_id,
        state=RequestState(row.state),
    )


def _request_values(request: InboxRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "company_id": request.company_id,
        "kind": request.kind.value,
        "sender_email": request.sender_email,
        "subject": request.subject,
        "received_at": request.received_at,
        "sender_id": request.sender_id,
        "assignee_id": request.assignee_id,
        "state": request.state.value,
    }


class InboxRequests(Repo):
    """Company inbox requests."""

    def get(self, request_id: RequestId, *, for_update: bool = False) -> InboxRequest | None:
        t = self._t.inbox
        statement = sa.select(t).where(t.c.id == request_id)
        row = self._row(statement.with_for_update() if for_update else statement)
        if row is None:
            return None
        if for_update:
            write_locked(self._c, t, t.c.id == request_id)  # visible to certification (R-ALL-12)
        return _request(row)

    def add(self, request: InboxRequest) -> None:
        self._insert_one(self._t.inbox, _request_values(request), f"request {request.id!r}")

    def update(self, request: InboxRequest) -> None:
        self._update_one(self._t.inbox, "id", _request_values(request))

    def of_company(
        self,
        company_id: CompanyId,
        *,
        state: RequestState | None,
        after: RequestId | None,
        limit: int,
    ) -> Sequence[InboxRequest]:
        t = self._t.inbox
        statement = sa.select(t).where(t.c.company_id == company_id)
        if state is not None:
            statement = statement.where(t.c.state == state.value)
        if after is not None:
            statement = statement.where(t.c.id > after)
        statement = statement.order_by(t.c.id).limit(limit)
        return [_request(row) for row in self._rows(statement)]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        self._repoint(self._t.inbox, "company_id", source, target)

    def assigned_in(self, company_id: CompanyId, user_id: UserId) -> Sequence[InboxRequest]:
        t = self._t.inbox
        mine = sa.and_(t.c.company_id == company_id, t.c.assignee_id == user_id)
        return [_request(row) for row in self._rows(sa.select(t).where(mine).order_by(t.c.id))]

    def of_sender(self, email: str) -> Sequence[InboxRequest]:
        t = self._t.inbox
        statement = sa.select(t).where(t.c.sender_email == email).order_by(t.c.id)
        return [_request(row) for row in self._rows(statement)]

    def all(self) -> Sequence[InboxRequest]:
        t = self._t.inbox
        return [_request(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


def _record(row: sa.Row[Any]) -> SharedRecord:
    return SharedRecord(
        id=RecordId(row.id),
        customer_id=CompanyId(row.customer_id),
        kind=RecordKind(row.kind),
        title=row.title,
        occurred_at=row.occurred_at,
        visible_from=row.visible_from,
        author_id=UserId(row.author_id),
        author_company_id=CompanyId(row.author_company_id),
        created_at=row.created_at,
    )


class Records(Repo):
    """Shared records; the timeline is one range scan of (customer, occurred_at, id)."""

    def get(self, record_id: RecordId) -> SharedRecord | None:
        t = self._t.records
        row = self._row(sa.select(t).where(t.c.id == record_id))
        return None if row is None else _record(row)

    def add(self, record: SharedRecord) -> None:
        values = {
            "id": record.id,
            "customer_id": record.customer_id,
            "kind": record.kind.value,
            "title": record.title,
            "occurred_at": record.occurred_at,
            "visible_from": record.visible_from,
            "author_id": record.author_id,
            "author_company_id": record.author_company_id,
            "created_at": record.created_at,
        }
        self._insert_one(self._t.records, values, f"record {record.id!r}")

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
        t = self._t.records
        statement = sa.select(t).where(t.c.customer_id == customer_id, t.c.occurred_at >= since)
        if until is not None:
            statement = statement.where(t.c.occurred_at < until)
        if visible_at is not None:
            statement = statement.where(
                sa.or_(t.c.visible_from.is_(None), t.c.visible_from <= visible_at)
            )
        if kinds is not None:
            statement = statement.where(t.c.kind.in_(sorted(k.value for k in kinds)))
        if after is not None:
            when, record_id = after
            statement = statement.where(
                sa.or_(
                    t.c.occurred_at < when,
                    sa.and_(t.c.occurred_at == when, t.c.id < record_id),
                )
            )
        statement = statement.order_by(t.c.occurred_at.desc(), t.c.id.desc()).limit(limit)
        return [_record(row) for row in self._rows(statement)]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        self._repoint(self._t.records, "customer_id", source, target)
        self._repoint(self._t.records, "author_company_id", source, target)

    def all(self) -> Sequence[SharedRecord]:
        t = self._t.records
        return [_record(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


def _link(row: sa.Row[Any]) -> ServiceLink:
    return ServiceLink(
        CompanyId(row.customer_id), CompanyId(row.partner_id), LinkKind(row.kind), row.linked_at
    )


class ServiceLinks(Repo):
    """Links between customers and their providers."""

    def get(self, customer_id: CompanyId, partner_id: CompanyId) -> ServiceLink | None:
        t = self._t.links
        row = self._row(sa.select(t).where(t.c.customer_id == customer_id,
                                           t.c.partner_id == partner_id))  # fmt: skip
        return None if row is None else _link(row)

    def add(self, link: ServiceLink) -> None:
        values = {
            "customer_id": link.customer_id,
            "partner_id": link.partner_id,
            "kind": link.kind.value,
            "linked_at": link.linked_at,
        }
        self._insert_one(self._t.links, values, f"link {link.customer_id!r}-{link.partner_id!r}")

    def of_customer(self, customer_id: CompanyId) -> Sequence[ServiceLink]:
        t = self._t.links
        statement = sa.select(t).where(t.c.customer_id == customer_id).order_by(t.c.partner_id)
        return [_link(row) for row in self._rows(statement)]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        t = self._t.links
        for moving, fixed in (("customer_id", "partner_id"), ("partner_id", "customer_id")):
            held = sa.select(t.c[fixed]).where(t.c[moving] == target)
            doubled = [row[0] for row in self._rows(
                sa.select(t.c[fixed]).where(t.c[moving] == source, t.c[fixed].in_(held))
            )]  # fmt: skip
            for chunk in chunks(doubled):
                self._c.execute(t.delete().where(t.c[moving] == source, t.c[fixed].in_(chunk)))
            self._repoint(t, moving, source, target)

    def all(self) -> Sequence[ServiceLink]:
        t = self._t.links
        statement = sa.select(t).order_by(t.c.customer_id, t.c.partner_id)
        return [_link(row) for row in self._rows(statement)]
