"""Time-bound grants: when a membership or its role starts and ends (R-TIME-1).

A grant may carry a window: ``starts_at`` (it counts from then on) and ``expires_at``
(it counts until then, not at that instant). Every decision compares the window with
the service's clock, so an expired grant denies at once, before any sweep has removed
it (R-TIME-1); the sweep then ends it with its consequences and an ``...Expired`` event
(R-TIME-2).

A membership's role may be temporary too: ``role`` until ``role_until``, then
``role_after`` (an admin for the month of a project, a member after it).

A partner's sight of a child account has a window too, on the child's link to its
parent (``Company.sight_starts_at``/``sight_expires_at``). Sight from an ancestor
passes every link between it and the account, so it counts only inside all their
windows: `sight_path` is their intersection, `sight_denial` what it imposes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timezone

import attrs

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.inputs import check_instant
from teamaccess.domain.models import Company, Membership
from teamaccess.errors import InvalidInput

__all__ = [
    "Window",
    "WindowState",
    "at_instant",
    "check_window",
    "decide_window_grant",
    "in_window",
    "is_windowed",
    "membership_window_denial",
    "sight_denial",
    "sight_of",
    "sight_path",
    "window_of",
]


class WindowState(str, enum.Enum):
    """Where an instant lies relative to a window."""

    PENDING = "pending"
    """Before ``starts_at``: the grant does not count yet."""
    ACTIVE = "active"
    """Inside the window (or no window at all)."""
    EXPIRED = "expired"
    """At or after ``expires_at``."""


@attrs.frozen
class Window:
    """When a grant counts: from ``starts_at`` (inclusive) to ``expires_at`` (exclusive).

    Attributes:
        starts_at: The first instant it counts (UTC), or ``None`` for "already".
        expires_at: The first instant it no longer counts (UTC), or ``None`` for "never".
    """

    starts_at: datetime | None = None
    expires_at: datetime | None = None

    def state(self, now: datetime) -> WindowState:
        """Where ``now`` lies: before, inside or after the window."""
        if self.expires_at is not None and now >= self.expires_at:
            return WindowState.EXPIRED
        if self.starts_at is not None and now < self.starts_at:
            return WindowState.PENDING
        return WindowState.ACTIVE

    def contains(self, now: datetime) -> bool:
        """Whether the grant counts at ``now``."""
        return self.state(now) is WindowState.ACTIVE

    @property
    def unbounded(self) -> bool:
        """Whether the window has neither start nor end."""
        return self.starts_at is None and self.expires_at is None

    def within(self, other: Window) -> Window:
        """The part of this window inside ``other``: the later start, the earlier end."""
        starts = [t for t in (self.starts_at, other.starts_at) if t is not None]
        ends = [t for t in (self.expires_at, other.expires_at) if t is not None]
        return Window(max(starts, default=None), min(ends, default=None))


def _utc(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    return check_instant(value, name).astimezone(timezone.utc)


def check_window(starts_at: object = None, expires_at: object = None) -> Window:
    """A validated [Window][teamaccess.Window], both ends in UTC, or raise `InvalidInput`.

    Each end must be ``None`` or an aware datetime a store can hold, and ``starts_at``
    must lie before ``expires_at`` (R-TIME-1, R-ALL-6).
    """
    start = _utc(starts_at, "starts_at")
    end = _utc(expires_at, "expires_at")
    if start is not None and end is not None and not start < end:
        raise InvalidInput(
            f"starts_at must lie before expires_at, got {start.isoformat()} and {end.isoformat()}"
        )
    return Window(start, end)


def window_of(membership: Membership) -> Window:
    """The window of a membership."""
    return Window(membership.starts_at, membership.expires_at)


def sight_of(company: Company) -> Window:
    """The window of the sight its parent's members have of ``company`` (R-TIME-1)."""
    return Window(company.sight_starts_at, company.sight_expires_at)


def sight_path(links: Iterable[Company]) -> Window:
    """The window of sight through all of ``links``: the intersection of theirs.

    ``links``: the account and each ancestor below the one sight comes from (the
    links on the path up to it). Sight counts from the latest start to the earliest
    end; an empty intersection never counts (it is pending, then expired).
    """
    window = Window()
    for link in links:
        window = window.within(sight_of(link))
    return window


