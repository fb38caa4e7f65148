"""One gate per company: its state, and what an outsider may learn of it.

Every decision that reaches a company, directly or through something it owns (a seat
pool, a child account, a lead offer, a record link, a license, a tag source), asks
[company_gate][teamaccess.domain.gate.company_gate] first. A new company state (closed,
suspended, and later expiry) is added here once and cannot be forgotten at a door
(R-CO-3, R-CO-5, R-CO-8).

What an outsider learns goes through the same place: a suspension reason is meant for
the company's own members; anyone else learns only that the company is suspended
(R-ALL-9).
"""

from __future__ import annotations

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.models import Company

__all__ = ["closed", "company_gate", "is_open", "suspended"]

_UNKNOWN_COMPANY = Decision.deny(Reason.UNKNOWN_COMPANY, "R-ALL-1")


def closed(company: Company) -> Decision:
    """The denial of every action in a closed company (R-CO-3)."""
    into = f"; merged into {company.merged_into!r}" if company.merged_into else ""
    return Decision.deny(Reason.COMPANY_CLOSED, "R-CO-3", f"{company.id!r} is closed{into}")


def suspended(company: Company, *, insider: bool = True) -> Decision:
    """The denial of every action in a suspended company (R-CO-5).

    Args:
        company: The suspended company.
        insider: Whether the asker is a member of it: only members read the reason
            the platform admin gave (R-ALL-9).
    """
    why = f": {company.suspension_reason}" if insider and company.suspension_reason else ""
    return Decision.deny(Reason.COMPANY_SUSPENDED, "R-CO-5", f"{company.id!r} is suspended{why}")


def company_gate(company: Company | None, *, insider: bool = True) -> Decision | None:
    """The denial that a company's state imposes on everything reached through it, or ``None``.

    ``None`` means the company exists and is open; the caller goes on to decide the
    action itself. A missing company denies (R-ALL-1), a closed one (R-CO-3), a
    suspended one (R-CO-5, R-CO-8).

    Args:
        company: The company, or ``None`` if it does not exist.
        insider: Whether the asker is a member of it (see
            [suspended][teamaccess.domain.gate.suspended]).
    """
    if company is None:
        return _UNKNOWN_COMPANY
    if company.closed_at is not None:
        return closed(company)
    if company.suspended_at is not None:
        return suspended(company, insider=insider)
    return None


def is_open(company: Company | None) -> bool:
    """Whether the company exists and is neither closed nor suspended."""
    return company is not None and company.closed_at is None and company.suspended_at is None
