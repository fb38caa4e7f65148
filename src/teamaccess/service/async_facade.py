"""[AsyncTeamAccess][teamaccess.AsyncTeamAccess]: the facade for hosts on an event loop.

The same namespaces and method names as [TeamAccess][teamaccess.TeamAccess], each an
awaitable. There is one implementation of every rule: each call runs the synchronous
method through the store's ``run_sync``. For a store over SQLAlchemy's ``AsyncEngine``
or ``AsyncConnection`` (aiosqlite, asyncpg, asyncmy) that is SQLAlchemy's greenlet
bridge, the mechanism of ``AsyncConnection.run_sync``: the driver's I/O awaits on the
host's loop and no thread pool is involved. The in-memory store does no I/O and
answers directly, so tests of an async host need no database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta
from typing import Any, ClassVar, TypedDict

from typing_extensions import Unpack

from teamaccess.domain.company_roles import RoleLimits
from teamaccess.domain.consistency import Consistency, ConsistencyToken
from teamaccess.domain.decisions import Decision
from teamaccess.domain.ids import well_formed
from teamaccess.domain.models import CompanySettings
from teamaccess.domain.retry import RetryPolicy
from teamaccess.domain.roles import Policy
from teamaccess.ports import (
    CheckFacts,
    Clock,
    Eligibility,
    IdFactory,
    Store,
    TokenFactory,
    UserDirectory,
)
from teamaccess.service._core import log_decision, raise_if_denied
from teamaccess.service._tokens import current_scope
from teamaccess.service.async_namespaces import (
    AsyncAccess,
    AsyncAudit,
    AsyncCompanies,
    AsyncDomains,
    AsyncGrants,
    AsyncInbox,
    AsyncInvitations,
    AsyncLeads,
    AsyncLicenses,
    AsyncLifecycle,
    AsyncMembers,
    AsyncOutbox,
    AsyncPartners,
    AsyncPrivacy,
    AsyncProvisioning,
    AsyncRecords,
    AsyncRoles,
    AsyncSeats,
    AsyncSupport,
    AsyncTags,
    AsyncUsers,
    Runner,
)
from teamaccess.service.facade import TeamAccess, logged

__all__ = ["AsyncTeamAccess", "ServiceOptions"]


class ServiceOptions(TypedDict, total=False):
    """The keyword options of [TeamAccess][teamaccess.TeamAccess], for ``AsyncTeamAccess``."""

    policy: Policy
    eligibility: Eligibility | None
    clock: Clock
    ids: IdFactory
    tokens: TokenFactory
    founder_role: str
    member_role: str
    default_settings: CompanySettings | None
    platform_admins: Collection[str]
    directory: UserDirectory | None
    max_partner_depth: int | None
    retries: int | None
    timeline_embargo: timedelta
    retry_policy: RetryPolicy | None
    sleep: Callable[[float], object] | None
    consumer_domains: Collection[str]
    role_limits: RoleLimits | None
    support_staff: Collection[str]
    support_max_duration: timedelta


class _Awaited(TeamAccess):
    """The synchronous service an ``AsyncTeamAccess`` runs in its store's ``run_sync``."""

    _awaited: ClassVar[bool] = True


