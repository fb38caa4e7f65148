"""What every command of the service shares.

Configuration, the unit-of-work runner, and lookups that raise the library's errors.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Collection, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, NoReturn, TypeVar

import attrs

from teamaccess.domain.consistency import KINDS, Consistency, ConsistencyToken, Mode
from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.domains import consumer_domains
from teamaccess.domain.events import Event, Stamp, stamp
from teamaccess.domain.gate import closed, company_gate, suspended
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.inputs import check_count
from teamaccess.domain.leads import Page
from teamaccess.domain.models import Company, CompanySettings, Invitation, Membership, User
from teamaccess.domain.policy import decide, decide_grant
from teamaccess.domain.records import DEFAULT_TIMELINE_EMBARGO
from teamaccess.domain.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from teamaccess.domain.roles import DEFAULT_POLICY, Policy, policy_for, require_known_role
from teamaccess.domain.support import MAX_SUPPORT_DURATION, check_max_duration, decide_support
from teamaccess.domain.windows import (
    Window,
    at_instant,
    decide_window_grant,
    is_windowed,
    membership_window_denial,
    sight_path,
)
from teamaccess.errors import (
    AccessDenied,
    CompanyClosed,
    HierarchyTooDeep,
    InvalidInput,
    InvalidToken,
    MembershipNotFound,
    NotAMember,
    StorageError,
    TransientStorageError,
    UnknownCompany,
    UnknownRole,
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
from teamaccess.service._acting import acting_view, record_acting
from teamaccess.service._context import current_request
from teamaccess.service._telemetry import HOOKS, decision_attributes, trace_current
from teamaccess.service._tokens import issued, scoped
from teamaccess.service.defaults import random_ids, secure_tokens, utc_now

__all__ = [
    "MAX_PAGE",
    "ServiceCore",
    "check_count",
    "page_of",
    "parse_enum",
    "raise_denied",
    "raise_if_denied",
]

MAX_PAGE = 1000
"""The largest page any listing returns."""

_T = TypeVar("_T")
_E = TypeVar("_E", bound=enum.Enum)

# The unit of work a command of this thread or task runs in: a command started inside
# another one's work (a SCIM request is several commands) joins its transaction.
_UNIT: ContextVar[tuple[ServiceCore, Transaction, datetime] | None] = ContextVar(
    "teamaccess_unit", default=None
)


class ServiceCore:
    """Configuration and plumbing every namespace of [TeamAccess][teamaccess.TeamAccess] shares.

    One core per facade; each namespace (``ta.members``, ``ta.seats``, ...) holds it and
    calls its helpers, so the areas are composed, not inherited. Its arguments are
    those of [TeamAccess][teamaccess.TeamAccess], documented there.
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
        max_partner_depth: int | None = None,
        retries: int | None = None,
        timeline_embargo: timedelta = DEFAULT_TIMELINE_EMBARGO,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
        consumer_domains: Collection[str] = (),
        support_staff: Collection[str] = (),
        support_max_duration: timedelta = MAX_SUPPORT_DURATION,
    ) -> None:
        self.store = store
        self.policy = policy
        self.eligibility = eligibility
        self.clock = clock
        self.ids = ids
        self.tokens = tokens
        self.founder_role = require_known_role(policy, founder_role)
        self.member_role = require_known_role(policy, member_role)
        self.default_settings = default_settings or CompanySettings()
        self.platform_admins = frozenset(platform_admins)
        if isinstance(support_staff, str):
            raise InvalidInput("support_staff must be a collection of user ids, not one string")
        # Platform staff, who reach a company only through a support grant (R-SUP-1).
        self.staff = frozenset(check_id(s, "user") for s in support_staff) | self.platform_admins
        self.support_max = check_max_duration(support_max_duration)
        self.directory: UserDirectory = directory or (lambda _email: ids("user"))
        if retries is not None and retry_policy is not None:
            raise InvalidInput("give retry_policy or retries, not both")
        self.retry_policy = (
            RetryPolicy.from_retries(retries)
            if retries is not None
            else retry_policy or DEFAULT_RETRY_POLICY
        )
        if not isinstance(self.retry_policy, RetryPolicy):
            raise InvalidInput(f"retry_policy must be a RetryPolicy: {self.retry_policy!r}")
        # The store's own pause (an async store's awaits on the loop), else time.sleep.
        pause: Callable[[float], object] = getattr(store, "pause", None) or time.sleep
        self.sleep = sleep or pause
        if max_partner_depth is not None and (
            isinstance(max_partner_depth, bool)
            or not isinstance(max_partner_depth, int)
            or max_partner_depth < 1
        ):
            raise InvalidInput(
                f"max_partner_depth must be a positive integer: {max_partner_depth!r}"
            )
        self.max_depth = max_partner_depth
        if not isinstance(timeline_embargo, timedelta) or timeline_embargo < timedelta(0):
            raise InvalidInput(f"timeline_embargo must be a timedelta >= 0: {timeline_embargo!r}")
        self.embargo = timeline_embargo
        # Read routing (R-ALL-12): a store with replicas routes reads by consistency.
        self._route: Callable[[Consistency], Store] | None = getattr(store, "route", None)
        kind = getattr(store, "token_kind", None)
        self.token_kind: str | None = kind if isinstance(kind, str) else None
        self.consumer_domains = _consumer(consumer_domains)

    def command(self, work: Callable[[Transaction, datetime], _T]) -> _T:
        """Run ``work`` in one transaction; retry it whole after a transient failure.

        The retries follow `retry_policy` (backoff with full jitter, a number of
        attempts and a time budget); each is logged with its attempt and delay.
        Called inside another command's ``work``, it runs in that command's transaction
        (committed, retried or rolled back whole with it); the outer work must then let
        every error of the inner one through, or it would commit half of it.
        """
        unit = _UNIT.get()
        if unit is not None and unit[0] is self:
            return work(unit[1], unit[2])
        policy = self.retry_policy
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                with self.store.transaction() as tx:
                    # With staff, a command may run under a support grant (R-SUP-2); in
                    # a request context, its events say where it came from.
                    context = current_request()
                    view = acting_view(tx, context) if self.staff or context else tx
                    now = self.clock()
                    joined = _UNIT.set((self, view, now))
                    try:
                        result = work(view, now)
                    finally:
                        _UNIT.reset(joined)
                    tx.commit()
                issued(_token_of(tx))  # R-ALL-12: teamaccess.consistency.last_token()
                return result
            except TransientStorageError as error:
                if attempt >= policy.attempts:
                    STORAGE_LOG.warning("giving up after %d attempts: %s", attempt, error)
                    raise
                delay = policy.delay(attempt)
                spent = time.monotonic() - started
                if policy.deadline is not None and spent + delay > policy.deadline:
                    STORAGE_LOG.warning(
                        "giving up after %d attempts in %.3f s (deadline %.3f s): %s",
                        attempt, spent, policy.deadline, error,
                    )  # fmt: skip
                    raise
                attempt += 1
                STORAGE_LOG.warning(
                    "retrying the command (attempt %d of %d, after %.4f s): %s",
                    attempt, policy.attempts, delay, error,
                    extra={"attempt": attempt, "delay": delay},
                )  # fmt: skip
                if delay > 0:
                    self.sleep(delay)
            except StorageError as error:
                STORAGE_LOG.warning("storage error: %s", error)
                raise

    def reads(self, consistency: Consistency | None) -> Store:
        """The store a read with ``consistency`` runs on (R-ALL-12).

        Without one, the consistency of the enclosing ``consistency_scope`` (``at_least``
        its token), else the primary. A store without replicas reads its one database
        whatever the mode; a token of another store kind is refused (`InvalidToken`),
        except a scope's (a stale cookie), which is ignored.
        """
        if consistency is None:
            consistency = scoped()
            if consistency is None:
                return self.store
            token = consistency.token
            if token is not None and self.token_kind is not None and token.kind != self.token_kind:
                return self.store
        elif not isinstance(consistency, Consistency):
            raise InvalidInput(
                "consistency must be a teamaccess.consistency.Consistency, "
                f"not {type(consistency).__name__}"
            )
        elif consistency.mode is Mode.AT_LEAST:
            token = consistency.token
            if token is not None and self.token_kind is not None and token.kind != self.token_kind:
                raise InvalidToken(
                    f"token {str(token)!r} was issued by {KINDS[token.kind]}; this store "
                    f"({KINDS[self.token_kind]}) issues '{self.token_kind}' tokens"
                )
        route = self._route
        return self.store if route is None else route(consistency)

    def current_token(self) -> ConsistencyToken:
        """The store's position now: at or past every command committed before the call."""
        current = getattr(self.store, "current_token", None)
        if current is None:
            raise TypeError(
                f"{self.store!r} issues no consistency tokens here; inside a host's "
                "transaction ask the unbound service's current_token() after your COMMIT"
            )
        token = current()
        if not isinstance(token, ConsistencyToken):
            raise TypeError(f"{self.store!r}.current_token() returned {token!r}")
        return token

    def require(
        self,
        tx: Transaction,
        action: Action,
        company: Company,
        actor_id: str,
        target: Membership | None = None,
    ) -> None:
        raise_if_denied(self.decide(tx, action, company, actor_id, target))

    def decide(
        self,
        tx: Transaction,
        action: str,
        company: Company | None,
        actor_id: str,
        target: Membership | None = None,
        *,
        company_id: str | None = None,
    ) -> Decision:
        """Gather the facts `decide` needs and decide (R-ALL-2).

        With ``company_id``, a missing company is denied as one the actor is not a
        member of (R-ALL-9).
        """
        actor = None if company is None else tx.memberships.get(company.id, UserId(actor_id))
        above = ancestor = sight = None
        if (
            (actor is None or is_windowed(actor))  # a window may have ended (R-TIME-1)
            and company is not None
            and company.parent_id is not None
        ):
            above, sight = self.ancestor_sight(tx, company, UserId(actor_id))
            ancestor = None if above is None else tx.companies.get(above.company_id)
        decision = decide(
            action,
            company=company,
            actor=actor,
            policy=self.policy,
            target=target,
            ancestor_member=above,
            ancestor=ancestor,
            company_id=company_id,
            now=self.clock()
            if is_windowed(actor) or is_windowed(above) or sight is not None
            else None,
            sight=sight,
        )
        if (
            company is not None
            and not decision.allowed
            and actor_id in self.staff
            and decision.reason == Reason.NOT_A_MEMBER.value
        ):
            support = self.support_decision(tx, company, actor_id, action)
            decision = decision if support is None else support  # a Decision may be falsy
        log_decision(decision, actor_id, None if company is None else company.id, action)
        if HOOKS.tracer is not None:
            attributes = decision_attributes(action, decision)
            trace_current(attributes)
            HOOKS.decisions.add(1, attributes)
        return decision

    def support_decision(
        self, tx: Transaction, company: Company, actor_id: str, action: str
    ) -> Decision | None:
        """The decision under the staff member's support grants in the company (R-SUP-1).

        ``None`` if they hold no approved grant there: the caller keeps its denial. An
        allowed action records the grant on the command, whose events then name it
        (R-SUP-2).
        """
        grants = tx.support.approved(company.id, UserId(actor_id))
        if not grants:
            return None
        decision = decide_support(grants, action, company, self.clock())
        if decision is not None and decision.allowed and decision.acting_as is not None:
            record_acting(tx, decision.acting_as.grant_id)
        return decision

    @staticmethod
    def ancestor_membership(
        tx: Transaction, company_id: CompanyId, user_id: UserId
    ) -> Membership | None:
        """The user's membership in the nearest ancestor of the company, if any (R-PART-2)."""
        ancestors = tx.companies.ancestors(company_id)
        found = {m.company_id: m for m in tx.memberships.of_user_among(user_id, ancestors)}
        return next((found[a] for a in ancestors if a in found), None)

    @staticmethod
    def ancestor_sight(
        tx: Transaction, company: Company, user_id: UserId
    ) -> tuple[Membership | None, Window | None]:
        """The nearest ancestor's membership (as `ancestor_membership`) and its sight's window.

        The window is the intersection of the windows of every link between that
        ancestor and the company (R-TIME-1): the company's own and those of the
        ancestors below the one the membership is in; ``None`` if none has one.
        """
        ancestors = tx.companies.ancestors(company.id)
        found = {m.company_id: m for m in tx.memberships.of_user_among(user_id, ancestors)}
        above = next((found[a] for a in ancestors if a in found), None)
        if above is None:
            return None, None
        links = [company]
        for link_id in ancestors[: ancestors.index(above.company_id)]:
            link = tx.companies.get(link_id)
            if link is not None:
                links.append(link)
        window = sight_path(links)
        return above, None if window.unbounded else window

    def sees_through(self, tx: Transaction, company: Company, user_id: UserId) -> bool:
        """Whether the user's sight of the company from an ancestor counts now (R-TIME-1)."""
        above, sight = self.ancestor_sight(tx, company, user_id)
        return above is not None and (sight is None or sight.contains(self.clock()))

    def require_platform_admin(self, actor_id: str, rule: str) -> None:
        """Raise `AccessDenied` unless the actor is a platform admin."""
        if actor_id not in self.platform_admins:
            raise_if_denied(Decision.deny("not_platform_admin", rule, "platform admins only"))

    @staticmethod
    def user(tx: Transaction, user_id: str) -> User:
        user = tx.users.get(UserId(check_id(user_id, "user")))
        if user is None:
            raise UnknownUser(user_id)
        return user

    @staticmethod
    def company(
        tx: Transaction,
        company_id: str,
        *,
        lock: bool = False,
        closed_ok: bool = False,
        suspended_ok: bool = False,
    ) -> Company:
        """The company, or raise; a closed or suspended one only for reading (R-CO-3, R-CO-5)."""
        company = tx.companies.get(CompanyId(check_id(company_id, "company")), for_update=lock)
        return _existing(
            company, company_id, closed_ok=closed_ok, suspended_ok=suspended_ok or closed_ok
        )

    def gate(
        self,
        company: Company | None,
        actor: Membership | None,
        rule: str,
        company_id: str | None = None,
    ) -> Decision | tuple[Company, Membership]:
        """The denial for a non-member or a closed or suspended company, else both of them.

        A non-member gets ``not_a_member`` whether the company exists, is open or is
        suspended (R-ALL-9); only a closed company says so to everyone (R-CO-3). Without
        ``company_id`` a missing company is ``unknown_company``.
        """
        if company is None or actor is None:
            if company is not None and company.closed_at is not None:
                return closed(company)
            if company is None and company_id is None:
                return Decision.deny(Reason.UNKNOWN_COMPANY, "R-ALL-1")
            where = company_id if company is None else company.id
            return Decision.deny(Reason.NOT_A_MEMBER, rule, f"not a member of {where!r}")
        denied = company_gate(company, insider=True)
        if denied is not None:
            return denied
        if is_windowed(actor):  # outside its window the membership counts for nothing
            now = self.clock()
            denied = membership_window_denial(actor, now)
            if denied is not None:
                return denied
            actor = at_instant(actor, now)
        if actor.role not in policy_for(self.policy, company).roles:
            return Decision.deny(Reason.UNKNOWN_ROLE, "R-ALL-1", f"role {actor.role!r}")
        return company, actor

    def counts(self, membership: Membership | None) -> bool:
        """Whether the membership exists and counts now: inside its window (R-TIME-1).

        Where a decision only asks "is this user a member?" (a pool's leader, a
        handler, the public contacts), an expired or not yet started membership is none.
        """
        if membership is None:
            return False
        if membership.starts_at is None and membership.expires_at is None:
            return True
        return membership_window_denial(membership, self.clock()) is None

    def member_of(self, company_id: str, actor_id: str, rule: str) -> tuple[Company, Membership]:
        """Like `acting`, for reads: one ``check_facts`` outside a transaction."""
        company, actor, *_ = self.store.check_facts(
            check_id(company_id, "company"), check_id(actor_id, "user")
        )
        return self.admitted(company, actor, rule, company_id)

    def acting(
        self, tx: Transaction, company_id: str, actor_id: str, rule: str, *, lock: bool = False
    ) -> tuple[Company, Membership]:
        """The open acting company and the actor's membership in it, or raise (R-MEM-1).

        An outsider is refused with `NotAMember` alike for a missing, open or suspended
        company (R-ALL-9).
        """
        company = tx.companies.get(CompanyId(check_id(company_id, "company")), for_update=lock)
        actor = None
        if company is not None:
            actor = tx.memberships.get(company.id, UserId(check_id(actor_id, "user")))
        return self.admitted(company, actor, rule, company_id)

    def admitted(
        self,
        company: Company | None,
        actor: Membership | None,
        rule: str,
        company_id: str | None = None,
    ) -> tuple[Company, Membership]:
        """The company and the actor's membership, or raise the gate's denial."""
        if company is not None and company.closed_at is not None:
            raise CompanyClosed(company.id, company.merged_into)
        gated = self.gate(company, actor, rule, company_id)
        if isinstance(gated, Decision):
            raise_denied(gated)
        return gated

    def known_role(self, role: object, *, required: bool = False) -> str:
        """``role`` if it is a built-in role or may name a company's own (R-ROLE-1).

        ``None`` is the member role unless ``required``. A name the policy does not
        know is checked against the company's roles in the command (`company_role`).
        """
        if role is None and not required:
            return self.member_role
        if isinstance(role, str) and role in self.policy.roles:
            return role
        try:
            return check_id(role, "role")  # a name a company's role may have: decided later
        except InvalidInput:
            raise UnknownRole(str(role), self.policy.roles) from None

    def company_role(self, company: Company, role: str) -> str:
        """``role`` if it counts in ``company``: built in or its own, else `UnknownRole`."""
        return require_known_role(policy_for(self.policy, company), role)

    def require_grant(
        self,
        tx: Transaction,
        company: Company,
        actor_id: str,
        role: str,
        *,
        until: datetime | None = None,
        from_ancestor: bool = False,
    ) -> None:
        """Raise unless the actor may hand out ``role``, ending at ``until`` (R-MEM-9, R-TIME-4).

        With ``from_ancestor``, an actor who is no member of the company is judged on
        their membership in its nearest ancestor, with that ancestor's roles (R-PART-5).
        """
        self.company_role(company, role)
        actor = tx.memberships.get(company.id, UserId(actor_id))
        above = None
        if actor is None and from_ancestor:
            actor = self.ancestor_membership(tx, company.id, UserId(actor_id))
            above = None if actor is None else tx.companies.get(actor.company_id)
        now = self.clock()
        raise_if_denied(
            decide_grant(
                actor,
                role,
                policy=self.policy,
                default_role=self.member_role,
                now=now,
                company=company,
                actor_company=above,
            )
        )
        if actor is not None:
            by_role = role != self.member_role
            raise_if_denied(decide_window_grant(actor, until, by_role=by_role, now=now))

    def require_issuer_grant(
        self, tx: Transaction, company: Company, invitation: Invitation
    ) -> None:
        """Raise unless the invitation's issuer may still invite with its role (R-MEM-9).

        The role was checked when the invitation was issued; an issuer who has since
        left the company or lost the right no longer vouches for it.
        """
        issuer = tx.memberships.get(company.id, invitation.invited_by)
        now = self.clock()
        decision = decide(Action.INVITE, company=company, actor=issuer, policy=self.policy, now=now)
        if decision.allowed:
            decision = decide_grant(
                issuer, invitation.role, policy=self.policy, default_role=self.member_role,
                now=now, company=company,
            )  # fmt: skip
        if decision.allowed and issuer is not None:  # nor beyond their own window (R-TIME-4)
            by_role = invitation.role != self.member_role
            until = invitation.member_until
            decision = decide_window_grant(issuer, until, by_role=by_role, now=now)
        if not decision.allowed:
            raise AccessDenied(
                Decision.deny(
                    Reason.ROLE_ABOVE_ACTOR,
                    "R-MEM-9",
                    f"{invitation.invited_by!r}, who sent invitation {invitation.id!r}, may no "
                    f"longer give role {invitation.role!r} ({decision.detail}); ask for a new one",
                )
            )

    def change_member(
        self,
        actor_id: str,
        company_id: str,
        user_id: str,
        action: Action,
        changes: dict[str, Any],
        event: Callable[[Stamp, Membership], Event],
        *,
        grants: str | None = None,
    ) -> Membership:
        """One command that changes fields of a membership, checked by ``action``.

        With ``grants``, the actor must also be allowed to hand out that role
        (R-MEM-9). Unchanged values change nothing and emit nothing; otherwise
        ``event(stamp, old membership)`` goes to the outbox with the update.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> Membership:
            company = self.company(tx, company_id, lock=True)
            target = self.membership(tx, company.id, user_id)
            self.require(tx, action, company, actor_id, target)
            if grants is not None:
                self.require_grant(tx, company, actor_id, grants)
            updated = attrs.evolve(target, **changes)
            if updated == target:
                return target
            tx.memberships.update(updated)
            tx.outbox.append(event(stamp(now, UserId(actor_id), company.id), target))
            return updated

        return self.command(work)

    def require_depth(self, tx: Transaction, parent_id: CompanyId, height: int) -> None:
        """Refuse a subtree of ``height`` under ``parent_id`` deeper than allowed (R-PART-3)."""
        if self.max_depth is None:
            return
        depth = len(tx.companies.ancestors(parent_id)) + 1 + height
        if depth > self.max_depth:
            raise HierarchyTooDeep(
                f"an account would sit {depth} levels deep; the maximum is {self.max_depth}"
            )

    def assignee(self, tx: Transaction, company: Company, user_id: str | None) -> UserId | None:
        """The assignee, who must be a member: work never leaves the company (R-LEAD-5).

        A membership outside its window is none: work goes to nobody who has no access
        (R-TIME-1).
        """
        if user_id is None:
            return None
        member = self.membership(tx, company.id, user_id)
        if not self.counts(member):
            raise MembershipNotFound(company.id, user_id)
        return member.user_id

    @staticmethod
    def membership(tx: Transaction, company_id: CompanyId, user_id: str) -> Membership:
        membership = tx.memberships.get(company_id, UserId(check_id(user_id, "user")))
        if membership is None:
            raise MembershipNotFound(company_id, user_id)
        return membership


def _token_of(tx: object) -> ConsistencyToken | None:
    """The token a committed transaction carries; ``None`` for a host's savepoint."""
    token = getattr(tx, "token", None)
    return token if isinstance(token, ConsistencyToken) else None


