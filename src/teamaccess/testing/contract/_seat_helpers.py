"""Builders for the seat-pool contract tests (seed 002)."""

from __future__ import annotations

from teamaccess import ReplacementPolicy, TeamAccess
from teamaccess.testing import make_service

ADMIN = "platform-admin"


def seat_service(store, clock=None, **options) -> TeamAccess:
    """A service with one platform admin, a buyer and a product ``course`` tagged ``course-access``."""
    extra = {"clock": clock} if clock is not None else {}
    ta = make_service(store, platform_admins={ADMIN}, **extra, **options)
    ta.users.register(ADMIN, "admin@platform.example")
    ta.users.register("buyer", "buyer@spreadmind.example")
    ta.seats.create_product(ADMIN, "course", "Online course", tag="course-access")
    ta.seats.create_product(
        ADMIN, "consumed", "Course, no replacements", tag="course-access",
        replacement=ReplacementPolicy.CONSUME,
    )  # fmt: skip
    return ta
