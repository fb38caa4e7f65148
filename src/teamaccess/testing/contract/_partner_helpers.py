"""Builders for the partner contract tests (seed 004)."""

from __future__ import annotations

from teamaccess import TeamAccess
from teamaccess.testing import make_service

ADMIN = "platform-admin"


def partner_service(store, clock=None, **options) -> TeamAccess:
    """A partner "lm" (paula admin, piet member); kunde-a below it, created by paula.

    Registered but in no company yet: karl (the customer) and xaver (a stranger).
    """
    extra = {"clock": clock} if clock is not None else {}
    ta = make_service(store, platform_admins={ADMIN}, **extra, **options)
    for user in (ADMIN, "paula", "piet", "karl", "xaver"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("paula", "LineMetrics Partner", company_id="lm")
    ta.members.add("paula", "lm", "piet")
    ta.partners.create_child("paula", "lm", "Kunde A", company_id="kunde-a")
    return ta
