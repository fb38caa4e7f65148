"""Domain events of the partner hierarchy, custom properties and licenses (seed 004).

Registered with `teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds
them like every other event (R-ALL-4).
"""

from __future__ import annotations

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import CompanyId

__all__ = [
    "AccountParentChanged",
    "AccountPropertiesChanged",
    "ArticleAdded",
    "LicenseReleased",
    "LicenseSet",
    "LicenseUsed",
    "PricingModelChanged",
    "PropertyDefined",
]


@_event
@attrs.frozen(kw_only=True)
class AccountParentChanged(Event):
    """An account was created under a partner, or moved (R-PART-1, R-PART-3)."""

    old_parent_id: CompanyId | None
    new_parent_id: CompanyId | None


@_event
@attrs.frozen(kw_only=True)
class PropertyDefined(Event):
    """A partner defined a custom property for its child accounts (R-PART-4)."""

    name: str
    kind: str
    choices: tuple[str, ...]


@_event
@attrs.frozen(kw_only=True)
class AccountPropertiesChanged(Event):
    """Custom property values of an account were set or cleared (R-PART-4)."""

    names: tuple[str, ...]


@_event
@attrs.frozen(kw_only=True)
class PricingModelChanged(Event):
    """An account was put on a pricing model (R-LIC-3)."""

    pricing_model: str


@_event
@attrs.frozen(kw_only=True)
class ArticleAdded(Event):
    """An account bought an article (R-LIC-1)."""

    sku: str
    name: str
    quantity: int


@_event
@attrs.frozen(kw_only=True)
class LicenseSet(Event):
    """A license was granted or its limit changed (R-LIC-1)."""

    kind: str
    limit: int


@_event
@attrs.frozen(kw_only=True)
class LicenseUsed(Event):
    """Uses of a license were taken (R-LIC-2)."""

    kind: str
    amount: int
    used: int
    limit: int


@_event
@attrs.frozen(kw_only=True)
class LicenseReleased(Event):
    """Uses of a license were given back (R-LIC-2)."""

    kind: str
    amount: int
    used: int
    limit: int
