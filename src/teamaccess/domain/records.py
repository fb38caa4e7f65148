"""Shared records of a customer company and the timeline embargo (seed 001): values and rules.

A record (minutes, invoice, mail, service log, timeline entry) belongs to a customer
company. Its members see it, and so do the members of every company linked to the
customer as its provider or as one of its service providers; nobody else (R-REC-1).
A record may carry an embargo: the customer's members see it only from
``visible_from`` on, while linked companies see it at once (R-REC-2). Timeline
entries written by a linked company get ``activity + 10 days`` by default.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.gate import suspended
from teamaccess.domain.ids import CompanyId, RecordId, UserId
from teamaccess.domain.models import Company
from teamaccess.errors import InvalidInput

__all__ = [
    "DEFAULT_TIMELINE_EMBARGO",
    "LinkKind",
    "RecordKind",
    "ServiceLink",
    "SharedRecord",
    "decide_record",
    "default_visible_from",
    "link_gate",
    "parse_timeline_cursor",
    "timeline_cursor",
]

DEFAULT_TIMELINE_EMBARGO = timedelta(days=10)
"""How long after the activity a timeline entry reaches the customer (R-REC-2, seed 001)."""


class RecordKind(str, enum.Enum):
    """The tabs of a customer centre (seed 001)."""

    MINUTES = "minutes"
    INVOICE = "invoice"
    MAIL = "mail"
    SERVICE_LOG = "service_log"
    TIMELINE = "timeline"


class LinkKind(str, enum.Enum):
    """How a company is linked to a customer (R-REC-1)."""

    PROVIDER = "provider"
    """The company that serves the customer."""
    SERVICE_PROVIDER = "service_provider"
    """Another service provider the customer works with."""


@attrs.frozen
class ServiceLink:
    """A company linked to a customer; its members see the customer's records (R-REC-1).

    Attributes:
        customer_id: The customer company.
        partner_id: The provider or service provider.
        kind: Its [LinkKind][teamaccess.values.LinkKind].
        linked_at: When the link was made.
    """

    customer_id: CompanyId
    partner_id: CompanyId
    kind: LinkKind
    linked_at: datetime


@attrs.frozen
class SharedRecord:
    """A record of a customer company (R-REC-1).

    Attributes:
        id: The record's id.
        customer_id: The customer it belongs to.
        kind: Its [RecordKind][teamaccess.RecordKind].
        title: Its title.
        occurred_at: When the activity happened; the timeline is ordered by it.
        visible_from: From when the customer's members see it; ``None`` for at once (R-REC-2).
        author_id: The member who wrote it.
        author_company_id: The company the author acted for.
        created_at: When it was stored.
    """

    id: RecordId
    customer_id: CompanyId
    kind: RecordKind
    title: str
    occurred_at: datetime
    visible_from: datetime | None
    author_id: UserId
    author_company_id: CompanyId
    created_at: datetime


def default_visible_from(
    kind: RecordKind, occurred_at: datetime, *, by_linked_company: bool, embargo: timedelta
) -> datetime | None:
    """The embargo a record gets when its author names none (R-REC-2).

    Timeline entries written by a provider or service provider reach the customer
    ``embargo`` after the activity; everything else is visible at once.
    """
    if kind is RecordKind.TIMELINE and by_linked_company:
        return occurred_at + embargo
    return None


def link_gate(customer: Company) -> Decision | None:
    """The denial a linked company gets for the customer's records, or ``None``.

    While the customer is suspended its records are out of every linked company's
    reach, and the reason stays with the customer's own members (R-CO-8, R-ALL-9).
    The check and the reverse query (``who_sees_record``) both ask here.
    """
    return None if customer.suspended_at is None else suspended(customer, insider=False)


def decide_record(
    record: SharedRecord, *, company_id: CompanyId, link: LinkKind | None, now: datetime
) -> Decision:
    """Decide whether a member of ``company_id`` may see ``record`` at ``now``.

    Args:
        record: The record.
        company_id: The acting company; the caller has checked the membership.
        link: How ``company_id`` is linked to the record's customer, if at all.
        now: The asking time.
    """
    if link is not None:
        return Decision.allow(Reason.PROVIDER_MEMBER, "R-REC-2", link.value)
    if company_id != record.customer_id:
        return Decision.deny(Reason.NOT_LINKED, "R-REC-1", "neither customer nor linked")
    if record.visible_from is not None and now < record.visible_from:
        until = record.visible_from.isoformat()
        return Decision.deny(Reason.EMBARGOED, "R-REC-2", f"visible from {until}")
    return Decision.allow(Reason.CUSTOMER_MEMBER, "R-REC-1")


def timeline_cursor(record: SharedRecord) -> str:
    """The keyset cursor after ``record`` in a timeline (newest first)."""
    return f"{record.occurred_at.isoformat()}|{record.id}"


def parse_timeline_cursor(cursor: str) -> tuple[datetime, RecordId]:
    """Split a cursor made by `timeline_cursor`; raise `InvalidInput` if bad."""
    stamp, sep, record_id = cursor.partition("|") if isinstance(cursor, str) else ("", "", "")
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        when = None
    if not sep or not record_id or when is None or when.tzinfo is None:
        raise InvalidInput(f"not a timeline cursor: {cursor!r}")
    return when, RecordId(record_id)