def sight_denial(
    sight: Window | None, company_id: str, ancestor_id: str, now: datetime
) -> Decision | None:
    """The denial a sight window imposes at ``now`` on sight from an ancestor, or ``None``.

    At or after its end: ``expired`` with the date; before its start: ``not_yet_valid``
    with the date (R-TIME-1). Said only to a member of the ancestor, who had or will
    have the sight: the account's existence is no news to them (R-ALL-9).
    """
    if sight is None:
        return None
    where = f"sight of {company_id!r} from {ancestor_id!r}"
    state = sight.state(now)
    if state is WindowState.EXPIRED and sight.expires_at is not None:
        return Decision.deny(
            Reason.EXPIRED, "R-TIME-1", f"{where} ended at {sight.expires_at.isoformat()}"
        )
    if state is WindowState.PENDING and sight.starts_at is not None:
        return Decision.deny(
            Reason.NOT_YET_VALID, "R-TIME-1", f"{where} starts at {sight.starts_at.isoformat()}"
        )
    return None


def is_windowed(membership: Membership | None) -> bool:
    """Whether a decision about this membership depends on the clock."""
    return membership is not None and (
        membership.starts_at is not None
        or membership.expires_at is not None
        or membership.role_until is not None
    )


def in_window(membership: Membership, now: datetime) -> bool:
    """Whether the membership counts at ``now`` (its role's end aside)."""
    return window_of(membership).contains(now)


def membership_window_denial(membership: Membership, now: datetime) -> Decision | None:
    """The denial a membership's window imposes at ``now``, or ``None`` (R-TIME-1).

    Before ``starts_at``: ``not_yet_valid`` with the date it starts; at or after
    ``expires_at``: ``expired`` with the date it ended. The member learns the date:
    the membership is theirs.
    """
    where = f"membership of {membership.user_id!r} in {membership.company_id!r}"
    end, start = membership.expires_at, membership.starts_at
    if end is not None and now >= end:
        return Decision.deny(Reason.EXPIRED, "R-TIME-1", f"{where} expired at {end.isoformat()}")
    if start is not None and now < start:
        return Decision.deny(
            Reason.NOT_YET_VALID, "R-TIME-1", f"{where} starts at {start.isoformat()}"
        )
    return None


def at_instant(membership: Membership, now: datetime) -> Membership:
    """The membership as it holds at ``now``: its temporary role replaced once it ended.

    The window itself is not judged here; see `membership_window_denial`.
    """
    if membership.role_until is None or now < membership.role_until:
        return membership
    return attrs.evolve(
        membership,
        role=membership.role_after or membership.role,
        role_until=None,
        role_after=None,
    )


def decide_window_grant(
    granter: Membership, expires_at: datetime | None, *, by_role: bool, now: datetime
) -> Decision:
    """May ``granter`` hand out a grant that ends at ``expires_at``? (R-TIME-4, R-MEM-9).

    Nobody hands out more than they hold, in time too: a grant may not outlast the
    granter's own membership, nor (``by_role``: the grant needs the granter's role, e.g.
    a role above the plain member role, or a window a team manager sets) their
    temporary role. ``expires_at=None`` (no end) is beyond any bounded granter.
    """
    ends = [granter.expires_at]
    if by_role and granter.role_until is not None and now < granter.role_until:
        ends.append(granter.role_until)
    bound = min((end for end in ends if end is not None), default=None)
    if bound is None or (expires_at is not None and expires_at <= bound):
        return Decision.allow(Reason.ROLE_PERMITS, "R-TIME-4", "within the granter's window")
    asked = "no end" if expires_at is None else expires_at.isoformat()
    return Decision.deny(
        Reason.WINDOW_ABOVE_ACTOR,
        "R-TIME-4",
        f"{granter.user_id!r} may hand out grants ending by {bound.isoformat()} at the "
        f"latest, their own grant's end; asked for {asked}",
    )
