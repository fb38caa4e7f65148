"""Repositories of partner properties, articles and licenses (seed 004)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from teamaccess.domain.ids import CompanyId
from teamaccess.domain.partners import Article, License, PropertyDefinition

__all__ = ["Articles", "Licenses", "PropertyDefinitions"]


class PropertyDefinitions(Protocol):
    """Custom properties partners define for their child accounts (R-PART-4)."""

    def of_partner(self, partner_id: CompanyId) -> Sequence[PropertyDefinition]:
        """The partner's definitions, in the order they were defined."""
        ...

    def add(self, definition: PropertyDefinition) -> None:
        """Insert; raise ``Conflict`` if the partner has a property of that name."""
        ...

    def all(self) -> Sequence[PropertyDefinition]:
        """Every definition, ordered by (partner id, definition order)."""
        ...

    def remove_all(self, partner_id: CompanyId) -> None:
        """Delete the partner's definitions (a merge re-adds them, R-CO-2)."""
        ...


class Articles(Protocol):
    """What accounts bought (R-LIC-1)."""

    def add(self, article: Article) -> None:
        """Insert; raise ``Conflict`` if the account has an article with that number."""
        ...

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Article]:
        """The articles of these accounts, ordered by (company id, sku)."""
        ...

    def all(self) -> Sequence[Article]:
        """Every article, ordered by (company id, sku)."""
        ...

    def remove_all(self, company_id: CompanyId) -> None:
        """Delete the company's articles (a merge re-adds them, R-CO-2)."""
        ...


class Licenses(Protocol):
    """Counted entitlements per account and action kind (R-LIC-1, R-LIC-2)."""

    def get(self, company_id: CompanyId, kind: str, *, for_update: bool = False) -> License | None:
        """Return the license or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, license_: License) -> None:
        """Insert; raise ``Conflict`` if the account has a license of that kind."""
        ...

    def update(self, license_: License) -> None:
        """Replace the stored license; the store refuses ``used > limit`` (``LicenseExhausted``)."""
        ...

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[License]:
        """The licenses of these accounts, ordered by (company id, kind)."""
        ...

    def all(self) -> Sequence[License]:
        """Every license, ordered by (company id, kind)."""
        ...

    def remove_all(self, company_id: CompanyId) -> None:
        """Delete the company's licenses (a merge re-adds them, R-CO-2)."""
        ...
