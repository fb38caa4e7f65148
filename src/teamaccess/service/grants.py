"""Time-bound grants: windows, the expiry sweep and what expires soon: ``ta.grants``.

A membership may start later and end (``starts_at``, ``expires_at``), and a role may
be temporary (``role_until``, then ``role_after``). Every decision compares them with
the service's clock, so an expired grant denies at once (R-TIME-1). The sweep,
`Grants.expire_due`, then ends each expired grant in the store with its consequences and
one ``...Expired`` event (R-TIME-2); run it from cron or a worker, as often as you like
and from as many processes as you like, and sleep until its report's ``next_due``.

A partner's sight of a child account has a window too (set with
`Partners.set_sight_window <teamaccess.service.partners.Partners.set_sight_window>`):
the sweep records its end with `PartnerSightExpired` and marks the link swept
(``Company.sight_expired``); the link and the ended window stay, so the tree is intact
and the sight stays ended until a new window is set.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.events import stamp
from teamaccess.domain.grant_events import (
    MembershipWindowChanged,
    PartnerSightExpired,
    RoleExpired,
)
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.inputs import check_count, check_instant
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.roles import MANAGE_TEAM, held, policy_for
from teamaccess.domain.seats import TagGrant, pool_source
from teamaccess.domain.windows import (
    WindowState,
    at_instant,
    check_window,
    window_of,
)
from teamaccess.errors import InvalidInput, MainContactRequired, UnknownGroup
from teamaccess.ports import Transaction
from teamaccess.service._authority import end_membership
from teamaccess.service._core import ServiceCore, raise_if_denied
from teamaccess.service._enrolment import find_product, lock_pool
from teamaccess.service._sight import sighted
from teamaccess.service._tagging import revoke, take_seat
from teamaccess.service.members import Members

__all__ = ["ExpiredGrant", "ExpiringGrant", "ExpiryReport", "Grants"]

MAX_SWEEP = 10_000
"""The most grants one `Grants.expire_due` call ends."""
MAX_HORIZON_DAYS = 3653
"""The longest look ahead of an "expires within" query: ten years."""


@attrs.frozen
class ExpiredGrant:
    """One grant the sweep ended (R-TIME-2).

    Attributes:
        kind: ``membership`` (the membership ended), ``role`` (a temporary role fell
            back to the role after it), ``seat`` (a participant's seat was taken),
            ``tag`` (a direct tag grant ended) or ``sight`` (a partner's sight of a
            child account ended).
        company_id: The company (``None`` for a tag, or a pool bought without one);
            for ``sight`` the child account.
        user_id: The member, or the tag's holder; empty for ``sight``.
        expired_at: The end of its window.
        tag: For ``tag``: the tag.
        source: For ``tag``: the grant's source.
        parent_id: For ``sight``: the parent whose sight ended.
    """

    kind: str
    company_id: CompanyId | None
    user_id: UserId
    expired_at: datetime
    tag: str | None = None
    source: str | None = None
    parent_id: CompanyId | None = None


@attrs.frozen
class ExpiryReport:
    """What one sweep did, and when the next one has work (R-TIME-2).

    Attributes:
        now: The instant the sweep ended grants up to.
        expired: The grants it ended, each with its event written once.
        held: Grants due but kept: a main contact's membership does not expire while
            other members remain (R-MC-4; only a store written outside the service
            holds one).
        more: The sweep stopped at its ``limit``: run it again at once.
        next_due: The schedule hint: when the earliest grant still to end is due,
            ``None`` if none is. A relay or cron may sleep until then (or until a
            command sets a new window).
    """

    now: datetime
    expired: tuple[ExpiredGrant, ...]
    held: tuple[ExpiredGrant, ...]
    more: bool
    next_due: datetime | None

    def sleep_for(self, at_most: timedelta = timedelta(hours=1)) -> timedelta:
        """How long a worker may wait before the next sweep: until ``next_due``, capped.

        Zero when ``more`` is set; ``at_most`` caps it, so windows set meanwhile are
        not missed for longer than that.
        """
        if self.more:
            return timedelta(0)
        if self.next_due is None:
            return at_most
        return max(timedelta(0), min(at_most, self.next_due - self.now))


@attrs.frozen
class ExpiringGrant:
    """A grant that ends within the asked horizon (R-TIME-3).

    Attributes:
        kind: ``membership``, ``role``, ``seat``, ``tag`` (a direct tag grant) or
            ``sight`` (a partner's sight of a child account).
        company_id: The company (``None`` for a tag); for ``sight`` the child account.
        user_id: The member, or the tag's holder; empty for ``sight``.
        role: The member's role now (for ``role``: the temporary role; for ``tag``: the
            tag; for ``sight``: ``view_overview``).
        ends_at: When it ends.
        role_after: For ``role``: the role held after it; for ``tag``: the grant's source.
        parent_id: For ``sight``: the parent whose sight it is.
    """

    kind: str
    company_id: CompanyId | None
    user_id: UserId
    role: str
    ends_at: datetime
    role_after: str | None = None
    parent_id: CompanyId | None = None


class Grants:
    """Time-bound grants: windows, the expiry sweep and what expires soon: ``ta.grants``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core
        self._members = Members(core)

    def set_window(
        self,
        actor_id: str,
        company_id: str,
        user_id: str,
        *,
        starts_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> Membership:
        """Set, extend or shorten a membership's window; ``None`` ends clear it (R-TIME-4).

        Only a member who may hand out the member's role may change its window
        (``manage_team``, R-MEM-9), and not beyond their own membership's or temporary
        role's end (R-TIME-4). The main contact's membership has no window (R-MC-4).
        Emits `MembershipWindowChanged`; an unchanged window emits nothing.

        Raises:
            NotAMember: The actor is not a member (R-MEM-1, R-ALL-9).
            AccessDenied: The actor may not manage the team, may not give the member's
                role, or asks beyond their own window.
            MembershipNotFound: ``user_id`` is not a member.
            MainContactRequired: A window on the main contact.
            InvalidInput: A naive instant, or ``starts_at`` not before ``expires_at``.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(user_id, "user")
        window = check_window(starts_at, expires_at)
        core = self._core

        def work(tx: Transaction, now: datetime) -> Membership:
            sighted(core, tx, company_id, actor_id, Action.MANAGE_TEAM, lock=True)
            company = core.company(tx, company_id)
            target = core.membership(tx, company.id, user_id)
            self._members._require_team(
                tx, Action.MANAGE_TEAM, company, actor_id, target.role, target,
                expires_at=window.expires_at, by_role=True,
            )  # fmt: skip
            if target.is_main_contact and not window.unbounded:
                raise MainContactRequired(
                    f"user {user_id!r} is the main contact of {company.id!r}, whose "
                    "membership cannot start later or expire; transfer the role first (R-MC-4)"
                )
            updated = attrs.evolve(target, starts_at=window.starts_at, expires_at=window.expires_at)
            if updated == target:
                return target
            tx.memberships.update(updated)
            tx.outbox.append(
                MembershipWindowChanged(
                    **stamp(now, UserId(actor_id), company.id),
                    user_id=target.user_id,
                    starts_at=window.starts_at,
                    expires_at=window.expires_at,
                    old_starts_at=target.starts_at,
                    old_expires_at=target.expires_at,
                )
            )
            return updated

        return core.command(work)

    def expire_due(self, *, now: datetime | None = None, limit: int = 500) -> ExpiryReport:
        """End every grant whose window has ended by ``now``; the expiry sweep (R-TIME-2).

        Each membership past its ``expires_at`` ends as a removal does (R-MEM-10: pool
        leadership to the main contact, assignments back to the company; R-PART-6:
        staff memberships below), with `MembershipExpired` instead of `MemberRemoved`;
        each temporary role past its ``role_until`` becomes its ``role_after`` with
        `RoleExpired`; each partner's sight of a child account past its
        ``sight_expires_at`` is marked swept with `PartnerSightExpired` (the link stays).
        One transaction per grant, under its company's lock, re-reading the grant:
        running it again, or from several processes at once, writes each grant's event
        exactly once. The check denied these grants already (R-TIME-1).

        Args:
            now: The instant to sweep up to; the service's clock if omitted.
            limit: The most grants to end in this call (1 to 10,000).

        Returns:
            An [ExpiryReport][teamaccess.values.ExpiryReport] with the schedule hint.
        """
        core = self._core
        at = core.clock() if now is None else check_instant(now, "now")
        check_count(limit, "limit", 1, MAX_SWEEP)
        with core.store.reader() as tx:
            due = list(tx.memberships.due(at, limit))
            tags = list(tx.tags.due(at, limit - len(due))) if len(due) < limit else []
            left = limit - len(due) - len(tags)
            sights = list(tx.companies.sight_due(at, left)) if left > 0 else []
        expired: list[ExpiredGrant] = []
        held: list[ExpiredGrant] = []
        for grant in due:
            outcome = core.command(functools.partial(self._expire, seen=grant, at=at))
            if outcome is None:
                continue
            (held if outcome[0] else expired).append(outcome[1])
        for tag_grant in tags:
            ended = core.command(functools.partial(self._expire_tag, seen=tag_grant, at=at))
            if ended is not None:
                expired.append(ended)
        for link in sights:
            ended = core.command(functools.partial(_expire_sight, seen=link, at=at))
            if ended is not None:
                expired.append(ended)
        with core.store.reader() as tx:
            ends = [
                tx.memberships.next_due(at),
                tx.tags.next_due(at),
                tx.companies.sight_next_due(at),
            ]
        return ExpiryReport(
            now=at,
            expired=tuple(expired),
            held=tuple(held),
            more=len(due) + len(tags) + len(sights) >= limit,
            next_due=min((end for end in ends if end is not None), default=None),
        )

    @staticmethod
    def _expire_tag(
        tx: Transaction, when: datetime, seen: TagGrant, at: datetime
    ) -> ExpiredGrant | None:
        """End one due tag grant, re-read under its lock; ``None`` if gone already.

        A grant through a pool is a seat: the seat is taken as a removal does, under
        the pool's lock, by the product's replacement policy (R-SEAT-10).
        """
        if seen.source.startswith(_POOL):
            return _expire_seat(tx, when, seen, at)
        tx.tags.lock_holders([seen.user_id])  # a second sweeper waits, then finds it gone
        now_held = next(
            (
                g
                for g in tx.tags.of_users([seen.user_id])
                if (g.tag, g.source) == (seen.tag, seen.source)
            ),
            None,
        )
        if now_held is None or now_held.expires_at is None or now_held.expires_at > at:
            return None
        revoke(
            tx, when, None, None, seen.user_id, seen.tag, seen.source,
            expired_at=now_held.expires_at,
        )  # fmt: skip
        return ExpiredGrant(
            "tag", None, seen.user_id, now_held.expires_at, tag=seen.tag, source=seen.source
        )

    def _expire(
        self, tx: Transaction, when: datetime, seen: Membership, at: datetime
    ) -> tuple[bool, ExpiredGrant] | None:
        """End one due grant, re-read under its company's lock; ``None`` if gone already."""
        tx.companies.get(seen.company_id, for_update=True)  # as a removal locks it
        m = tx.memberships.get(seen.company_id, seen.user_id)
        if m is None:
            return None  # another sweep, or a removal, ended it first
        if m.expires_at is not None and m.expires_at <= at:
            grant = ExpiredGrant("membership", m.company_id, m.user_id, m.expires_at)
            if m.is_main_contact and tx.memberships.count(m.company_id) > 1:
                return True, grant
            user = tx.users.get(m.user_id)
            email = "" if user is None else user.email
            end_membership(tx, when, None, m, email, policy=self._core.policy, expired=True)
            return False, grant
        if m.role_until is not None and m.role_until <= at:
            after = at_instant(m, at)
            tx.memberships.update(after)
            tx.outbox.append(
                RoleExpired(
                    **stamp(when, None, m.company_id),
                    user_id=m.user_id,
                    old_role=m.role,
                    new_role=after.role,
                    expired_at=m.role_until,
                )
            )
            return False, ExpiredGrant("role", m.company_id, m.user_id, m.role_until)
        return None  # extended meanwhile

    def expiring(
        self, actor_id: str, company_id: str, *, within: timedelta = timedelta(days=30)
    ) -> Sequence[ExpiringGrant]:
        """The company's grants that end within ``within`` from now, soonest first (R-TIME-3).

        Memberships and temporary roles, and the sight windows of its link to its
        parent and of its children's links to it (kind ``sight``).

        For whoever may take its access review: the main contact, a member with
        ``manage_team``, a platform admin (R-CO-6); an outsider gets ``not_a_member``
        whether the company exists or not (R-ALL-9); a suspended company refuses (R-CO-8).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        core = self._core
        until = self._horizon(within)
        with core.store.reader() as tx:
            now = core.clock()
            if actor_id not in core.platform_admins:
                company = sighted(core, tx, company_id, actor_id, Action.VIEW_MEMBERS)
                company, me = core.acting(tx, company.id, actor_id, "R-TIME-3")
                if not (
                    me.is_main_contact or MANAGE_TEAM in held(policy_for(core.policy, company), me)
                ):
                    raise_if_denied(
                        Decision.deny(
                            Reason.NOT_PERMITTED, "R-TIME-3",
                            "what expires needs the main contact, manage_team or a platform admin",
                        )
                    )  # fmt: skip
            else:
                company = core.company(tx, company_id, suspended_ok=True)
            found = tx.memberships.of_company(company.id)
            links = [company, *tx.companies.children(company.id)]
        return sorted(
            _ending(found, now, now + until) + _sight_ending(links, now, now + until),
            key=lambda r: (r.ends_at, r.company_id or "", r.user_id, r.kind),
        )

    def expiring_for_user(
        self, actor_id: str, user_id: str, *, within: timedelta = timedelta(days=30)
    ) -> Sequence[ExpiringGrant]:
        """The user's own grants that end within ``within`` from now, soonest first (R-TIME-3).

        Memberships, temporary roles and direct tag grants; for the user themselves or
        a platform admin (R-CO-6).
        """
        check_id(actor_id, "user")
        check_id(user_id, "user")
        core = self._core
        until = self._horizon(within)
        if actor_id != user_id:
            core.require_platform_admin(actor_id, "R-TIME-3")
        with core.store.reader() as tx:
            now = core.clock()
            found = tx.memberships.of_user(UserId(user_id))
            tags = tx.tags.of_users([UserId(user_id)])
        rows = _ending(found, now, now + until) + [
            ExpiringGrant(
                "seat" if g.source.startswith(_POOL) else "tag",
                None,
                g.user_id,
                g.tag,
                g.expires_at,
                g.source,
            )
            for g in tags
            if g.expires_at is not None and now < g.expires_at <= now + until
        ]
        return sorted(rows, key=lambda r: (r.ends_at, r.company_id or "", r.user_id, r.kind))

    @staticmethod
    def _horizon(within: object) -> timedelta:
        if not isinstance(within, timedelta) or not timedelta(0) < within <= timedelta(
            days=MAX_HORIZON_DAYS
        ):
            raise InvalidInput(
                f"within must be a positive timedelta of at most {MAX_HORIZON_DAYS} days, "
                f"got {within!r}"
            )
        return within


_POOL = pool_source("")


def _current(tx: Transaction, seen: TagGrant) -> TagGrant | None:
    return next(
        (
            g
            for g in tx.tags.of_users([seen.user_id])
            if (g.tag, g.source) == (seen.tag, seen.source)
        ),
        None,
    )


def _expire_seat(
    tx: Transaction, when: datetime, seen: TagGrant, at: datetime
) -> ExpiredGrant | None:
    """Take one seat whose end has come, re-read under its pool's lock (R-TIME-2, R-SEAT-10)."""
    try:
        pool, _company = lock_pool(tx, seen.source[len(_POOL) :])
    except UnknownGroup:
        return None
    if tx.enrollments.get(pool.id, seen.user_id) is None:
        return None  # a sweeper or a removal took it first
    tx.tags.lock_holders([seen.user_id])
    held = _current(tx, seen)
    if held is None or held.expires_at is None or held.expires_at > at:
        return None
    product = find_product(tx, pool.product_id)
    take_seat(tx, when, None, pool, product, seen.user_id, expired_at=held.expires_at)
    return ExpiredGrant(
        "seat", pool.company_id, seen.user_id, held.expires_at, tag=seen.tag, source=seen.source
    )


def _ending(found: Sequence[Membership], now: datetime, until: datetime) -> list[ExpiringGrant]:
    """The grants among ``found`` that count at ``now`` or later and end in (now, until]."""
    rows: list[ExpiringGrant] = []
    for m in found:
        if window_of(m).state(now) is WindowState.EXPIRED:
            continue  # ended already: the check denies it, the sweep is behind
        held = at_instant(m, now)
        if m.expires_at is not None and m.expires_at <= until:
            rows.append(
                ExpiringGrant("membership", m.company_id, m.user_id, held.role, m.expires_at)
            )
        if held.role_until is not None and held.role_until <= until:
            rows.append(
                ExpiringGrant(
                    "role", m.company_id, m.user_id, held.role, held.role_until, held.role_after
                )
            )
    return sorted(rows, key=lambda r: (r.ends_at, r.company_id, r.user_id, r.kind))


def _sight_ending(links: Sequence[Company], now: datetime, until: datetime) -> list[ExpiringGrant]:
    """The sight windows among ``links`` that count at ``now`` or later and end in (now, until]."""
    return [
        ExpiringGrant(
            "sight", c.id, UserId(""), "view_overview", c.sight_expires_at, parent_id=c.parent_id
        )
        for c in links
        if c.parent_id is not None
        and c.sight_expires_at is not None
        and now < c.sight_expires_at <= until
    ]


def _expire_sight(
    tx: Transaction, when: datetime, seen: Company, at: datetime
) -> ExpiredGrant | None:
    """Record the end of one partner's sight, re-read under its row lock (R-TIME-2).

    ``None`` if another sweep recorded it first, or a new window was set meanwhile.
    The link stays and so does the ended window: the sight stays ended (R-TIME-1).
    """
    company = tx.companies.get(seen.id, for_update=True)  # a second sweeper waits here
    if company is None or company.sight_expired:
        return None
    end = company.sight_expires_at
    if end is None or end > at:
        return None  # extended or cleared meanwhile
    tx.companies.update(attrs.evolve(company, sight_expired=True))
    if company.parent_id is None:
        return None  # no parent any more: nobody's sight ended
    tx.outbox.append(
        PartnerSightExpired(
            **stamp(when, None, company.id), parent_id=company.parent_id, expired_at=end
        )
    )
    return ExpiredGrant("sight", company.id, UserId(""), end, parent_id=company.parent_id)
