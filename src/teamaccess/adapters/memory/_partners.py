"""In-memory partner property definitions, articles and licenses (seed 004)."""

from __future__ import annotations

from collections.abc import Sequence

from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.ids import CompanyId
from teamaccess.domain.partners import Article, License, PropertyDefinition, decide_license
from teamaccess.errors import (
    Conflict,
    LicenseExhausted,
)

__all__ = ["MemoryArticles", "MemoryLicenses", "MemoryPropertyDefinitions"]


class MemoryPropertyDefinitions(Repo):
    def of_partner(self, partner_id: CompanyId) -> Sequence[PropertyDefinition]:
        return list(self._t.properties.get(partner_id, {}).values())

    def add(self, definition: PropertyDefinition) -> None:
        require(definition.partner_id in self._t.companies, "company", definition.partner_id)
        defined = self._t.properties.setdefault(definition.partner_id, {})
        if definition.name in defined:
            raise Conflict(f"property {definition.name!r} is already defined")
        self._j.put(defined, definition.name, definition)

    def all(self) -> Sequence[PropertyDefinition]:
        return [d for p in sorted(self._t.properties) for d in self.of_partner(p)]

    def remove_all(self, partner_id: CompanyId) -> None:
        if partner_id in self._t.properties:
            self._j.pop(self._t.properties, partner_id)


class MemoryArticles(Repo):
    def add(self, article: Article) -> None:
        require(article.company_id in self._t.companies, "company", article.company_id)
        articles = self._t.articles.setdefault(article.company_id, {})
        if article.sku in articles:
            raise Conflict(f"article {article.sku!r} is already recorded")
        self._j.put(articles, article.sku, article)

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Article]:
        by_company = self._t.articles
        return [
            by_company[c][sku]
            for c in sorted(set(company_ids))
            for sku in sorted(by_company.get(c, ()))
        ]

    def all(self) -> Sequence[Article]:
        return self.of_companies(list(self._t.articles))

    def remove_all(self, company_id: CompanyId) -> None:
        if company_id in self._t.articles:
            self._j.pop(self._t.articles, company_id)


class MemoryLicenses(Repo):
    def get(self, company_id: CompanyId, kind: str, *, for_update: bool = False) -> License | None:
        return self._t.licenses.get(company_id, {}).get(kind)

    def add(self, license_: License) -> None:
        require(license_.company_id in self._t.companies, "company", license_.company_id)
        licenses = self._t.licenses.setdefault(license_.company_id, {})
        if license_.kind in licenses:
            raise Conflict(f"license {license_.kind!r} already exists")
        self._check(license_)
        self._j.put(licenses, license_.kind, license_)

    def update(self, license_: License) -> None:
        require(self.get(license_.company_id, license_.kind) is not None, "license", license_)
        self._check(license_)
        self._j.put(self._t.licenses[license_.company_id], license_.kind, license_)

    @staticmethod
    def _check(license_: License) -> None:
        """The CHECK constraint of the SQL table: 0 <= used <= limit."""
        if not 0 <= license_.used <= license_.limit:
            raise LicenseExhausted(decide_license(license_, license_.kind, 0))

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[License]:
        by_company = self._t.licenses
        return [
            by_company[c][kind]
            for c in sorted(set(company_ids))
            for kind in sorted(by_company.get(c, ()))
        ]

    def all(self) -> Sequence[License]:
        return self.of_companies(list(self._t.licenses))

    def remove_all(self, company_id: CompanyId) -> None:
        if company_id in self._t.licenses:
            self._j.pop(self._t.licenses, company_id)
