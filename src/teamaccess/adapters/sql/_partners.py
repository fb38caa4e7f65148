"""SQL storage of the partner hierarchy, custom properties, articles and licenses.

The hierarchy is kept twice: ``companies.parent_id`` for reading a company, and the
closure table ``company_paths`` (one row per ancestor and descendant, with the depth
between them, a row of depth 0 for each company itself), so that "all descendants of
this partner, one page" and "the ancestors of this account" are each one indexed
query (R-PART-2), whatever the depth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._locks import write_locked
from teamaccess.adapters.sql._repo import Repo, chunks
from teamaccess.domain.ids import CompanyId
from teamaccess.domain.partners import (
    Article,
    License,
    PropertyDefinition,
    PropertyKind,
    decide_license,
)
from teamaccess.errors import Conflict, LicenseExhausted, StorageError

__all__ = ["Articles", "Hierarchy", "Licenses", "PropertyDefinitions"]


class Hierarchy(Repo):
    """Maintains and reads the closure table; used by the companies repository."""

    def link(self, company_id: CompanyId, parent_id: CompanyId | None) -> None:
        """Record a new company: its path to itself and one to each ancestor."""
        t = self._t.paths
        self._c.execute(t.insert(), {"ancestor_id": company_id, "descendant_id": company_id,
                                     "depth": 0})  # fmt: skip
        if parent_id is not None:
            self._insert(t, [
                {"ancestor_id": a.ancestor_id, "descendant_id": company_id, "depth": a.depth + 1}
                for a in self._up(parent_id)
            ])  # fmt: skip

    def move(self, company_id: CompanyId, parent_id: CompanyId | None) -> None:
        """Re-hang the company's subtree under ``parent_id`` (the service refused cycles)."""
        t = self._t.paths
        subtree = self._rows(
            sa.select(t.c.descendant_id, t.c.depth).where(t.c.ancestor_id == company_id)
        )
        by_depth: dict[int, list[str]] = defaultdict(list)
        for row in subtree:
            by_depth[row.depth].append(row.descendant_id)
        for depth, ids in by_depth.items():  # paths reaching above the company go
            for chunk in chunks(ids):
                self._c.execute(t.delete().where(t.c.descendant_id.in_(chunk), t.c.depth > depth))
        if parent_id is not None:
            above = self._up(parent_id)
            self._insert(t, [
                {"ancestor_id": a.ancestor_id, "descendant_id": d.descendant_id,
                 "depth": a.depth + 1 + d.depth}
                for a in above for d in subtree
            ])  # fmt: skip

    def _up(self, company_id: CompanyId) -> Sequence[sa.Row[Any]]:
        t = self._t.paths
        return self._rows(
            sa.select(t.c.ancestor_id, t.c.depth).where(t.c.descendant_id == company_id)
        )

    def ancestors(self, company_id: CompanyId) -> Sequence[CompanyId]:
        """Proper ancestors, parent first."""
        t = self._t.paths
        statement = (
            sa.select(t.c.ancestor_id)
            .where(t.c.descendant_id == company_id, t.c.depth > 0)
            .order_by(t.c.depth)
        )
        return [CompanyId(row.ancestor_id) for row in self._rows(statement)]

    def height(self, company_id: CompanyId) -> int:
        """The largest depth below the company."""
        t = self._t.paths
        statement = sa.select(sa.func.max(t.c.depth)).where(t.c.ancestor_id == company_id)
        return int(self._c.execute(statement).scalar() or 0)

    def page(
        self, ancestor_id: CompanyId, after: CompanyId | None, limit: int
    ) -> Sequence[sa.Row[Any]]:
        """One page of proper descendants (company columns plus ``depth``), by id."""
        c, t = self._t.companies, self._t.paths
        statement = (
            sa.select(c, t.c.depth)
            .join(t, t.c.descendant_id == c.c.id)
            .where(t.c.ancestor_id == ancestor_id, t.c.depth > 0)
            .order_by(t.c.descendant_id)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(t.c.descendant_id > after)
        return self._rows(statement)


def _definition(row: sa.Row[Any]) -> PropertyDefinition:
    return PropertyDefinition(
        CompanyId(row.partner_id), row.name, PropertyKind(row.kind), tuple(row.choices)
    )


class PropertyDefinitions(Repo):
    """Custom property definitions, kept in definition order (``position``)."""

    def of_partner(self, partner_id: CompanyId) -> Sequence[PropertyDefinition]:
        t = self._t.properties
        statement = sa.select(t).where(t.c.partner_id == partner_id).order_by(t.c.position)
        return [_definition(row) for row in self._rows(statement)]

    def add(self, definition: PropertyDefinition) -> None:
        t = self._t.properties
        position = self._c.execute(
            sa.select(sa.func.count()).where(t.c.partner_id == definition.partner_id)
        ).scalar_one()
        values = {
            "partner_id": definition.partner_id,
            "name": definition.name,
            "kind": definition.kind.value,
            "choices": list(definition.choices),
            "position": position,
        }
        try:
            self._c.execute(t.insert(), values)
        except sa.exc.IntegrityError as error:
            raise Conflict(f"property {definition.name!r} is already defined") from error

    def all(self) -> Sequence[PropertyDefinition]:
        t = self._t.properties
        statement = sa.select(t).order_by(t.c.partner_id, t.c.position)
        return [_definition(row) for row in self._rows(statement)]

    def remove_all(self, partner_id: CompanyId) -> None:
        t = self._t.properties
        self._c.execute(t.delete().where(t.c.partner_id == partner_id))


def _article(row: sa.Row[Any]) -> Article:
    return Article(CompanyId(row.company_id), row.sku, row.name, row.quantity)


class Articles(Repo):
    """What accounts bought."""

    def add(self, article: Article) -> None:
        values = {
            "company_id": article.company_id,
            "sku": article.sku,
            "name": article.name,
            "quantity": article.quantity,
        }
        try:
            self._c.execute(self._t.articles.insert(), values)
        except sa.exc.IntegrityError as error:
            raise Conflict(f"article {article.sku!r} is already recorded") from error

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Article]:
        t = self._t.articles
        statement = sa.select(t).order_by(t.c.company_id, t.c.sku)
        return [_article(row) for row in self._rows_in(t.c.company_id, company_ids, statement)]

    def all(self) -> Sequence[Article]:
        t = self._t.articles
        statement = sa.select(t).order_by(t.c.company_id, t.c.sku)
        return [_article(row) for row in self._rows(statement)]

    def remove_all(self, company_id: CompanyId) -> None:
        t = self._t.articles
        self._c.execute(t.delete().where(t.c.company_id == company_id))


