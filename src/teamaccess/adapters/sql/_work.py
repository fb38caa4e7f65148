"""SQL storage of leads, offers, inbox requests, shared records and service links."""

from __future__ import annotations

import functools
import json
import operator
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from teamaccess.adapters.sql._locks import data_columns, write_locked
from teamaccess.adapters.sql._people import _membership, company_from_row
from teamaccess.adapters.sql._raw import RawSelect
from teamaccess.adapters.sql._repo import Repo, chunks
from teamaccess.adapters.sql._schema import Tables
from teamaccess.domain.ids import CompanyId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead, LeadState, RequestKind, RequestState
from teamaccess.domain.models import Company, Membership
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
def _visible_statement(
    t: Tables, by_state: bool, paged: bool, offers: bool, size: int
) -> sa.Select[Any]:
    """The page of visible leads, built once per shape and page size (R-LEAD-7).

    Each branch is an index range scan that stops after ``size`` rows: the leads
    the company operates, gave and picked, and its open offers. Wrapping them as
    derived tables lets SQLite and MySQL accept ORDER BY/LIMIT inside a UNION. The
    page is guarded by `_guard` (R-LEAD-4), once, above the branches: for anyone else
    none of them runs. (Guarding each branch instead, SQLite tests the guard on every
    index entry it reads: an outsider's page would read the whole range.)

    The page size is written into the statement, not bound: PostgreSQL plans a
    prepared statement (psycopg prepares it from the fifth run) with a parameter
    for LIMIT as if it were a tenth of the table, finds that plan dearer than a
    fresh one and plans the statement anew on every run, which took longer than
    running it (0.43 ms of planning for a 0.2 ms page). With the number in the text
    the prepared plan is reused. ``size`` must be an ``int`` (`operator.index`).
    """
    leads, o = t.leads, t.offers
    company: sa.BindParameter[str] = sa.bindparam("company_id")
    limit = sa.literal_column(str(operator.index(size)), sa.Integer)
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
    return (
        sa.select(*columns)
        .join(ids, ids.c.id == leads.c.id)
        .where(_guard(t))
        .order_by(leads.c.id)
        .limit(limit)
    )


def _guard(t: Tables) -> sa.Exists:
    """Whether ``:user_id`` is a member of ``:company_id`` and the company is open (R-LEAD-4).

    Uncorrelated, so each database evaluates it once, before the page (PostgreSQL's
    one-time filter, SQLite's and MariaDB's constant condition): a page it stops
    reads no lead and no offer, whatever the company holds. It is not the decision, which
    the service takes on the facts the statement returns beside the page (the
    membership's window and role included); it keeps the leads of a company from
    reaching anyone its stored facts refuse: an outsider, a member of a closed or
    suspended company, anyone asking about a company that does not exist.
    """
    m, c = t.memberships.alias("g"), t.companies.alias("gc")
    company: sa.BindParameter[str] = sa.bindparam("company_id")
    user: sa.BindParameter[str] = sa.bindparam("user_id")
    return sa.exists(
        sa.select(m.c.user_id)
        .join(c, c.c.id == m.c.company_id)
        .where(m.c.company_id == company, m.c.user_id == user)
        .where(c.c.closed_at.is_(None), c.c.suspended_at.is_(None))
        .correlate(None)
    )


_FACTS = 0  # the `part` of the facts row; the page's rows are part 1
_KNOWN_FACTS = 10_000  # parsed facts rows a page statement keeps


def _facts_columns(t: Tables, m: sa.FromClause) -> list[tuple[str, sa.ColumnElement[Any]]]:
    """The company's columns (``c_*``, JSON read as text) and the membership's (``m_*``)."""
    company = [
        (f"c_{col.name}", sa.cast(col, sa.Text) if isinstance(col.type, sa.JSON) else col)
        for col in data_columns(t.companies)
    ]
    return company + [(f"m_{col.name}", col) for col in data_columns(m)]


@functools.lru_cache(maxsize=64)
def _page_statement(
    t: Tables, by_state: bool, paged: bool, offers: bool, size: int, packed: bool = False
) -> sa.CompoundSelect[Any]:
    """The guard's facts and the page of visible leads, in one statement (R-LEAD-4, R-LEAD-7).

    A ``UNION ALL`` of two parts, told apart by ``part``. Part 0: one row with the
    company (``c_*``) and the actor's membership in it (``m_*``, NULL for a
    non-member), or no row when there is no such company; part 1: the rows of
    `_visible_statement`, each of them a lead. A row leaves the other part's columns
    NULL: every lead row carries 29 NULLs, which SQLite and PyMySQL pay for by the
    cell (PostgreSQL hardly), the price of reading the facts in the same statement.
    The facts are selected untyped, so no row pays for processing them: the one
    facts row is processed by `_PageSelect`. The lead columns take their types from
    the first part. Neither a derived table around it nor an ORDER BY: on SQLite each
    would copy every column of every row once more; the page's ids sort in Python as
    in every store (`Id`).

    ``packed`` (SQLite): the facts are one column instead, ``json_array`` of their
    values as SQLite stores them, so a lead row carries one NULL, not 29: the driver
    fills a third of the cells (0.16 ms to 0.11 ms for a page of 50 raw).
    """
    leads, c, m = t.leads, t.companies, t.memberships.alias("m")
    facts_columns = _facts_columns(t, m)
    untyped = sa.types.NullType()
    facts_own: list[Any] = (
        [sa.func.json_array(*(column for _, column in facts_columns)).label("facts")]
        if packed
        else [sa.type_coerce(column, untyped).label(name) for name, column in facts_columns]
    )
    facts_values: list[Any] = [
        sa.literal_column(str(_FACTS)).label("part"),
        *facts_own,
        *(sa.type_coerce(sa.null(), leads.c[name].type).label(name) for name in _LEAD_COLUMNS),
    ]
    member = sa.and_(m.c.company_id == c.c.id, m.c.user_id == sa.bindparam("user_id"))
    facts = (
        sa.select(*facts_values)
        .select_from(c.outerjoin(m, member))
        .where(c.c.id == sa.bindparam("company_id"))
    )
    page = _visible_statement(t, by_state, paged, offers, size).subquery("page")
    page_values: list[Any] = [
        sa.literal_column(str(_FACTS + 1)).label("part"),
        *(sa.null().label(column.name) for column in facts_own),
        *(page.c[name] for name in _LEAD_COLUMNS),
    ]
    rows = sa.select(*page_values)
    return sa.union_all(facts, rows)


