"""Shared records and the customer timeline: ``ta.records`` (seed 001).

A customer company's records are seen by its members and by the members of every
company linked to it (R-REC-1); the embargo holds entries back from the customer's
members only (R-REC-2); the timeline is read in a time window (R-REC-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, RecordId, UserId, check_id, check_name
from teamaccess.domain.inputs import check_instant, check_list, check_optional_id
from teamaccess.domain.lead_events import RecordAdded, ServiceLinked
from teamaccess.domain.leads import Page
from teamaccess.domain.models import Company
from teamaccess.domain.records import (
    LinkKind,
    RecordKind,
    ServiceLink,
    SharedRecord,
    decide_record,
    default_visible_from,
    link_gate,
    parse_timeline_cursor,
    timeline_cursor,
)
from teamaccess.errors import InvalidInput, UnknownRecord
from teamaccess.ports import Transaction
from teamaccess.service._core import (
    MAX_PAGE,
    ServiceCore,
    check_count,
    page_of,
    parse_enum,
    raise_denied,
    raise_if_denied,
)

__all__ = ["Records"]


class Records:
    """Shared records of a customer and its timeline: ``ta.records``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def link(
        self,
        actor_id: str,
        customer_id: str,
        partner_id: str,
        kind: LinkKind | str = LinkKind.PROVIDER,
    ) -> ServiceLink:
        """Link a provider or service provider to a customer (R-REC-1).

        Its members then see the customer's records. A team manager of the customer
        or a platform admin may link.

        Raises:
            InvalidInput: A company cannot be linked to itself.
            Conflict: The two are linked already.
        """
        check_id(actor_id, "user")
        check_id(customer_id, "company")
        check_id(partner_id, "company")
        link_kind = parse_enum(LinkKind, kind, "link kind")

        def work(tx: Transaction, now: datetime) -> ServiceLink:
            customer = self._core.company(tx, customer_id, lock=True)
            if actor_id not in self._core.platform_admins:
                self._core.require(tx, Action.MANAGE_TEAM, customer, actor_id)
            partner = self._core.company(tx, partner_id)
            if partner.id == customer.id:
                raise InvalidInput(f"company {customer.id!r} cannot be linked to itself")
            link = ServiceLink(customer.id, partner.id, link_kind, now)
            tx.links.add(link)
            tx.outbox.append(
                ServiceLinked(
                    **stamp(now, UserId(actor_id), customer.id),
                    partner_id=partner.id,
                    kind=link_kind.value,
                )
            )
            return link

        return self._core.command(work)

    def add(
        self,
        actor_id: str,
        company_id: str,
        customer_id: str,
        kind: RecordKind | str,
        title: str,
        *,
        occurred_at: datetime | None = None,
        visible_from: datetime | None = None,
        record_id: str | None = None,
    ) -> SharedRecord:
        """Add a record to a customer's records, acting for the customer or a linked company.

        ``occurred_at`` is the time of the activity (now if omitted). ``visible_from``
        sets the embargo for the customer's members (R-REC-2); if omitted, a timeline
        entry written by a linked company gets ``occurred_at`` plus the service's
        ``timeline_embargo`` (10 days), everything else is visible at once.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(customer_id, "company")
        check_optional_id(record_id, "record")
        record_kind = parse_enum(RecordKind, kind, "record kind")
        title = check_name(title, "record title")
        for value, name in ((occurred_at, "occurred_at"), (visible_from, "visible_from")):
            if value is not None:
                check_instant(value, name)
        if record_id is not None:
            check_id(record_id, "record")

        def work(tx: Transaction, now: datetime) -> SharedRecord:
            company, customer, link = self._side(tx, company_id, customer_id, actor_id)
            when = occurred_at or now
            record = SharedRecord(
                id=RecordId(record_id or self._core.ids("record")),
                customer_id=customer.id,
                kind=record_kind,
                title=title,
                occurred_at=when,
                visible_from=visible_from
                or default_visible_from(
                    record_kind,
                    when,
                    by_linked_company=link is not None,
                    embargo=self._core.embargo,
                ),
                author_id=UserId(actor_id),
                author_company_id=company.id,
                created_at=now,
            )
            tx.records.add(record)
            tx.outbox.append(
                RecordAdded(
                    **stamp(now, UserId(actor_id), customer.id),
                    record_id=record.id,
                    kind=record_kind.value,
                    author_company_id=company.id,
                    visible_from=record.visible_from,
                )
            )
            return record

        return self._core.command(work)

    def check(self, actor_id: str, company_id: str, record_id: str) -> Decision:
        """Decide whether the actor, acting for the company, may see the record now.

        Never raises for unknown ids: they are denied (R-ALL-1).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(record_id, "record")
        with self._core.store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            actor = None if company is None else tx.memberships.get(company.id, UserId(actor_id))
            gated = self._core.gate(company, actor, "R-REC-1", company_id)
            if isinstance(gated, Decision):
                return gated
            record = tx.records.get(RecordId(record_id))
            sight = None if record is None else self._sight(tx, gated[0], record.customer_id)
            if record is None or sight is None:
                return _UNKNOWN_RECORD  # no such record, or none of its customer's (R-ALL-9)
            if isinstance(sight, Decision):
                return sight
            return decide_record(
                record, company_id=gated[0].id, link=sight.link, now=self._core.clock()
            )

    def get(self, actor_id: str, company_id: str, record_id: str) -> SharedRecord:
        """Return the record if the actor's company may see it now (R-REC-1, R-REC-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(record_id, "record")
        with self._core.store.reader() as tx:
            company, _ = self._core.acting(tx, company_id, actor_id, "R-REC-1")
            record = tx.records.get(RecordId(record_id))
            sight = None if record is None else self._sight(tx, company, record.customer_id)
            if record is None or sight is None:  # the same answer either way (R-ALL-9)
                raise UnknownRecord(f"unknown record {record_id!r}")
            if isinstance(sight, Decision):
                raise_denied(sight)
            raise_if_denied(
                decide_record(record, company_id=company.id, link=sight.link,
                              now=self._core.clock())
            )  # fmt: skip
            return record

    def timeline(
        self,
        actor_id: str,
        company_id: str,
        customer_id: str,
        *,
        since: datetime,
        until: datetime | None = None,
        kinds: Iterable[RecordKind | str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[SharedRecord]:
        """One page of a customer's records in ``[since, until)``, newest first (R-REC-3).

        Only what the actor, acting for ``company_id``, sees at the asking time: the
        customer's members see no record under embargo (R-REC-2). Without ``until``
        the window has no end; ``kinds`` filters the tabs (minutes, invoices, ...). Pass the page's
        ``next_after`` as ``after`` for the next page.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(customer_id, "company")
        check_optional_id(after, "record cursor")
        check_instant(since, "since")
        if until is not None:
            check_instant(until, "until")
        wanted = None if kinds is None else frozenset(
            parse_enum(RecordKind, k, "record kind") for k in check_list(kinds, "record kind")
        )  # fmt: skip
        cursor = None if after is None else parse_timeline_cursor(after)
        check_count(limit, "limit", 1, MAX_PAGE)
        if until is not None and since >= until:
            raise InvalidInput(f"the window is empty: since {since} is not before {until}")
        now = self._core.clock()
        with self._core.store.reader() as tx:
            _, customer, link = self._side(tx, company_id, customer_id, actor_id)
            found = tx.records.timeline(
                customer.id,
                since=since,
                until=until,
                visible_at=now if link is None else None,
                kinds=wanted,
                after=cursor,
                limit=limit + 1,
            )
            return page_of(found, limit, timeline_cursor)

    def _side(
        self,
        tx: Transaction,
        company_id: str,
        customer_id: str,
        actor_id: str,
    ) -> tuple[Company, Company, LinkKind | None]:
        """The acting company, the customer and how the first is linked to the second.

        ``None`` for the customer itself; raises unless the actor is a member of the
        customer or of a company linked to it (R-REC-1). A customer that does not exist
        and one the acting company is not linked to get the same denial (R-ALL-9); a
        suspended customer's records are out of everyone's reach (R-CO-8).
        """
        company, _ = self._core.acting(tx, company_id, actor_id, "R-REC-1")
        sight = self._sight(tx, company, CompanyId(customer_id))
        if sight is None:
            raise_denied(
                Decision.deny(Reason.NOT_LINKED, "R-REC-1", f"not linked to {customer_id!r}")
            )
        if isinstance(sight, Decision):
            raise_denied(sight)
        return company, sight.customer, sight.link

    @staticmethod
    def _sight(
        tx: Transaction, company: Company, customer_id: CompanyId
    ) -> _Sight | Decision | None:
        """How the open acting company sees a customer's records.

        ``None`` when it has no sight of them (no such customer, or not linked), a
        denial when the customer is suspended (R-CO-8; its reason is not for outsiders),
        else the customer and the link (``None`` for the customer itself).
        """
        if customer_id == company.id:
            return _Sight(company, None)
        link = tx.links.get(customer_id, company.id)
        customer = None if link is None else tx.companies.get(customer_id)
        if link is None or customer is None:
            return None
        barred = link_gate(customer)
        return _Sight(customer, link.kind) if barred is None else barred


@attrs.frozen
class _Sight:
    """A customer whose records the acting company sees, and through which link."""

    customer: Company
    link: LinkKind | None


_UNKNOWN_RECORD = Decision.deny(Reason.UNKNOWN_RECORD, "R-ALL-1")
"""The answer for a record that does not exist, and for one out of the company's sight."""