def _license(row: sa.Row[Any]) -> License:
    return License(CompanyId(row.company_id), row.kind, row.max_uses, row.used)


class Licenses(Repo):
    """Licenses; the table's CHECK refuses ``used > max_uses`` (R-LIC-2)."""

    def get(self, company_id: CompanyId, kind: str, *, for_update: bool = False) -> License | None:
        t = self._t.licenses
        key = sa.and_(t.c.company_id == company_id, t.c.kind == kind)
        statement = sa.select(t).where(key)
        if not for_update:
            row = self._row(statement)
            return None if row is None else _license(row)
        row = self._row(statement.with_for_update())
        if row is None:
            return None
        write_locked(self._c, t, key)  # visible to certification (R-ALL-12)
        return _license(row)

    def add(self, license_: License) -> None:
        try:
            self._c.execute(self._t.licenses.insert(), self._values(license_))
        except sa.exc.IntegrityError as error:
            raise Conflict(f"license {license_.kind!r} exists or breaks a constraint") from error

    def update(self, license_: License) -> None:
        t = self._t.licenses
        values = self._values(license_)
        try:
            result = self._c.execute(
                t.update().where(t.c.company_id == license_.company_id, t.c.kind == license_.kind),
                {"max_uses": values["max_uses"], "used": values["used"]},
            )
        except sa.exc.IntegrityError as error:
            raise LicenseExhausted(decide_license(license_, license_.kind, 0)) from error
        if result.rowcount != 1:
            raise StorageError(f"no license {license_.kind!r} to update")

    @staticmethod
    def _values(license_: License) -> dict[str, Any]:
        return {
            "company_id": license_.company_id,
            "kind": license_.kind,
            "max_uses": license_.limit,
            "used": license_.used,
        }

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[License]:
        t = self._t.licenses
        statement = sa.select(t).order_by(t.c.company_id, t.c.kind)
        return [_license(row) for row in self._rows_in(t.c.company_id, company_ids, statement)]

    def all(self) -> Sequence[License]:
        t = self._t.licenses
        statement = sa.select(t).order_by(t.c.company_id, t.c.kind)
        return [_license(row) for row in self._rows(statement)]

    def remove_all(self, company_id: CompanyId) -> None:
        t = self._t.licenses
        self._c.execute(t.delete().where(t.c.company_id == company_id))
