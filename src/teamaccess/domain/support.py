"""Support access: platform staff in a customer's account, consented and time-limited.

Platform staff reach a company only through a [SupportGrant][teamaccess.values.SupportGrant]:
requested with a reason and the actions it covers, for a bounded time, approved by the
company's main contact (or, where the company allows it, by a second platform admin),
ended by the company or the staff member at any time (R-SUP-1, R-SUP-3). A grant never
covers handing out access (R-SUP-2): the names in `FORBIDDEN_SUPPORT_ACTIONS` are
refused when it is requested and denied when it is used.

[decide_support][teamaccess.domain.support.decide_support] is the one rule: the service
asks it only after the normal decision denied the actor as a non-member.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import attrs

from teamaccess.domain.decisions import ActingAs, Action, Decision, Reason
from teamaccess.domain.gate import company_gate
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name, shown
from teamaccess.domain.models import Company
from teamaccess.errors import InvalidDuration, InvalidInput, SupportActionForbidden

__all__ = [
    "DEFAULT_SUPPORT_DURATION",
    "FORBIDDEN_SUPPORT_ACTIONS",
    "MAX_SUPPORT_DURATION",
    "MAX_SUPPORT_PERMISSIONS",
    "MAX_SUPPORT_REASON",
    "SUPPORT_DURATION_CAP",
    "SupportGrant",
    "SupportStatus",
    "check_duration",
    "check_max_duration",
    "check_permissions",
    "check_reason",
    "decide_support",
]

MAX_SUPPORT_DURATION = timedelta(hours=72)
"""The longest a support grant may last unless the service is configured otherwise."""
SUPPORT_DURATION_CAP = timedelta(days=30)
"""The hard cap: no configuration lets a support grant last longer."""
DEFAULT_SUPPORT_DURATION = timedelta(hours=24)
"""How long a grant lasts when the request names no duration."""
MAX_SUPPORT_REASON = 500
"""The longest reason a request may give, in characters."""
MAX_SUPPORT_PERMISSIONS = 32
"""The most actions one grant may name."""

FORBIDDEN_SUPPORT_ACTIONS = frozenset(
    {
        Action.ADD_MEMBER.value,
        Action.REMOVE_MEMBER.value,
        Action.MANAGE_TEAM.value,
        Action.INVITE.value,
        Action.TRANSFER_MAIN_CONTACT.value,
        Action.CREATE_CHILD_ACCOUNT.value,
        "reassign_main_contact",
        "define_roles",
        "manage_roles",
        "create_role",
        "request_support",
        "approve_support",
    }
)
"""Actions a support grant never covers: granting, inviting, adding or removing members,
changing roles, managing the team, transferring the main contact, creating accounts (the
creator becomes their admin), defining roles, opening support grants (R-SUP-2)."""


class SupportStatus(str, enum.Enum):
    """Where a support grant is in its life."""

    REQUESTED = "requested"
    """Asked for by staff, waiting for the company's answer."""
    APPROVED = "approved"
    """Approved: in force from ``starts_at`` until ``expires_at``."""
    DECLINED = "declined"
    """Refused by the company."""
    ENDED = "ended"
    """Ended (or withdrawn) by the company or the staff member (R-SUP-3)."""
    EXPIRED = "expired"
    """Its time ran out and the sweep recorded it (R-TIME-2)."""


_OPEN_STATES = frozenset({SupportStatus.REQUESTED, SupportStatus.APPROVED})


@attrs.frozen
class SupportGrant:
    """Platform staff's consented, time-limited access to one company (R-SUP-1).

    Attributes:
        id: The grant's id.
        company_id: The company it gives access to.
        staff_id: The platform staff member it is for.
        reason: Why the staff member needs access (shown to the approver).
        permissions: The actions it covers, sorted (never one of
            `FORBIDDEN_SUPPORT_ACTIONS`, R-SUP-2).
        requested_at: When it was requested.
        duration: How long it lasts once approved.
        status: Its [SupportStatus][teamaccess.values.SupportStatus].
        approved_by: Who approved (or declined) it.
        approved_at: When it was approved (or declined).
        starts_at: When it took effect (the approval).
        expires_at: When it ends by itself: ``starts_at + duration``.
        ended_by: Who ended it, if someone did.
        ended_at: When it was ended, declined or recorded as expired.
    """

    id: str
    company_id: CompanyId
    staff_id: UserId
    reason: str
    permissions: tuple[str, ...]
    requested_at: datetime
    duration: timedelta
    status: SupportStatus = SupportStatus.REQUESTED
    approved_by: UserId | None = None
    approved_at: datetime | None = None
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    ended_by: UserId | None = None
    ended_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether it may still be approved, declined or ended (requested or approved)."""
        return self.status in _OPEN_STATES

    def is_active(self, now: datetime) -> bool:
        """Whether it gives access at ``now``: approved, started and not expired (R-TIME-1)."""
        return (
            self.status is SupportStatus.APPROVED
            and self.starts_at is not None
            and self.expires_at is not None
            and self.starts_at <= now < self.expires_at
        )

    def covers(self, action: str) -> bool:
        """Whether it names ``action`` (and the action is not a forbidden one)."""
        return action in self.permissions and action not in FORBIDDEN_SUPPORT_ACTIONS


def check_reason(value: object) -> str:
    """The reason stripped, or raise `InvalidName`: non-empty, at most 500 characters."""
    return check_name(value, "support reason", MAX_SUPPORT_REASON)


def check_max_duration(value: object) -> timedelta:
    """A service's configured maximum, or raise `InvalidDuration`: within (0, 30 days]."""
    if not isinstance(value, timedelta) or not timedelta(0) < value <= SUPPORT_DURATION_CAP:
        raise InvalidDuration(
            f"support_max_duration must be a positive timedelta of at most "
            f"{SUPPORT_DURATION_CAP.days} days, got {shown(value)}"
        )
    return value


