"""Builders for the marketplace, inbox and lifecycle contract tests (seeds 000, 003)."""

from __future__ import annotations

from teamaccess import TeamAccess
from teamaccess.testing import make_service

ADMIN = "platform-admin"

COMPANIES = {
    "market": ("olga", ["operator"]),
    "giver": ("gina", ["lead_giver"]),
    "dealer-a": ("anton", ["lead_taker"]),
    "dealer-b": ("berta", ["lead_taker"]),
    "dealer-c": ("carla", ["lead_taker"]),
}
"""Each company, its founder (main contact, admin) and its marketplace roles."""


def market_service(store, clock=None, **options) -> TeamAccess:
    """An operator "market", a giver "giver", three dealers; "pumps" offered to a and b.

    Registered: every founder, "andi" (member of dealer-a), "xaver" (in no company).
    """
    extra = {"clock": clock} if clock is not None else {}
    ta = make_service(store, platform_admins={ADMIN}, **extra, **options)
    for user in (ADMIN, "andi", "xaver", *(founder for founder, _ in COMPANIES.values())):
        ta.users.register(user, f"{user}@example.com")
    for company_id, (founder, roles) in COMPANIES.items():
        ta.companies.create(founder, company_id.title(), company_id=company_id)
        ta.leads.set_market_roles(ADMIN, company_id, roles)
    ta.members.add("anton", "dealer-a", "andi")
    ta.leads.offer(
        "olga", "market", giver_id="giver", taker_ids=["dealer-a", "dealer-b"],
        title="50 pumps", lead_id="pumps",
    )  # fmt: skip
    return ta


def visible(ta: TeamAccess, user: str, company: str, **filters) -> list[str]:
    """Every lead id the user sees acting for the company, read page by page."""
    found: list[str] = []
    after = None
    while True:
        page = ta.leads.visible(user, company, after=after, limit=2, **filters)
        found += [lead.id for lead in page.items]
        if page.next_after is None:
            return found
        after = page.next_after