_consumer = consumer_domains  # the argument's name hides the function in __init__


def _existing(
    company: Company | None,
    company_id: str,
    *,
    closed_ok: bool = False,
    suspended_ok: bool = False,
) -> Company:
    """``company``, or raise for a missing, closed or suspended one (R-CO-3, R-CO-5).

    Reads of a company's history pass ``closed_ok``/``suspended_ok``; their own checks
    of the actor still refuse what the actor may not see.
    """
    if company is None:
        raise UnknownCompany(company_id)
    if company.closed_at is not None and not closed_ok:
        raise CompanyClosed(company.id, company.merged_into)
    if company.suspended_at is not None and not suspended_ok:
        raise_denied(suspended(company, insider=False))
    return company


DECISION_LOG = logging.getLogger("teamaccess.decisions")
"""Decisions: allowed ones at DEBUG, denials at INFO with reason and rule."""
STORAGE_LOG = logging.getLogger("teamaccess.storage")
"""Retried serialization failures and storage errors, at WARNING."""


def log_decision(decision: Decision, actor_id: str, company_id: str | None, action: str) -> None:
    """Log a decision: a denial at INFO, an allowed action at DEBUG (each only if enabled)."""
    if decision.allowed:
        if DECISION_LOG.isEnabledFor(logging.DEBUG):
            DECISION_LOG.debug(
                "allowed: %s may %s in %s (%s, %s)",
                actor_id, action, company_id, decision.reason, decision.rule,
            )  # fmt: skip
    elif DECISION_LOG.isEnabledFor(logging.INFO):
        DECISION_LOG.info(
            "denied: %s may not %s in %s: %s (%s) %s",
            actor_id, action, company_id, decision.reason, decision.rule, decision.detail,
        )  # fmt: skip


def raise_if_denied(decision: Decision) -> None:
    """Raise `NotAMember` or `AccessDenied` for a denying decision."""
    if not decision.allowed:
        raise_denied(decision)


def raise_denied(decision: Decision) -> NoReturn:
    """Raise `NotAMember` for a non-member, else `AccessDenied`."""
    if decision.reason == Reason.NOT_A_MEMBER.value:
        raise NotAMember(decision)
    raise AccessDenied(decision)


def parse_enum(kind: type[_E], value: object, what: str) -> _E:
    """Return ``value`` as a member of ``kind``, or raise `InvalidInput`."""
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(f"unknown {what} {value!r}; known: {known}") from None


def page_of(found: Sequence[_T], limit: int, key: Callable[[_T], str]) -> Page[_T]:
    """A [Page][teamaccess.Page] of the first ``limit`` of ``found`` (fetched ``limit + 1``)."""
    items = tuple(found[:limit])
    return Page(items, key(items[-1]) if len(found) > limit else None)