@attrs.frozen
class _PageSelect:
    """`_page_statement` for one dialect, and how its rows become facts and leads.

    Attributes:
        select: The statement, run on the driver's cursor.
        company: A select of the company's columns as the statement reads them, whose
            types process the facts row's ``c_*`` values.
        member: The same for the membership's ``m_*`` values.
        leads_at: The place of the first lead column in a row.
        packed: Whether the facts are one JSON array (`_page_statement`).
        known: Parsed facts by the driver's values of the facts row (at most
            ``_KNOWN_FACTS``): the company's JSON is not decoded on every page.
    """

    select: RawSelect
    company: RawSelect
    member: RawSelect
    leads_at: int
    packed: bool
    known: dict[Any, tuple[Company, Membership | None]] = attrs.field(factory=dict, eq=False)

    def read(
        self, conn: Connection, params: dict[str, Any]
    ) -> tuple[Company | None, Membership | None, list[Lead]]:
        """The company, the membership and the page's leads in id order."""
        facts, page = None, []
        for values in self.select.all(conn, params):
            if values[0] == _FACTS:
                facts = values
            else:
                page.append(values)
        if facts is None:  # no such company: no page either (`_guard`)
            return None, None, []
        at = self.leads_at
        company, member = self._facts(facts[1] if self.packed else tuple(facts[1:at]))
        page.sort(key=operator.itemgetter(at))
        return company, member, [_lead_at(values[at:]) for values in page]

    def _facts(self, raw: Any) -> tuple[Company, Membership | None]:
        known = self.known
        try:
            return known[raw]
        except KeyError:
            pass
        except TypeError:  # a driver's value that is not hashable: parsed every time
            return self._parsed(raw)
        if len(known) >= _KNOWN_FACTS:
            known.clear()
        found = known[raw] = self._parsed(raw)
        return found

    def _parsed(self, raw: Any) -> tuple[Company, Membership | None]:
        if self.packed:
            raw = tuple(json.loads(raw))
        width = len(self.company.statement.selected_columns)
        company = company_from_row(self.company.processed(raw[:width]), _loads)
        member = self.member.processed(raw[width:])
        return company, None if member.user_id is None else _membership(member)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


@functools.lru_cache(maxsize=64)
def _page_select(
    t: Tables, by_state: bool, paged: bool, offers: bool, size: int, dialect: Dialect
) -> _PageSelect:
    """The statement of pages of ``size`` leads for ``dialect``, and the facts."""
    packed = dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 38)  # JSON built in
    statement = _page_statement(t, by_state, paged, offers, size, packed)
    facts_columns = _facts_columns(t, t.memberships)
    company = sa.select(*(col.label(name[2:]) for name, col in facts_columns if name[:2] == "c_"))
    member = sa.select(*(col.label(name[2:]) for name, col in facts_columns if name[:2] == "m_"))
    leads_at = 2 if packed else 1 + len(company.selected_columns) + len(member.selected_columns)
    if tuple(statement.selected_columns.keys())[leads_at:] != _LEAD_COLUMNS:
        raise StorageError(f"{t.leads.name} has other columns than {_LEAD_COLUMNS}")
    # RawSelect compiles the statement and reads its selected_columns, as a UNION has them
    select = RawSelect(cast("sa.Select[Any]", statement), dialect)
    return _PageSelect(
        select, RawSelect(company, dialect), RawSelect(member, dialect), leads_at, packed
    )


def _lead_at(values: list[Any]) -> Lead:
    """A lead from the values of its row, in the table's column order (`_LEAD_COLUMNS`)."""
    values[4] = _STATES[values[4]]
    return Lead(*values)


_STATES = {state.value: state for state in LeadState}


class Leads(Repo):
    """Leads and their open offers; `visible_page` is one statement per page, its guard included."""

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

    def visible_page(
        self,
        company_id: CompanyId,
        user_id: UserId,
        *,
        state: LeadState | None,
        after: LeadId | None,
        limit: int,
    ) -> tuple[Company | None, Membership | None, Sequence[Lead]]:
        offers = state in (None, LeadState.OFFERED)  # offers exist for offered leads only
        shape = (self._t, state is not None, after is not None, offers, limit)
        params = {"company_id": company_id, "user_id": user_id, "state": state and state.value,
                  "after": after}  # fmt: skip
        return _page_select(*shape, self._c.dialect).read(self._c, params)

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