def check_duration(value: object, maximum: timedelta) -> timedelta:
    """A grant's duration, or raise `InvalidDuration`: a ``timedelta`` in (0, maximum]."""
    if not isinstance(value, timedelta) or not timedelta(0) < value <= maximum:
        raise InvalidDuration(
            f"a support grant lasts more than 0 and at most {maximum}, got {shown(value)}"
        )
    return value


def check_permissions(value: object) -> tuple[str, ...]:
    """The actions a grant covers, sorted and unique, or raise (R-SUP-2, R-ALL-7).

    Raises:
        InvalidInput: Not a collection of action names, empty, or more than 32.
        SupportActionForbidden: It names an action that hands out access.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput(f"permissions must be a collection of action names: {shown(value)}")
    items = list(value)
    if not items or len(items) > MAX_SUPPORT_PERMISSIONS:
        raise InvalidInput(
            f"a support grant names 1 to {MAX_SUPPORT_PERMISSIONS} actions, got {len(items)}"
        )
    names = sorted({check_id(item, "action") for item in items})
    forbidden = [name for name in names if name in FORBIDDEN_SUPPORT_ACTIONS]
    if forbidden:
        raise SupportActionForbidden(
            f"a support grant never covers {', '.join(forbidden)}: it would hand out "
            "access (R-SUP-2)"
        )
    return tuple(names)


def decide_support(
    grants: Sequence[SupportGrant], action: str, company: Company, now: datetime
) -> Decision | None:
    """The decision under the staff member's grants in ``company``, or ``None`` if none counts.

    Called only for platform staff whom the normal decision denied as non-members.
    ``None`` (no approved grant) keeps that denial, so staff without a grant are told
    exactly what an outsider is (R-SUP-1, R-ALL-9). Otherwise, in this order: a closed
    or suspended company gives nothing (R-CO-3, R-CO-8); an action that hands out
    access is denied with ``support_cannot_grant`` (R-SUP-2); an approved grant past its
    end denies with ``expired`` and the date, before any sweep (R-TIME-1); a grant in
    force that covers the action allows with ``support_grant`` (R-SUP-1). Every such
    decision carries ``acting_as``.
    """
    approved = [g for g in grants if g.status is SupportStatus.APPROVED]
    if not approved:
        return None
    active = [g for g in approved if g.is_active(now)]
    chosen = next((g for g in active if g.covers(action)), None)
    pick = chosen or (active[0] if active else max(approved, key=_end))
    acting = ActingAs(str(pick.staff_id), pick.id)
    gate = company_gate(company, insider=False)
    if gate is not None:
        rule = gate.rule if company.closed_at is not None else "R-CO-8"
        return Decision(False, gate.reason, rule, gate.detail, acting)
    if action in FORBIDDEN_SUPPORT_ACTIONS:
        return Decision(
            False, Reason.SUPPORT_CANNOT_GRANT.value, "R-SUP-2",
            f"a support grant never covers {action!r}", acting,
        )  # fmt: skip
    if not active:
        return Decision(
            False, Reason.EXPIRED.value, "R-TIME-1",
            f"support grant {pick.id!r} expired at {_end(pick).isoformat()}", acting,
        )  # fmt: skip
    if chosen is None:
        return Decision(
            False, Reason.NOT_PERMITTED.value, "R-SUP-1",
            f"support grant {pick.id!r} does not cover {action!r}", acting,
        )  # fmt: skip
    return Decision(
        True, Reason.SUPPORT_GRANT.value, "R-SUP-1",
        f"under support grant {chosen.id!r} until {_end(chosen).isoformat()}", acting,
    )  # fmt: skip


def _end(grant: SupportGrant) -> datetime:
    return grant.expires_at or grant.requested_at  # an approved grant always has its end
