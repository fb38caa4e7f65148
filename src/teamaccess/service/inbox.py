"""Contact and meeting requests in a company's inbox: ``ta.inbox`` (R-LEAD-6)."""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import RequestId, UserId, check_id, check_name
from teamaccess.domain.inputs import check_optional_id
from teamaccess.domain.lead_events import (
    RequestAssigned,
    RequestClosed,
    RequestReceived,
)
from teamaccess.domain.leads import (
    InboxRequest,
    Page,
    RequestKind,
    RequestState,
)
from teamaccess.domain.models import Company
from teamaccess.errors import (
    UnknownRequest,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import (
    MAX_PAGE,
    ServiceCore,
    check_count,
    page_of,
    parse_enum,
)

__all__ = ["Inbox"]


class Inbox:
    """Contact and meeting requests in a company's inbox: ``ta.inbox``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def send(
        self,
        company_id: str,
        kind: RequestKind | str,
        sender_email: str,
        subject: str,
        *,
        sender_id: str | None = None,
        request_id: str | None = None,
    ) -> InboxRequest:
        """Deliver a contact or meeting request to a company's inbox (R-LEAD-6).

        The sender need not be a user; ``sender_id`` names them if they are.
        """
        check_id(company_id, "company")
        check_optional_id(sender_id, "user")
        check_optional_id(request_id, "request")
        email = normalize_email(sender_email)
        subject = check_name(subject, "subject")
        request_kind = parse_enum(RequestKind, kind, "request kind")
        if sender_id is not None:
            check_id(sender_id, "user")
        if request_id is not None:
            check_id(request_id, "request")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company = self._core.company(tx, company_id)
            sender = None if sender_id is None else self._core.user(tx, sender_id).id
            request = InboxRequest(
                id=RequestId(request_id or self._core.ids("request")),
                company_id=company.id,
                kind=request_kind,
                sender_email=email,
                subject=subject,
                received_at=now,
                sender_id=sender,
            )
            tx.inbox.add(request)
            tx.outbox.append(
                RequestReceived(
                    **stamp(now, sender, company.id),
                    request_id=request.id,
                    kind=request_kind.value,
                    sender_email=email,
                )
            )
            return request

        return self._core.command(work)

    def list(
        self,
        actor_id: str,
        company_id: str,
        *,
        state: RequestState | str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[InboxRequest]:
        """One page of the company's inbox, for every member (R-LEAD-6), ordered by id."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(after, "request")
        wanted = None if state is None else parse_enum(RequestState, state, "request state")
        check_count(limit, "limit", 1, MAX_PAGE)
        company, _ = self._core.member_of(company_id, actor_id, "R-LEAD-6")
        with self._core.store.reader() as tx:
            found = tx.inbox.of_company(
                company.id,
                state=wanted,
                after=None if after is None else RequestId(after),
                limit=limit + 1,
            )
            return page_of(found, limit, lambda request: request.id)

    def assign(
        self, actor_id: str, company_id: str, request_id: str, assignee_id: str | None
    ) -> InboxRequest:
        """Assign an inbox request to a member, or unassign it; any member may (R-LEAD-6)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "request")
        check_optional_id(assignee_id, "user")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company, _ = self._core.acting(tx, company_id, actor_id, "R-LEAD-6", lock=True)
            request = self._request(tx, company, request_id)
            assignee = self._core.assignee(tx, company, assignee_id)
            if request.assignee_id == assignee:
                return request
            updated = attrs.evolve(request, assignee_id=assignee)
            tx.inbox.update(updated)
            tx.outbox.append(
                RequestAssigned(
                    **stamp(now, UserId(actor_id), company.id),
                    request_id=request.id,
                    assignee_id=assignee,
                )
            )
            return updated

        return self._core.command(work)

    def close(self, actor_id: str, company_id: str, request_id: str) -> InboxRequest:
        """Mark an inbox request done; any member may (R-LEAD-6)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "request")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company, _ = self._core.acting(tx, company_id, actor_id, "R-LEAD-6")
            request = self._request(tx, company, request_id)
            if request.state is RequestState.DONE:
                return request
            updated = attrs.evolve(request, state=RequestState.DONE)
            tx.inbox.update(updated)
            tx.outbox.append(
                RequestClosed(**stamp(now, UserId(actor_id), company.id), request_id=request.id)
            )
            return updated

        return self._core.command(work)

    @staticmethod
    def _request(tx: Transaction, company: Company, request_id: str) -> InboxRequest:
        request = tx.inbox.get(RequestId(check_id(request_id, "request")), for_update=True)
        if request is None or request.company_id != company.id:
            raise UnknownRequest(f"no request {request_id!r} in the inbox of {company.id!r}")
        return request
