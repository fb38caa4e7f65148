"""Leads on a marketplace and the company's other work items (seeds 000, 003): values and rules.

Companies play roles on a marketplace: operator, lead giver, lead taker (R-LEAD-1). A
lead is offered to taker companies; before the pick the members of those companies,
of the operator and of the giver see it (R-LEAD-2). One member picks it for their
company; from then on every member of that company sees and edits it, the other
offered companies lose it, operator and giver keep read access (R-LEAD-3). Visibility
is a fact about companies, never about users (R-LEAD-4): `decide_lead` is told
the acting company and the actor's membership in it. Responsible handlers assign a
picked lead to a colleague (R-LEAD-5); contact and meeting requests land in the
company inbox and any member may assign them among the members (R-LEAD-6).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar

import attrs

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.ids import CompanyId, LeadId, RequestId, UserId
from teamaccess.errors import InvalidInput

__all__ = [
    "InboxRequest",
    "Lead",
    "LeadAction",
    "LeadState",
    "MarketRole",
    "Page",
    "RequestKind",
    "RequestState",
    "decide_lead",
    "market_roles",
]

_T = TypeVar("_T")


class MarketRole(str, enum.Enum):
    """The roles a company plays on a lead marketplace; one may play several (R-LEAD-1)."""

    OPERATOR = "operator"
    """Runs the marketplace and offers leads on it."""
    LEAD_GIVER = "lead_giver"
    """Brings leads to the marketplace."""
    LEAD_TAKER = "lead_taker"
    """Is offered leads and picks them."""


def market_roles(values: Iterable[MarketRole | str]) -> frozenset[MarketRole]:
    """Return ``values`` as a set of `MarketRole`, or raise `InvalidInput`."""
    if isinstance(values, str):
        raise InvalidInput(f"market roles must be a collection, not the string {values!r}")
    try:
        return frozenset(MarketRole(v) for v in values)
    except (TypeError, ValueError) as error:
        known = ", ".join(r.value for r in MarketRole)
        raise InvalidInput(f"unknown market role in {values!r}; known: {known}") from error


class LeadState(str, enum.Enum):
    """Where a lead stands."""

    OFFERED = "offered"
    """Offered to taker companies, not picked yet."""
    PICKED = "picked"
    """Picked by one company, which works on it."""
    WON = "won"
    """The picking company closed it as won."""
    LOST = "lost"
    """The picking company closed it as lost."""


class LeadAction(str, enum.Enum):
    """What a member may ask to do with a lead."""

    VIEW = "view_lead"
    """See the lead (R-LEAD-2, R-LEAD-3)."""
    PICK = "pick_lead"
    """Pick it for the acting company (R-LEAD-3)."""
    EDIT = "edit_lead"
    """Change its title or state: the picking company only (R-LEAD-3)."""
    ASSIGN = "assign_lead"
    """Assign it to a colleague: responsible handlers of the picking company (R-LEAD-5)."""


@attrs.frozen
class Lead:
    """A sales opportunity offered on a marketplace (R-LEAD-2).

    Which taker companies it is offered to is kept beside it (the offers), until the
    pick ends them.

    Attributes:
        id: The lead's id.
        operator_id: The marketplace operator.
        giver_id: The company that brought the lead.
        title: What the lead is about.
        state: Its [LeadState][teamaccess.LeadState].
        created_at: When it was offered.
        picked_by: The company that picked it, once picked.
        picked_by_user: The member who picked it.
        picked_at: When it was picked.
        assignee_id: The colleague in the picking company it is assigned to (R-LEAD-5).
    """

    id: LeadId
    operator_id: CompanyId
    giver_id: CompanyId
    title: str
    state: LeadState
    created_at: datetime
    picked_by: CompanyId | None = None
    picked_by_user: UserId | None = None
    picked_at: datetime | None = None
    assignee_id: UserId | None = None


class RequestKind(str, enum.Enum):
    """The kinds of inbound requests to a company (R-LEAD-6)."""

    CONTACT = "contact"
    MEETING = "meeting"


class RequestState(str, enum.Enum):
    """Whether an inbox request still needs an answer."""

    OPEN = "open"
    DONE = "done"


@attrs.frozen
class InboxRequest:
    """A contact or meeting request in a company's inbox (R-LEAD-6).

    Attributes:
        id: The request's id.
        company_id: The company it was sent to.
        kind: Contact or meeting.
        sender_email: The normalized address of the sender.
        subject: What it is about.
        received_at: When it arrived.
        sender_id: The sender's user id, if they are a known user.
        assignee_id: The member it is assigned to, if any.
        state: Open or done.
    """

    id: RequestId
    company_id: CompanyId
    kind: RequestKind
    sender_email: str
    subject: str
    received_at: datetime
    sender_id: UserId | None = None
    assignee_id: UserId | None = None
    state: RequestState = RequestState.OPEN


@attrs.frozen
class Page(Generic[_T]):
    """One page of a keyset-paginated list (leads, inbox requests, timeline records).

    Attributes:
        items: The page, in the list's stable order.
        next_after: Pass it as ``after`` for the next page; ``None`` on the last page.
    """

    items: tuple[_T, ...]
    next_after: str | None


_UNKNOWN_LEAD = Decision.deny(Reason.UNKNOWN_LEAD, "R-ALL-1")
"""The answer for a lead that does not exist, and for one the company has no sight of."""


def decide_lead(
    action: LeadAction | str,
    *,
    company_id: CompanyId,
    lead: Lead | None,
    offered: bool,
    is_handler: bool = False,
) -> Decision:
    """Decide what a member of ``company_id`` may do with ``lead``.

    The caller has already established that the actor is an active member of the
    open company ``company_id``: visibility follows the company (R-LEAD-4).

    Args:
        action: A [LeadAction][teamaccess.LeadAction].
        company_id: The acting company.
        lead: The lead, or ``None`` if it does not exist.
        offered: Whether the lead is currently offered to ``company_id``.
        is_handler: Whether the actor is a responsible handler of ``company_id``.
    """
    action = LeadAction(action)
    if lead is None:
        return _UNKNOWN_LEAD
    if lead.picked_by == company_id:
        if action is LeadAction.PICK:
            return Decision.deny(Reason.PICKED_BY_COMPANY, "R-LEAD-3", "already picked by you")
        if action is LeadAction.ASSIGN:
            if is_handler:
                return Decision.allow(Reason.IS_HANDLER, "R-LEAD-5")
            return Decision.deny(Reason.NOT_HANDLER, "R-LEAD-5", "only responsible handlers")
        return Decision.allow(Reason.PICKED_BY_COMPANY, "R-LEAD-3")
    if lead.state is LeadState.OFFERED and offered:
        if action in (LeadAction.VIEW, LeadAction.PICK):
            return Decision.allow(Reason.OFFERED_TO_COMPANY, "R-LEAD-2")
        return Decision.deny(Reason.NOT_PICKED, "R-LEAD-3", "pick the lead first")
    if company_id in (lead.operator_id, lead.giver_id):
        reason = Reason.OPERATOR if company_id == lead.operator_id else Reason.LEAD_GIVER
        rule = "R-LEAD-2" if lead.state is LeadState.OFFERED else "R-LEAD-3"
        if action is LeadAction.VIEW:
            return Decision.allow(reason, rule)
        if action is LeadAction.PICK:
            return Decision.deny(Reason.NOT_OFFERED, "R-LEAD-3", "not offered to you")
        return Decision.deny(Reason.READ_ONLY, "R-LEAD-3", "operator and giver only read")
    # No sight of the lead (never offered to the company, or picked by another since):
    # the same answer as for a lead that does not exist (R-LEAD-3, R-ALL-9).
    return _UNKNOWN_LEAD
