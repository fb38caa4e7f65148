"""Domain events of leads, the inbox, shared records and the company lifecycle.

Registered with `teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds
them like every other event (R-ALL-4).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import CompanyId, LeadId, RecordId, RequestId, UserId

__all__ = [
    "CompanyMerged",
    "HandlerChanged",
    "LeadAssigned",
    "LeadOffered",
    "LeadPicked",
    "LeadUpdated",
    "MarketRolesSet",
    "RecordAdded",
    "RequestAssigned",
    "RequestClosed",
    "RequestReceived",
    "ServiceLinked",
]


@_event
@attrs.frozen(kw_only=True)
class MarketRolesSet(Event):
    """A company's marketplace roles were set (R-LEAD-1)."""

    roles: tuple[str, ...]


@_event
@attrs.frozen(kw_only=True)
class HandlerChanged(Event):
    """A member was named, or stopped being, a responsible handler (R-LEAD-5)."""

    user_id: UserId
    is_handler: bool


@_event
@attrs.frozen(kw_only=True)
class LeadOffered(Event):
    """A lead was offered to taker companies (R-LEAD-2)."""

    lead_id: LeadId
    operator_id: CompanyId
    giver_id: CompanyId
    taker_ids: tuple[CompanyId, ...]


@_event
@attrs.frozen(kw_only=True)
class LeadPicked(Event):
    """A member picked a lead for their company; the other offers ended (R-LEAD-3)."""

    lead_id: LeadId


@_event
@attrs.frozen(kw_only=True)
class LeadUpdated(Event):
    """The picking company changed a lead's title or state (R-LEAD-3)."""

    lead_id: LeadId
    title: str
    state: str


@_event
@attrs.frozen(kw_only=True)
class LeadAssigned(Event):
    """A handler assigned a lead to a colleague, or took the assignment back (R-LEAD-5)."""

    lead_id: LeadId
    assignee_id: UserId | None


@_event
@attrs.frozen(kw_only=True)
class RequestReceived(Event):
    """A contact or meeting request landed in the company inbox (R-LEAD-6)."""

    request_id: RequestId
    kind: str
    sender_email: str


@_event
@attrs.frozen(kw_only=True)
class RequestAssigned(Event):
    """An inbox request was assigned to a member, or unassigned (R-LEAD-6)."""

    request_id: RequestId
    assignee_id: UserId | None


@_event
@attrs.frozen(kw_only=True)
class RequestClosed(Event):
    """An inbox request was marked done (R-LEAD-6)."""

    request_id: RequestId


@_event
@attrs.frozen(kw_only=True)
class ServiceLinked(Event):
    """A company was linked to a customer as provider or service provider (R-REC-1)."""

    partner_id: CompanyId
    kind: str


@_event
@attrs.frozen(kw_only=True)
class RecordAdded(Event):
    """A record was added to a customer's records (R-REC-1, R-REC-2).

    ``company_id`` is the customer; ``author_company_id`` the company the author acted for.
    """

    record_id: RecordId
    kind: str
    author_company_id: CompanyId
    visible_from: datetime | None


@_event
@attrs.frozen(kw_only=True)
class CompanyMerged(Event):
    """The company (``company_id``) was merged into ``into`` and closed (R-CO-2, R-CO-3)."""

    into: CompanyId
    members: tuple[UserId, ...]
