"""SQL storage of support grants (R-SUP-1..3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._repo import Repo
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.support import SupportGrant, SupportStatus

__all__ = ["SupportGrants"]

_APPROVED = SupportStatus.APPROVED.value


def _values(grant: SupportGrant) -> dict[str, Any]:
    return {
        "id": grant.id,
        "company_id": grant.company_id,
        "staff_id": grant.staff_id,
        "reason": grant.reason,
        "permissions": list(grant.permissions),
        "requested_at": grant.requested_at,
        "duration_us": grant.duration // timedelta(microseconds=1),
        "status": grant.status.value,
        "approved_by": grant.approved_by,
        "approved_at": grant.approved_at,
        "starts_at": grant.starts_at,
        "expires_at": grant.expires_at,
        "ended_by": grant.ended_by,
        "ended_at": grant.ended_at,
    }


def _grant(row: Any) -> SupportGrant:
    return SupportGrant(
        id=row.id,
        company_id=CompanyId(row.company_id),
        staff_id=UserId(row.staff_id),
        reason=row.reason,
        permissions=tuple(row.permissions),
        requested_at=row.requested_at,
        duration=timedelta(microseconds=row.duration_us),
        status=SupportStatus(row.status),
        approved_by=None if row.approved_by is None else UserId(row.approved_by),
        approved_at=row.approved_at,
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        ended_by=None if row.ended_by is None else UserId(row.ended_by),
        ended_at=row.ended_at,
    )


class SupportGrants(Repo):
    def get(self, grant_id: str, *, for_update: bool = False) -> SupportGrant | None:
        t = self._t.support_grants
        statement = sa.select(t).where(t.c.id == grant_id)
        row = self._row(statement.with_for_update() if for_update else statement)
        return None if row is None else _grant(row)

    def add(self, grant: SupportGrant) -> None:
        self._insert_one(self._t.support_grants, _values(grant), f"support grant {grant.id!r}")

    def update(self, grant: SupportGrant) -> None:
        self._update_one(self._t.support_grants, "id", _values(grant))

    def _where(self, *conditions: Any) -> Sequence[SupportGrant]:
        t = self._t.support_grants
        return [_grant(r) for r in self._rows(sa.select(t).where(*conditions).order_by(t.c.id))]

    def of_company(self, company_id: CompanyId) -> Sequence[SupportGrant]:
        return self._where(self._t.support_grants.c.company_id == company_id)

    def of_staff(self, staff_id: UserId) -> Sequence[SupportGrant]:
        return self._where(self._t.support_grants.c.staff_id == staff_id)

    def approved(self, company_id: CompanyId, staff_id: UserId) -> Sequence[SupportGrant]:
        c = self._t.support_grants.c
        return self._where(
            c.staff_id == staff_id, c.company_id == company_id, c.status == _APPROVED
        )

    def due(self, at: datetime, limit: int) -> Sequence[SupportGrant]:
        t = self._t.support_grants
        statement = (
            sa.select(t)
            .where(t.c.status == _APPROVED, t.c.expires_at <= at)
            .order_by(t.c.expires_at, t.c.id)
            .limit(limit)
        )
        return [_grant(row) for row in self._rows(statement)]

    def next_due(self, at: datetime) -> datetime | None:
        c = self._t.support_grants.c
        statement = sa.select(sa.func.min(c.expires_at)).where(
            c.status == _APPROVED, c.expires_at > at
        )
        found: datetime | None = self._c.execute(statement).scalar()
        return found

    def all(self) -> Sequence[SupportGrant]:
        return self._where(sa.true())
