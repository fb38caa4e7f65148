"""SQL storage of domain claims and join requests (R-DOM-1..4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._repo import Repo
from teamaccess.domain.domains import (
    ChallengeMethod,
    DomainClaim,
    DomainState,
    EnrollmentMode,
    JoinRequest,
    JoinRequestState,
)
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.errors import Conflict, DomainTaken, StorageError

__all__ = ["DomainClaims", "JoinRequests"]


def _claim_values(claim: DomainClaim) -> dict[str, Any]:
    return {
        "company_id": claim.company_id,
        "domain": claim.domain,
        "state": claim.state.value,
        "method": claim.method.value,
        "challenge_hash": claim.challenge_hash,
        "challenge_address": claim.challenge_address,
        "challenge_expires_at": claim.challenge_expires_at,
        "claimed_by": claim.claimed_by,
        "claimed_at": claim.claimed_at,
        "mode": claim.mode.value,
        "default_role": claim.default_role,
        "mode_set_by": claim.mode_set_by,
        "verified_at": claim.verified_at,
        "verified_by": claim.verified_by,
        "verified_domain": claim.domain if claim.verified else None,
    }


def _claim(row: Any) -> DomainClaim:
    return DomainClaim(
        company_id=CompanyId(row.company_id),
        domain=row.domain,
        state=DomainState(row.state),
        method=ChallengeMethod(row.method),
        challenge_hash=row.challenge_hash,
        challenge_address=row.challenge_address,
        challenge_expires_at=row.challenge_expires_at,
        claimed_by=UserId(row.claimed_by),
        claimed_at=row.claimed_at,
        mode=EnrollmentMode(row.mode),
        default_role=row.default_role,
        mode_set_by=None if row.mode_set_by is None else UserId(row.mode_set_by),
        verified_at=row.verified_at,
        verified_by=None if row.verified_by is None else UserId(row.verified_by),
    )


class DomainClaims(Repo):
    def get(self, company_id: CompanyId, domain: str) -> DomainClaim | None:
        t = self._t.domains
        row = self._row(sa.select(t).where(t.c.company_id == company_id, t.c.domain == domain))
        return None if row is None else _claim(row)

    def verified(self, domain: str) -> DomainClaim | None:
        t = self._t.domains
        row = self._row(sa.select(t).where(t.c.verified_domain == domain))
        return None if row is None else _claim(row)

    def of_company(self, company_id: CompanyId) -> Sequence[DomainClaim]:
        t = self._t.domains
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.domain)
        return [_claim(row) for row in self._rows(statement)]

    def of_domain(self, domain: str) -> Sequence[DomainClaim]:
        t = self._t.domains
        statement = sa.select(t).where(t.c.domain == domain).order_by(t.c.company_id)
        return [_claim(row) for row in self._rows(statement)]

    def add(self, claim: DomainClaim) -> None:
        try:
            self._c.execute(self._t.domains.insert(), _claim_values(claim))
        except sa.exc.IntegrityError as error:
            raise self._error(claim, error) from error

    def update(self, claim: DomainClaim) -> None:
        t = self._t.domains
        values = _claim_values(claim)
        try:
            result = self._c.execute(
                t.update().where(t.c.company_id == claim.company_id, t.c.domain == claim.domain),
                {k: v for k, v in values.items() if k not in ("company_id", "domain")},
            )
        except sa.exc.IntegrityError as error:
            raise self._error(claim, error) from error
        if result.rowcount != 1:
            raise StorageError(f"no domain claim {claim.domain!r} of {claim.company_id!r}")

    def _error(self, claim: DomainClaim, error: sa.exc.IntegrityError) -> Exception:
        if "verified_once" in str(error.orig).lower() or "verified_domain" in str(error.orig):
            return DomainTaken(f"{claim.domain!r} is verified by another company")
        return Conflict(f"company {claim.company_id!r} claims {claim.domain!r} already")

    def remove(self, company_id: CompanyId, domain: str) -> None:
        t = self._t.domains
        self._c.execute(t.delete().where(t.c.company_id == company_id, t.c.domain == domain))

    def all(self) -> Sequence[DomainClaim]:
        t = self._t.domains
        return [
            _claim(row) for row in self._rows(sa.select(t).order_by(t.c.company_id, t.c.domain))
        ]


def _request_values(request: JoinRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "company_id": request.company_id,
        "user_id": request.user_id,
        "domain": request.domain,
        "state": request.state.value,
        "created_at": request.created_at,
        "decided_by": request.decided_by,
        "closed_at": request.closed_at,
        "pending": True if request.state is JoinRequestState.PENDING else None,
    }


def _request(row: Any) -> JoinRequest:
    return JoinRequest(
        id=row.id,
        company_id=CompanyId(row.company_id),
        user_id=UserId(row.user_id),
        domain=row.domain,
        state=JoinRequestState(row.state),
        created_at=row.created_at,
        decided_by=None if row.decided_by is None else UserId(row.decided_by),
        closed_at=row.closed_at,
    )


class JoinRequests(Repo):
    def get(self, request_id: str) -> JoinRequest | None:
        t = self._t.join_requests
        row = self._row(sa.select(t).where(t.c.id == request_id))
        return None if row is None else _request(row)

    def pending(self, company_id: CompanyId, user_id: UserId) -> JoinRequest | None:
        t = self._t.join_requests
        row = self._row(
            sa.select(t).where(
                t.c.company_id == company_id, t.c.user_id == user_id, t.c.pending.is_(True)
            )
        )
        return None if row is None else _request(row)

    def of_company(self, company_id: CompanyId) -> Sequence[JoinRequest]:
        t = self._t.join_requests
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.id)
        return [_request(row) for row in self._rows(statement)]

    def of_user(self, user_id: UserId) -> Sequence[JoinRequest]:
        t = self._t.join_requests
        statement = sa.select(t).where(t.c.user_id == user_id).order_by(t.c.id)
        return [_request(row) for row in self._rows(statement)]

    def add(self, request: JoinRequest) -> None:
        try:
            self._c.execute(self._t.join_requests.insert(), _request_values(request))
        except sa.exc.IntegrityError as error:
            raise Conflict(
                f"{request.user_id!r} has asked {request.company_id!r} already"
            ) from error

    def update(self, request: JoinRequest) -> None:
        self._update_one(self._t.join_requests, "id", _request_values(request))

    def remove_of_user(self, user_id: UserId) -> int:
        t = self._t.join_requests
        return int(self._c.execute(t.delete().where(t.c.user_id == user_id)).rowcount)

    def all(self) -> Sequence[JoinRequest]:
        t = self._t.join_requests
        return [_request(row) for row in self._rows(sa.select(t).order_by(t.c.id))]
