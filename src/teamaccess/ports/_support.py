"""The repository of support grants (R-SUP-1..3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.support import SupportGrant

__all__ = ["SupportGrants"]


class SupportGrants(Protocol):
    """Support grants, by id; found by company, by staff member and by end."""

    def get(self, grant_id: str, *, for_update: bool = False) -> SupportGrant | None:
        """The grant or ``None``; ``for_update`` locks its row until the transaction ends."""
        ...

    def add(self, grant: SupportGrant) -> None:
        """Insert; raise ``Conflict`` if the id exists or the company or staff user is missing."""
        ...

    def update(self, grant: SupportGrant) -> None:
        """Replace the stored grant with the same id; raise ``StorageError`` if there is none."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[SupportGrant]:
        """The company's grants, ordered by id."""
        ...

    def of_staff(self, staff_id: UserId) -> Sequence[SupportGrant]:
        """The staff member's grants in every company, ordered by id."""
        ...

    def approved(self, company_id: CompanyId, staff_id: UserId) -> Sequence[SupportGrant]:
        """The staff member's grants in the company with status ``approved``, ordered by id.

        Expired ones included until the sweep records them: the decision judges the end.
        """
        ...

    def due(self, at: datetime, limit: int) -> Sequence[SupportGrant]:
        """Approved grants whose ``expires_at`` is at or before ``at``, earliest first."""
        ...

    def next_due(self, at: datetime) -> datetime | None:
        """The earliest ``expires_at`` after ``at`` among approved grants, or ``None``."""
        ...

    def all(self) -> Sequence[SupportGrant]:
        """Every grant, ordered by id."""
        ...
