"""In-memory domain claims and join requests (R-DOM-1..4).

Uniqueness as the SQL tables hold it: one claim per (company, domain), one verified
claim per domain, one pending join request per (company, user).
"""

from __future__ import annotations

from collections.abc import Sequence

from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.domains import DomainClaim, JoinRequest, JoinRequestState
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.errors import Conflict, DomainTaken, StorageError

__all__ = ["MemoryDomainClaims", "MemoryJoinRequests"]


class MemoryDomainClaims(Repo):
    def get(self, company_id: CompanyId, domain: str) -> DomainClaim | None:
        return self._t.domain_claims.get((company_id, domain))

    def verified(self, domain: str) -> DomainClaim | None:
        owner = self._t.verified_domains.get(domain)
        return None if owner is None else self._t.domain_claims.get((owner, domain))

    def of_company(self, company_id: CompanyId) -> Sequence[DomainClaim]:
        return [c for (owner, _), c in sorted(self._t.domain_claims.items()) if owner == company_id]

    def of_domain(self, domain: str) -> Sequence[DomainClaim]:
        return [c for (_, name), c in sorted(self._t.domain_claims.items()) if name == domain]

    def add(self, claim: DomainClaim) -> None:
        require(claim.company_id in self._t.companies, "company", claim.company_id)
        key = (claim.company_id, claim.domain)
        if key in self._t.domain_claims:
            raise Conflict(f"company {claim.company_id!r} claims {claim.domain!r} already")
        self._index(claim)
        self._j.put(self._t.domain_claims, key, claim)

    def update(self, claim: DomainClaim) -> None:
        key = (claim.company_id, claim.domain)
        old = self._t.domain_claims.get(key)
        if old is None:
            raise StorageError(f"no domain claim {key!r} to update")
        if old.verified and not claim.verified:
            self._j.pop(self._t.verified_domains, claim.domain)
        self._index(claim)
        self._j.put(self._t.domain_claims, key, claim)

    def _index(self, claim: DomainClaim) -> None:
        """The unique constraint over verified domains."""
        if not claim.verified:
            return
        owner = self._t.verified_domains.get(claim.domain)
        if owner is not None and owner != claim.company_id:
            raise DomainTaken(f"{claim.domain!r} is verified by another company")
        if owner is None:
            self._j.put(self._t.verified_domains, claim.domain, claim.company_id)

    def remove(self, company_id: CompanyId, domain: str) -> None:
        claim = self._t.domain_claims.get((company_id, domain))
        if claim is None:
            return
        if self._t.verified_domains.get(domain) == company_id:
            self._j.pop(self._t.verified_domains, domain)
        self._j.pop(self._t.domain_claims, (company_id, domain))

    def all(self) -> Sequence[DomainClaim]:
        return [claim for _, claim in sorted(self._t.domain_claims.items())]


class MemoryJoinRequests(Repo):
    def get(self, request_id: str) -> JoinRequest | None:
        return self._t.join_requests.get(request_id)

    def pending(self, company_id: CompanyId, user_id: UserId) -> JoinRequest | None:
        request_id = self._t.pending_requests.get((company_id, user_id))
        return None if request_id is None else self._t.join_requests[request_id]

    def of_company(self, company_id: CompanyId) -> Sequence[JoinRequest]:
        return [r for _, r in sorted(self._t.join_requests.items()) if r.company_id == company_id]

    def of_user(self, user_id: UserId) -> Sequence[JoinRequest]:
        return [r for _, r in sorted(self._t.join_requests.items()) if r.user_id == user_id]

    def add(self, request: JoinRequest) -> None:
        require(request.company_id in self._t.companies, "company", request.company_id)
        require(request.user_id in self._t.users, "user", request.user_id)
        if request.id in self._t.join_requests:
            raise Conflict(f"join request {request.id!r} exists already")
        key = (request.company_id, request.user_id)
        if request.state is JoinRequestState.PENDING:
            if key in self._t.pending_requests:
                raise Conflict(f"{request.user_id!r} has asked {request.company_id!r} already")
            self._j.put(self._t.pending_requests, key, request.id)
        self._j.put(self._t.join_requests, request.id, request)

    def update(self, request: JoinRequest) -> None:
        old = self._t.join_requests.get(request.id)
        if old is None:
            raise StorageError(f"no join request {request.id!r} to update")
        key = (request.company_id, request.user_id)
        if old.state is JoinRequestState.PENDING and request.state is not JoinRequestState.PENDING:
            self._j.pop(self._t.pending_requests, key)
        elif (
            request.state is JoinRequestState.PENDING and old.state is not JoinRequestState.PENDING
        ):
            if key in self._t.pending_requests:
                raise Conflict(f"{request.user_id!r} has asked {request.company_id!r} already")
            self._j.put(self._t.pending_requests, key, request.id)
        self._j.put(self._t.join_requests, request.id, request)

    def remove_of_user(self, user_id: UserId) -> int:
        mine = self.of_user(user_id)
        for request in mine:
            key = (request.company_id, request.user_id)
            if self._t.pending_requests.get(key) == request.id:
                self._j.pop(self._t.pending_requests, key)
            self._j.pop(self._t.join_requests, request.id)
        return len(mine)

    def all(self) -> Sequence[JoinRequest]:
        return [request for _, request in sorted(self._t.join_requests.items())]
