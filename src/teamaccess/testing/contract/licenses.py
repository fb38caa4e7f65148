"""Articles, pricing models and licenses, R-LIC-1..3, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import (
    AccessDenied,
    InvalidInput,
    LicenseExhausted,
    NotAMember,
    UnknownLicense,
)
from teamaccess.events import LicenseUsed
from teamaccess.testing import dump
from teamaccess.testing.contract._partner_helpers import ADMIN, partner_service


@pytest.fixture
def lta(store, clock) -> TeamAccess:
    ta = partner_service(store, clock)
    ta.licenses.add_article(ADMIN, "kunde-a", "LM-START", "Starter package", quantity=2)
    ta.licenses.set(ADMIN, "kunde-a", "create_asset", 2)
    return ta


def test_r_lic_1_account_holds_articles_and_counted_licenses(lta: TeamAccess) -> None:
    """R-LIC-1: articles and licenses (kind, limit, usage) belong to the account and show in its overview."""
    lta.licenses.set(ADMIN, "kunde-a", "add_data_logger", 10)
    overview = lta.partners.account_overview("piet", "kunde-a")
    assert [(a.sku, a.name, a.quantity) for a in overview.articles] == [
        ("LM-START", "Starter package", 2)
    ]
    assert [(lic.kind, lic.limit, lic.usage) for lic in overview.licenses] == [
        ("add_data_logger", 10, "0/10 used"),
        ("create_asset", 2, "0/2 used"),
    ]


def test_r_lic_1_only_platform_admins_record_purchases(lta: TeamAccess, store) -> None:
    """R-LIC-1: partner and account members cannot grant themselves articles or licenses."""
    before = dump(store)
    for actor in ("paula", "piet"):
        with pytest.raises(AccessDenied, match="not_platform_admin"):
            lta.licenses.set(actor, "kunde-a", "create_asset", 99)
        with pytest.raises(AccessDenied, match="not_platform_admin"):
            lta.licenses.add_article(actor, "kunde-a", "X", "Free stuff")
    with pytest.raises(InvalidInput, match="limit"):
        lta.licenses.set(ADMIN, "kunde-a", "create_asset", -1)
    assert dump(store) == before


def test_r_lic_2_use_until_the_limit_then_a_denial_naming_it(lta: TeamAccess, store) -> None:
    """R-LIC-2: uses succeed below the limit; then LicenseExhausted names the license and its limit."""
    assert lta.licenses.use("paula", "kunde-a", "create_asset").usage == "1/2 used"
    assert str(lta.licenses.check("paula", "kunde-a", "create_asset")) == (
        "allowed: license_available (R-LIC-2)"
    )
    lta.licenses.use("paula", "kunde-a", "create_asset")
    before = dump(store)
    with pytest.raises(LicenseExhausted) as caught:
        lta.licenses.use("paula", "kunde-a", "create_asset")
    assert str(caught.value) == "license 'create_asset' is at its limit of 2 (2/2 used)"
    assert str(caught.value.decision) == "denied: license_exhausted (R-LIC-2)"
    assert dump(store) == before
    released = lta.licenses.release("paula", "kunde-a", "create_asset")
    assert released.usage == "1/2 used"
    assert lta.licenses.use("paula", "kunde-a", "create_asset").used == 2
    used = [m.event for m in lta.outbox.pending(limit=200) if isinstance(m.event, LicenseUsed)]
    assert [(e.kind, e.used, e.limit) for e in used] == [
        ("create_asset", 1, 2),
        ("create_asset", 2, 2),
        ("create_asset", 2, 2),
    ]


def test_r_lic_2_limits_apply_to_members_only_and_unknown_kinds_are_denied(lta: TeamAccess) -> None:
    """R-LIC-2: non-members and overview-only partner members cannot use; unknown kinds are denied."""
    with pytest.raises(AccessDenied, match="overview_only"):
        lta.licenses.use("piet", "kunde-a", "create_asset")
    with pytest.raises(NotAMember):
        lta.licenses.use("xaver", "kunde-a", "create_asset")
    assert str(lta.licenses.check("paula", "kunde-a", "teleport")) == "denied: no_license (R-LIC-2)"
    with pytest.raises(UnknownLicense):
        lta.licenses.use("paula", "kunde-a", "teleport")
    with pytest.raises(InvalidInput, match="release"):
        lta.licenses.release("paula", "kunde-a", "create_asset")
    with pytest.raises(InvalidInput, match="amount"):
        lta.licenses.use("paula", "kunde-a", "create_asset", amount=0)
    with pytest.raises(InvalidInput, match="license id"):
        lta.licenses.use("paula", "kunde-a", 42)
    with pytest.raises(InvalidInput, match="license id"):  # R-ALL-7: not a string
        lta.licenses.check("paula", "kunde-a", None)


def test_r_lic_2_limit_cannot_drop_below_uses_in_progress(lta: TeamAccess) -> None:
    """R-LIC-2: lowering a limit below current usage is refused; raising it frees more uses."""
    lta.licenses.use("paula", "kunde-a", "create_asset", amount=2)
    with pytest.raises(LicenseExhausted, match="cannot drop to 1"):
        lta.licenses.set(ADMIN, "kunde-a", "create_asset", 1)
    assert lta.licenses.set(ADMIN, "kunde-a", "create_asset", 5).free == 3


def test_r_lic_3_pricing_model_shows_in_the_overview(lta: TeamAccess) -> None:
    """R-LIC-3: an account's pricing model (a named plan) is visible in its partner's overview."""
    assert lta.partners.account_overview("piet", "kunde-a").pricing_model is None
    lta.partners.set_pricing_model(ADMIN, "kunde-a", "Professional")
    [account] = lta.partners.overview("piet", "lm").accounts
    assert account.pricing_model == "Professional"
    with pytest.raises(AccessDenied):
        lta.partners.set_pricing_model("paula", "kunde-a", "Free forever")
