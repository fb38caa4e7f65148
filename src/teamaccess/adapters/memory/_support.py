"""In-memory support grants (R-SUP-1..3): one row per id, foreign keys checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.support import SupportGrant, SupportStatus
from teamaccess.errors import Conflict, StorageError

__all__ = ["MemorySupportGrants"]


class MemorySupportGrants(Repo):
    def get(self, grant_id: str, *, for_update: bool = False) -> SupportGrant | None:
        return self._t.support_grants.get(grant_id)  # the store's lock serializes writers

    def add(self, grant: SupportGrant) -> None:
        require(grant.company_id in self._t.companies, "company", grant.company_id)
        require(grant.staff_id in self._t.users, "user", grant.staff_id)
        if grant.id in self._t.support_grants:
            raise Conflict(f"support grant {grant.id!r} exists already")
        self._j.put(self._t.support_grants, grant.id, grant)

    def update(self, grant: SupportGrant) -> None:
        if grant.id not in self._t.support_grants:
            raise StorageError(f"no support grant {grant.id!r} to update")
        self._j.put(self._t.support_grants, grant.id, grant)

    def of_company(self, company_id: CompanyId) -> Sequence[SupportGrant]:
        return [g for g in self.all() if g.company_id == company_id]

    def of_staff(self, staff_id: UserId) -> Sequence[SupportGrant]:
        return [g for g in self.all() if g.staff_id == staff_id]

    def approved(self, company_id: CompanyId, staff_id: UserId) -> Sequence[SupportGrant]:
        return [
            g
            for g in self.all()
            if g.company_id == company_id
            and g.staff_id == staff_id
            and g.status is SupportStatus.APPROVED
        ]

    def due(self, at: datetime, limit: int) -> Sequence[SupportGrant]:
        found = [
            g
            for g in self._t.support_grants.values()
            if g.status is SupportStatus.APPROVED
            and g.expires_at is not None
            and g.expires_at <= at
        ]
        return sorted(found, key=lambda g: (g.expires_at, g.id))[:limit]

    def next_due(self, at: datetime) -> datetime | None:
        return min(
            (
                g.expires_at
                for g in self._t.support_grants.values()
                if g.status is SupportStatus.APPROVED
                and g.expires_at is not None
                and g.expires_at > at
            ),
            default=None,
        )

    def all(self) -> Sequence[SupportGrant]:
        return [grant for _, grant in sorted(self._t.support_grants.items())]
