"""Repositories of domain claims and join requests (R-DOM-1..4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from teamaccess.domain.domains import DomainClaim, JoinRequest
from teamaccess.domain.ids import CompanyId, UserId

__all__ = ["DomainClaims", "JoinRequests"]


class DomainClaims(Protocol):
    """Domain claims, one per (company, domain); a domain is verified for one company."""

    def get(self, company_id: CompanyId, domain: str) -> DomainClaim | None:
        """The company's claim of ``domain`` or ``None``."""
        ...

    def verified(self, domain: str) -> DomainClaim | None:
        """The verified claim of ``domain``, in whichever company, or ``None``."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[DomainClaim]:
        """The company's claims, ordered by domain."""
        ...

    def of_domain(self, domain: str) -> Sequence[DomainClaim]:
        """Every company's claim of ``domain``, ordered by company id."""
        ...

    def add(self, claim: DomainClaim) -> None:
        """Insert; raise ``Conflict`` if the company claims it already."""
        ...

    def update(self, claim: DomainClaim) -> None:
        """Replace the stored claim of the same (company, domain).

        Raises ``DomainTaken`` if it would verify a domain another company holds
        verified: the storage's own uniqueness rule (a unique constraint on SQL), so
        two companies verifying at once cannot both win (R-DOM-1).
        """
        ...

    def remove(self, company_id: CompanyId, domain: str) -> None:
        """Delete the claim."""
        ...

    def all(self) -> Sequence[DomainClaim]:
        """Every claim, ordered by (company id, domain)."""
        ...


class JoinRequests(Protocol):
    """Join requests; at most one pending per (company, user)."""

    def get(self, request_id: str) -> JoinRequest | None:
        """The request or ``None``."""
        ...

    def pending(self, company_id: CompanyId, user_id: UserId) -> JoinRequest | None:
        """The user's pending request to the company, or ``None``."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[JoinRequest]:
        """The company's requests, ordered by id."""
        ...

    def of_user(self, user_id: UserId) -> Sequence[JoinRequest]:
        """The user's requests in every company, ordered by id."""
        ...

    def add(self, request: JoinRequest) -> None:
        """Insert; raise ``Conflict`` if the user has a pending request there already."""
        ...

    def update(self, request: JoinRequest) -> None:
        """Replace the stored request with the same id."""
        ...

    def remove_of_user(self, user_id: UserId) -> int:
        """Delete every request of the user (erasure, R-CO-9); how many."""
        ...

    def all(self) -> Sequence[JoinRequest]:
        """Every request, ordered by id."""
        ...