async def _direct(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a method of a store that does no I/O (the in-memory store) as it is."""
    return fn(*args, **kwargs)


def _runner(store: Store) -> Runner:
    """How calls on ``store`` are awaited; refuse a store that would block the loop."""
    run_sync: Runner | None = getattr(store, "run_sync", None)
    is_async = getattr(store, "is_async", None)
    if is_async is False:
        raise TypeError(
            f"{store!r} would block the event loop: give AsyncTeamAccess a store over an "
            "AsyncEngine, e.g. SqlStore(create_async_engine(url)), or use TeamAccess"
        )
    return run_sync if is_async and run_sync is not None else _direct


class AsyncTeamAccess:
    """The teamaccess service for asyncio hosts: ``await ata.members.add(...)``.

    Args:
        store: A ``teamaccess.adapters.sql.SqlStore`` over an ``AsyncEngine``
            (``sqlite+aiosqlite``, ``postgresql+asyncpg``, ``mysql+asyncmy``), or a
            [MemoryStore][teamaccess.MemoryStore] for tests. A store over a plain
            ``Engine`` is refused with ``TypeError``: its I/O would block the loop.
        **options: The options of [TeamAccess][teamaccess.TeamAccess] (policy, clock,
            ids, platform_admins, ...), with the same meaning.

    Every namespace of ``TeamAccess`` is here under the same name, and every method
    takes the same arguments and returns (when awaited) the same value or raises the
    same [teamaccess.errors][] exception: one command is one transaction, retried
    after a serialization failure as on the synchronous facade, by the same
    ``retry_policy``. The wait between retries is the store's ``pause``: over an
    ``AsyncEngine`` it awaits ``asyncio.sleep`` on the running loop (inside
    SQLAlchemy's greenlet bridge), so a retrying command never blocks the loop.

    Attributes:
        users: ``ta.users``, awaitable.
        companies: ``ta.companies``, awaitable.
        members: ``ta.members``, awaitable.
        invitations: ``ta.invitations``, awaitable.
        seats: ``ta.seats``, awaitable.
        tags: ``ta.tags``, awaitable.
        partners: ``ta.partners``, awaitable.
        licenses: ``ta.licenses``, awaitable.
        leads: ``ta.leads``, awaitable.
        inbox: ``ta.inbox``, awaitable.
        records: ``ta.records``, awaitable.
        lifecycle: ``ta.lifecycle``, awaitable.
        outbox: ``ta.outbox``, awaitable.
        access: ``ta.access``, awaitable.
        grants: ``ta.grants``, awaitable.
        privacy: ``ta.privacy``, awaitable.
        domains: ``ta.domains``, awaitable.
        roles: ``ta.roles``, awaitable.
        support: ``ta.support``, awaitable.
        audit: ``ta.audit``, awaitable.
        provisioning: ``ta.provisioning``, awaitable.
    """

    def __init__(self, store: Store, **options: Unpack[ServiceOptions]) -> None:
        run = _runner(store)
        sync = _Awaited(store, **options)
        self._sync = sync
        self._run = run
        # A store's read of the check's facts without the bridge (asyncpg), or None.
        self._awaited_facts: Callable[[str, str], Awaitable[CheckFacts | None]] | None = getattr(
            store, "check_facts_awaited", None
        )
        self.users = AsyncUsers(sync.users, run)
        self.companies = AsyncCompanies(sync.companies, run)
        self.members = AsyncMembers(sync.members, run)
        self.invitations = AsyncInvitations(sync.invitations, run)
        self.seats = AsyncSeats(sync.seats, run)
        self.tags = AsyncTags(sync.tags, run)
        self.partners = AsyncPartners(sync.partners, run)
        self.licenses = AsyncLicenses(sync.licenses, run)
        self.leads = AsyncLeads(sync.leads, run)
        self.inbox = AsyncInbox(sync.inbox, run)
        self.records = AsyncRecords(sync.records, run)
        self.lifecycle = AsyncLifecycle(sync.lifecycle, run)
        self.outbox = AsyncOutbox(sync.outbox, run)
        self.access = AsyncAccess(sync.access, run)
        self.grants = AsyncGrants(sync.grants, run)
        self.privacy = AsyncPrivacy(sync.privacy, run)
        self.domains = AsyncDomains(sync.domains, run)
        self.roles = AsyncRoles(sync.roles, run)
        self.support = AsyncSupport(sync.support, run)
        self.audit = AsyncAudit(sync.audit, run)
        self.provisioning = AsyncProvisioning(sync.provisioning, run)

    @property
    def store(self) -> Store:
        """The storage adapter this service writes to."""
        return self._sync.store

    @property
    def policy(self) -> Policy:
        """The role policy in force."""
        return self._sync.policy

    def bind(self, connection: Any) -> AsyncTeamAccess:
        """This service inside the host's transaction on an ``AsyncConnection``.

        The asynchronous twin of [TeamAccess.bind][teamaccess.TeamAccess.bind]: pass
        the host's ``AsyncConnection`` (or ``await session.connection()`` of an
        ``AsyncSession``). Each command runs in a SAVEPOINT of the host's transaction,
        outbox rows included; nothing commits until the host commits. A serialization
        failure raises [TransientStorageError][teamaccess.errors.TransientStorageError]
        for the host to retry its whole unit of work.

        Raises:
            TypeError: The store cannot join a host's transaction (the in-memory store).
        """
        bound = self._sync.bind(connection)
        return AsyncTeamAccess(bound.store, **bound._options)

    async def check(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
        consistency: Consistency | None = None,
    ) -> Decision:
        """Decide whether the actor may do ``action`` in the company (R-ALL-2).

        See [TeamAccess.check][teamaccess.TeamAccess.check]: the same answer, awaited;
        ``consistency`` as there (R-ALL-12).
        """
        sync = self._sync
        awaited = self._awaited_facts
        if (
            awaited is not None
            and target_user_id is None
            and consistency is None
            and current_scope() is None
            and well_formed(actor_id, company_id, action)
        ):  # the facts straight from the driver, decided on the loop (asyncpg)
            facts = await awaited(company_id, actor_id)
            if facts is not None:
                decision, _ = sync._decide_on(facts, actor_id, company_id, action)
                if not sync._staff_may_enter(decision, facts, actor_id):
                    if logged(decision):
                        log_decision(decision, actor_id, company_id, action)
                    return decision
        answer: Decision = await self._run(
            sync.check,
            actor_id,
            company_id,
            action,
            target_user_id=target_user_id,
            consistency=consistency,
        )
        return answer

    async def require(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
        consistency: Consistency | None = None,
    ) -> Decision:
        """Like `check`, but raise [AccessDenied][teamaccess.errors.AccessDenied] if denied."""
        decision = await self.check(
            actor_id, company_id, action, target_user_id=target_user_id, consistency=consistency
        )
        raise_if_denied(decision)
        return decision

    async def current_token(self) -> ConsistencyToken:
        """The store's position now (R-ALL-12).

        See [TeamAccess.current_token][teamaccess.TeamAccess.current_token].
        """
        token: ConsistencyToken = await self._run(self._sync.current_token)
        return token

    def __repr__(self) -> str:
        return f"<AsyncTeamAccess {self.store!r}>"
