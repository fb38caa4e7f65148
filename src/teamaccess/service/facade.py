"""The facade hosts call: [TeamAccess][teamaccess.TeamAccess], one namespace per area.

``ta.members.add(...)``, ``ta.seats.enroll_csv(...)``, ``ta.leads.pick(...)``: each area
is a small class in a module of its own, holding the service's one core (store,
policy, clock, ids); the permission check, the hot path, is on the facade itself.
Every command names the acting user and, where one exists, the acting company
(R-MEM-1). Each runs in one transaction of the store: it checks, writes and appends
its events to the outbox, and commits all of it or nothing (R-ALL-3, R-ALL-4). Bad
input raises a specific [teamaccess.errors][] exception before anything is read
or written (R-ALL-6, R-ALL-7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any, ClassVar

from teamaccess.domain.company_roles import RoleLimits
from teamaccess.domain.consistency import Consistency, ConsistencyToken
from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.ids import CompanyId, UserId, check_id, well_formed
from teamaccess.domain.models import CompanySettings
from teamaccess.domain.policy import decide
from teamaccess.domain.records import DEFAULT_TIMELINE_EMBARGO
from teamaccess.domain.retry import RetryPolicy
from teamaccess.domain.roles import DEFAULT_POLICY, Policy
from teamaccess.domain.support import MAX_SUPPORT_DURATION
from teamaccess.domain.windows import is_windowed
from teamaccess.errors import InvalidInput
from teamaccess.ports import (
    CheckFacts,
    Clock,
    Eligibility,
    IdFactory,
    Store,
    TokenFactory,
    UserDirectory,
)
from teamaccess.service._core import DECISION_LOG, ServiceCore, log_decision, raise_if_denied
from teamaccess.service._tokens import current_scope
from teamaccess.service.access import Access
from teamaccess.service.audit import Audit
from teamaccess.service.companies import Companies
from teamaccess.service.defaults import random_ids, secure_tokens, utc_now
from teamaccess.service.domains import Domains
from teamaccess.service.grants import Grants
from teamaccess.service.inbox import Inbox
from teamaccess.service.invitations import Invitations
from teamaccess.service.leads import Leads
from teamaccess.service.licenses import Licenses
from teamaccess.service.lifecycle import Lifecycle
from teamaccess.service.members import Members
from teamaccess.service.outbox import Outbox
from teamaccess.service.partners import Partners
from teamaccess.service.privacy import Privacy
from teamaccess.service.provisioning import Provisioning
from teamaccess.service.records import Records
from teamaccess.service.roles import Roles
from teamaccess.service.seats import Seats
from teamaccess.service.support import Support
from teamaccess.service.tags import Tags
from teamaccess.service.users import Users

__all__ = ["TeamAccess"]

_enabled = DECISION_LOG.isEnabledFor  # bound once: the check's hot path asks it


def logged(decision: Decision) -> bool:
    """Whether `log_decision` would write: a denial at INFO, an allowed action at DEBUG."""
    return _enabled(logging.DEBUG if decision.allowed else logging.INFO)


_KNOWN_ANSWERS = 100_000  # answers a service on a generation-counting store keeps


class TeamAccess:
    """The teamaccess service: one instance per store, thread-safe as far as its store is.

    Args:
        store: The storage adapter, e.g. [MemoryStore][teamaccess.MemoryStore] or
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
        max_partner_depth: How many ancestors an account may have at most (R-PART-3);
            unlimited by default.
        retries: How often a command is retried after a serialization failure: a
            shorthand for ``retry_policy=RetryPolicy(attempts=retries + 1)``
            (default delays); give one or the other.
        timeline_embargo: How long after the activity a provider's timeline entry
            reaches the customer's members (R-REC-2); 10 days by default.
        retry_policy: How a command is retried after a serialization failure or
            deadlock: attempts, exponential backoff with full jitter, a time budget
            ([RetryPolicy][teamaccess.values.RetryPolicy]; six tries within 5 s by default).
        sleep: Waits between retries (seconds); the store's own pause by default
            (``time.sleep``; on an async store, an await on the running loop).
            Tests pass a recorder so that nothing waits.
        consumer_domains: Mail domains no company may claim, added to the shipped
            [CONSUMER_DOMAINS][teamaccess.values.CONSUMER_DOMAINS] (R-DOM-1).
        role_limits: The host's permission list for companies' own roles, and how many
            roles each plan may define ([RoleLimits][teamaccess.values.RoleLimits], R-ROLE-1);
            by default 20 per company, from the permissions of the built-in roles.
        support_staff: User ids of platform staff, who reach a company only through a
            support grant it approved (R-SUP-1); platform admins count as staff too.
        support_max_duration: The longest a support grant may last: 72 hours by
            default, at most 30 days.

    Attributes:
        users: Registering and finding users.
        companies: Creating companies and editing their profile.
        members: Adding, removing and re-roling members; the main contact.
        invitations: Invitations by e-mail.
        seats: Products, seat pools and their groups.
        tags: Access tags and content decisions.
        partners: Partner and child accounts, custom properties, overviews.
        licenses: Articles and counted licenses.
        leads: The lead marketplace.
        inbox: A company's inbox of contact and meeting requests.
        records: Shared records and the timeline.
        lifecycle: Migrating per-user accounts and merging companies.
        outbox: The events waiting for a consumer.
        access: Who may do what, and why: reverse queries and access reviews.
        grants: Time-bound grants: windows, the expiry sweep, what expires soon.
        privacy: A person's data rights: export and erasure (GDPR).
        domains: Verified company domains and join requests by domain (R-DOM-*).
        roles: A company's own roles (R-ROLE-1..3).
        support: Platform staff's support access: request, approve, end (R-SUP-*).
        audit: A company's audit trail, searched and exported (R-ALL-4, R-CO-6).
        provisioning: The company's directory over SCIM 2.0 (R-PROV-1, R-PROV-2).
    """

    _awaited: ClassVar[bool] = False  # True under AsyncTeamAccess, which runs it in run_sync

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
        max_partner_depth: int | None = None,
        retries: int | None = None,
        timeline_embargo: timedelta = DEFAULT_TIMELINE_EMBARGO,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
        consumer_domains: Collection[str] = (),
        role_limits: RoleLimits | None = None,
        support_staff: Collection[str] = (),
        support_max_duration: timedelta = MAX_SUPPORT_DURATION,
    ) -> None:
        if getattr(store, "is_async", False) and not self._awaited:
            raise TypeError(
                f"{store!r} works on an AsyncEngine or AsyncConnection: use AsyncTeamAccess"
            )
        self._options: dict[str, Any] = {
            "policy": policy,
            "eligibility": eligibility,
            "clock": clock,
            "ids": ids,
            "tokens": tokens,
            "founder_role": founder_role,
            "member_role": member_role,
            "default_settings": default_settings,
            "platform_admins": platform_admins,
            "directory": directory,
            "max_partner_depth": max_partner_depth,
            "retries": retries,
            "timeline_embargo": timeline_embargo,
            "retry_policy": retry_policy,
            "sleep": sleep,
            "consumer_domains": consumer_domains,
            "support_staff": support_staff,
            "support_max_duration": support_max_duration,
        }
        limits = role_limits if role_limits is not None else RoleLimits()
        if not isinstance(limits, RoleLimits):
            raise InvalidInput(f"role_limits must be a RoleLimits: {limits!r}")
        core = ServiceCore(store, **self._options)
        self._options["role_limits"] = limits  # for `bind`; the core needs none
        self._core = core
        # Answers by (actor, company, action), kept while the store a check reads stays
        # at the same generation: the memory store's committed state, or a SQL store's
        # check cache (whose every forgetting moves it) while it serves the read's mode.
        # Not over SQLite's exact cache: its every check asks PRAGMA data_version first.
        # One dict per generation, replaced when the generation moves: a kept answer
        # is then a bare Decision (no tuple per answer for the collector to walk).
        self._known: tuple[int, dict[tuple[Any, Any, Any], Decision]] | None = (
            (-1, {})
            if isinstance(getattr(store, "generation", None), int)
            or not getattr(getattr(store, "cache", None), "exact", True)
            else None
        )
        self.users = Users(core)
        self.companies = Companies(core)
        self.members = Members(core)
        self.invitations = Invitations(core)
        self.seats = Seats(core)
        self.tags = Tags(core)
        self.partners = Partners(core)
        self.licenses = Licenses(core)
        self.leads = Leads(core)
        self.inbox = Inbox(core)
        self.records = Records(core)
        self.lifecycle = Lifecycle(core)
        self.outbox = Outbox(core)
        self.access = Access(core)
        self.grants = Grants(core)
        self.privacy = Privacy(core)
        self.domains = Domains(core)
        self.roles = Roles(core, limits)
        self.support = Support(core)
        self.audit = Audit(core)
        self.provisioning = Provisioning(core)

    @property
    def store(self) -> Store:
        """The storage adapter this service writes to."""
        return self._core.store

    @property
    def policy(self) -> Policy:
        """The role policy in force."""
        return self._core.policy

    def bind(self, connection: Any) -> TeamAccess:
        """This service inside the host's transaction on ``connection``.

        Returns a service with the same configuration whose store is the SQL store
        bound to the host's SQLAlchemy ``Connection`` (or an ORM ``Session``'s
        ``session.connection()``): each command runs in a SAVEPOINT of the host's
        transaction, its outbox events with it; nothing commits until the host commits,
        and a host rollback undoes the host's writes and teamaccess's alike. A refused
        command rolls back its savepoint only, so the host's transaction stays usable.
        Inside a host transaction a serialization failure is not retried: it raises
        [TransientStorageError][teamaccess.errors.TransientStorageError], and the host
        retries its whole unit of work.

        Raises:
            TypeError: The store cannot join a host transaction (the in-memory store).
        """
        bind = getattr(self._core.store, "bind", None)
        if bind is None:
            raise TypeError(f"{self._core.store!r} cannot join a host's transaction")
        once = RetryPolicy(attempts=1)
        return type(self)(
            bind(connection), **{**self._options, "retries": None, "retry_policy": once}
        )

    def check(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
        consistency: Consistency | None = None,
    ) -> Decision:
        """Decide whether the actor may do ``action`` in the company (R-ALL-2).

        Returns a [Decision][teamaccess.Decision] that is truthy when allowed and says
        why, with the deciding rule. Never raises for unknown ids: they are denied
        (R-ALL-1). A malformed id or action (not a string, empty, too long, with
        control characters or outer spaces) raises
        [InvalidName][teamaccess.errors.InvalidName], the same on every store (R-ALL-7).
        ``consistency`` says where the check may read (R-ALL-12): by default the
        primary, or ``at_least`` the token of an enclosing
        [consistency_scope][teamaccess.consistency.consistency_scope].
        """
        core = self._core
        store = core.store
        if consistency is not None or current_scope() is not None:
            store = core.reads(consistency)
        # The generation is read before the facts: an answer is then never kept under a
        # generation older than the facts it was decided on. None: no kept answers.
        known: dict[tuple[Any, Any, Any], Decision] | None = None
        if self._known is not None and target_user_id is None:
            generation = getattr(store, "generation", None)
            if generation is not None:
                kept = self._known
                if kept[0] < generation:  # the answers of an older state: start afresh
                    kept = self._known = (generation, {})
                # A read that began before the newest generation keeps nothing.
                known = kept[1] if kept[0] == generation else None
                try:
                    decision = None if known is None else known.get((actor_id, company_id, action))
                except TypeError:  # unhashable: not an id, refused below
                    decision, known = None, None
                if decision is not None:
                    if logged(decision):
                        log_decision(decision, actor_id, company_id, action)
                    return decision
        if not well_formed(actor_id, company_id, action):
            check_id(actor_id, "user")
            check_id(company_id, "company")
            check_id(action, "action")
        if target_user_id is None:  # the hot path: one read of everything decide needs
            facts = store.check_facts(company_id, actor_id)
            decision, timed = self._decide_on(facts, actor_id, company_id, action)
            company = facts[0]
            if (
                actor_id in core.staff
                and company is not None
                and self._staff_may_enter(decision, facts, actor_id)
            ):
                with store.reader() as tx:  # a second read, of their support grants (R-SUP-1)
                    support = core.support_decision(tx, company, actor_id, action)
                decision = decision if support is None else support
                timed = True  # a grant's answer changes with time alone: never kept
            if known is not None and not timed:
                if len(known) >= _KNOWN_ANSWERS:
                    known.clear()
                known[(actor_id, company_id, action)] = decision
            if logged(decision):
                log_decision(decision, actor_id, company_id, action)
            return decision
        check_id(target_user_id, "user")
        with store.reader() as tx:  # an action aimed at a member: its membership too
            company = tx.companies.get(CompanyId(company_id))
            target = tx.memberships.get(CompanyId(company_id), UserId(target_user_id))
            return core.decide(tx, action, company, actor_id, target, company_id=company_id)

    def _decide_on(
        self, facts: CheckFacts, actor_id: str, company_id: str, action: str
    ) -> tuple[Decision, bool]:
        """The check's decision on what ``check_facts`` read; whether time alone changes it."""
        # Sight from above passes the ancestor's gate too (R-CO-8): its row comes along.
        company, actor, above, ancestor, sight = facts
        # A window is judged at the service's clock (R-TIME-1); such an answer changes
        # with time alone, so it is never kept.
        timed = is_windowed(actor) or is_windowed(above) or sight is not None
        decision = decide(
            action, company=company, actor=actor, policy=self._core.policy,
            ancestor_member=above, ancestor=ancestor, company_id=company_id,
            now=self._core.clock() if timed else None, sight=sight,
        )  # fmt: skip
        return decision, timed

    def _staff_may_enter(self, decision: Decision, facts: CheckFacts, actor_id: str) -> bool:
        """Whether platform staff, refused as outsiders, may hold a support grant (R-SUP-1)."""
        return (
            facts[0] is not None
            and not decision.allowed
            and actor_id in self._core.staff
            and decision.reason == Reason.NOT_A_MEMBER.value
        )

    def require(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
        consistency: Consistency | None = None,
    ) -> Decision:
        """Like `check`, but raise [AccessDenied][teamaccess.errors.AccessDenied] if denied."""
        decision = self.check(
            actor_id, company_id, action, target_user_id=target_user_id, consistency=consistency
        )
        raise_if_denied(decision)
        return decision

    def current_token(self) -> ConsistencyToken:
        """The store's position now, as a consistency token (R-ALL-12).

        Every command committed before the call is at or below it. Commands set
        [last_token][teamaccess.consistency.last_token] themselves; this is for a host that ran
        commands in its own transaction (``ta.bind(connection)``): call it on the
        unbound service after the host's COMMIT.

        Raises:
            TypeError: The store issues no tokens (a bound store: ask after the COMMIT).
        """
        return self._core.current_token()
