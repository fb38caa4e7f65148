"""What every command of the service shares.

Configuration, the unit-of-work runner, and lookups that raise the library's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeVar

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.models import Company, CompanySettings, Membership, User
from teamaccess.domain.policy import decide
from teamaccess.domain.roles import DEFAULT_POLICY, Policy, require_known_role
from teamaccess.errors import (
    AccessDenied,
    MembershipNotFound,
    NotAMember,
    TransientStorageError,
    UnknownCompany,
    UnknownUser,
)
from teamaccess.ports import (
    Clock,
    Eligibility,
    IdFactory,
    Store,
    TokenFactory,
    Transaction,
    UserDirectory,
)
from teamaccess.service.defaults import random_ids, secure_tokens, utc_now

__all__ = ["ServiceCore", "raise_if_denied"]

_T = TypeVar("_T")


class ServiceCore:
    """Configuration and plumbing of :class:`~teamaccess.TeamAccess`.

    Args:
        store: The storage adapter, e.g. :class:`~teamaccess.MemoryStore` or
            ``teamaccess.adapters.sql.SqlStore``.
        policy: The role policy (R-MEM-8); defaults to ``admin`` and ``member``.
        eligibility: The host's predicate for who may be added (R-MEM-4).
        clock: Returns the current aware UTC time.
        ids: Makes company, invitation, pool and user ids.
        tokens: Makes secret invitation tokens.
        founder_role: The role of a company's creator.
        member_role: The role of an added member when the call names none.
        default_settings: Settings of new companies that do not bring their own.
        platform_admins: User ids of the platform's admins, who manage products,
            every group and direct tag grants (R-SEAT-4).
        directory: The host's user directory, asked to register people enrolled by
            an e-mail no user has yet (R-SEAT-5); by default a new id from ``ids``.
        retries: How often a command is retried after a serialization failure.
    """

    def __init__(
        self,
        store: Store,
        *,
        policy: Policy = DEFAULT_POLICY,
        eligibility: Eligibility | None = None,
        clock: Clock = utc_now,
        ids: IdFactory = random_ids,
        tokens: TokenFactory = secure_tokens,
        founder_role: str = "admin",
        member_role: str = "member",
        default_settings: CompanySettings | None = None,
        platform_admins: Collection[str] = (),
        directory: UserDirectory | None = None,
        retries: int = 3,
    ) -> None:
        self._store = store
        self._policy = policy
        self._eligibility = eligibility
        self._clock = clock
        self._ids = ids
        self._tokens = tokens
        self._founder_role = require_known_role(policy, founder_role)
        self._member_role = require_known_role(policy, member_role)
        self._default_settings = default_settings or CompanySettings()
        self._platform_admins = frozenset(platform_admins)
        self._directory: UserDirectory = directory or (lambda _email: ids("user"))
        self._retries = retries

    @property
    def store(self) -> Store:
        """The storage adapter this service writes to."""
        return self._store

    @property
    def policy(self) -> Policy:
        """The role policy in force."""
        return self._policy

    def _command(self, work: Callable[[Transaction, datetime], _T]) -> _T:
        """Run ``work`` in one transaction; retry it whole after a transient failure."""
        attempt = 0
        while True:
            try:
                with self._store.transaction() as tx:
                    result = work(tx, self._clock())
                    tx.commit()
                    return result
            except TransientStorageError:
                attempt += 1
                if attempt > self._retries:
                    raise

    def _require(
        self,
        tx: Transaction,
        action: Action,
        company: Company,
        actor_id: str,
        target: Membership | None = None,
    ) -> None:
        actor = tx.memberships.get(company.id, UserId(actor_id))
        raise_if_denied(
            decide(action, company=company, actor=actor, policy=self._policy, target=target)
        )

    @staticmethod
    def _user(tx: Transaction, user_id: str) -> User:
        user = tx.users.get(UserId(check_id(user_id, "user")))
        if user is None:
            raise UnknownUser(user_id)
        return user

    @staticmethod
    def _company(tx: Transaction, company_id: str, *, lock: bool = False) -> Company:
        company = tx.companies.get(CompanyId(check_id(company_id, "company")), for_update=lock)
        if company is None:
            raise UnknownCompany(company_id)
        return company

    @staticmethod
    def _membership(tx: Transaction, company_id: CompanyId, user_id: str) -> Membership:
        membership = tx.memberships.get(company_id, UserId(check_id(user_id, "user")))
        if membership is None:
            raise MembershipNotFound(company_id, user_id)
        return membership


def raise_if_denied(decision: Decision) -> None:
    """Raise :class:`NotAMember` or :class:`AccessDenied` for a denying decision."""
    if decision.allowed:
        return
    if decision.reason == Reason.NOT_A_MEMBER.value:
        raise NotAMember(decision)
    raise AccessDenied(decision)
