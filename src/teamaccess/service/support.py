"""Support access for platform staff: ``ta.support`` (R-SUP-1, R-SUP-2, R-SUP-3).

Staff (``TeamAccess(support_staff=...)``, and platform admins) request access to one
company with a reason, the actions they need and a duration; the company's main
contact approves (or, where the company's settings allow it, a second platform admin);
from then until the grant ends, the check and every command that decides through the
service's one decision allow those actions, and every decision and event names the
grant (``acting_as``). The company lists and ends its grants at any time; an approved
grant past its end denies at once, and `Support.expire_due` records the end once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.events import stamp
from teamaccess.domain.gate import suspended
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.inputs import check_count, check_instant
from teamaccess.domain.models import Company, User
from teamaccess.domain.privacy import pseudonym_email
from teamaccess.domain.review import ReviewRow
from teamaccess.domain.support import (
    DEFAULT_SUPPORT_DURATION,
    SupportGrant,
    SupportStatus,
    check_duration,
    check_permissions,
    check_reason,
)
from teamaccess.domain.support_events import (
    SupportAccessApproved,
    SupportAccessDeclined,
    SupportAccessEnded,
    SupportAccessExpired,
    SupportAccessRequested,
)
from teamaccess.errors import (
    CompanyClosed,
    SupportGrantClosed,
    UnknownCompany,
    UnknownSupportGrant,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore, raise_denied, raise_if_denied

__all__ = ["Support", "SupportExpiry", "end_grants_of_erased", "support_review_rows"]

MAX_SWEEP = 10_000
"""The most grants one `Support.expire_due` call records."""


@attrs.frozen
class SupportExpiry:
    """What one support sweep recorded, and when the next grant ends (R-TIME-2).

    Attributes:
        now: The instant it swept up to.
        expired: The grants it recorded as expired, each with its event written once.
        more: It stopped at its ``limit``: run it again at once.
        next_due: When the next approved grant ends, ``None`` if none does.
    """

    now: datetime
    expired: tuple[SupportGrant, ...]
    more: bool
    next_due: datetime | None


def _deny(reason: str, detail: str, rule: str = "R-SUP-1") -> Decision:
    return Decision.deny(reason, rule, detail)


class Support:
    """Platform staff's consented, time-limited access to a company: ``ta.support``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def request(
        self,
        staff_id: str,
        company_id: str,
        *,
        reason: str,
        permissions: Sequence[str],
        duration: timedelta | None = None,
    ) -> SupportGrant:
        """Ask the company for support access; platform staff only (R-SUP-1).

        Args:
            staff_id: The staff member asking (one of ``support_staff`` or a platform admin).
            company_id: The company.
            reason: Why, shown to the approver: 1 to 500 characters.
            permissions: The actions the grant would cover (``view_members``,
                ``open_backoffice``, ``view_overview``, ``edit_profile``, host
                permissions); never one of
                [FORBIDDEN_SUPPORT_ACTIONS][teamaccess.values.FORBIDDEN_SUPPORT_ACTIONS]
                (R-SUP-2).
            duration: How long it lasts once approved; 24 hours (at most the maximum)
                if omitted; more than 0 and at most ``support_max_duration``.

        Emits `SupportAccessRequested`.

        Raises:
            AccessDenied: The caller is not platform staff: the same answer for every
                company, existing or not (R-ALL-9).
            SupportActionForbidden: ``permissions`` names an action that hands out access.
            InvalidName: An empty or too long reason.
            InvalidDuration: A duration that is not a positive ``timedelta`` within the maximum.
            UnknownCompany: No such company (told to staff only).
            CompanyClosed: The company is closed (R-CO-3).
            AccessDenied: The company is suspended (R-CO-8).
        """
        core = self._core
        check_id(staff_id, "user")
        check_id(company_id, "company")
        why = check_reason(reason)
        actions = check_permissions(permissions)
        length = (
            min(DEFAULT_SUPPORT_DURATION, core.support_max)
            if duration is None
            else check_duration(duration, core.support_max)
        )
        if staff_id not in core.staff:
            raise_denied(_deny("not_platform_staff", "support access is for platform staff"))

        def work(tx: Transaction, now: datetime) -> SupportGrant:
            staff = core.user(tx, staff_id)
            company = _open_company(tx, company_id)
            grant = SupportGrant(
                id=core.ids("support"),
                company_id=company.id,
                staff_id=staff.id,
                reason=why,
                permissions=actions,
                requested_at=now,
                duration=length,
            )
            tx.support.add(grant)
            tx.outbox.append(
                SupportAccessRequested(
                    **stamp(now, staff.id, company.id),
                    grant_id=grant.id,
                    staff_id=staff.id,
                    reason=why,
                    permissions=actions,
                    duration=length,
                )
            )
            return grant

        return core.command(work)

    def approve(self, actor_id: str, grant_id: str) -> SupportGrant:
        """Approve a requested grant: it gives access from now for its duration (R-SUP-1).

        By the company's main contact; or, where the company's settings say
        ``support_approval_by_platform``, by a platform admin other than the staff
        member who asked. Nobody approves their own request. Emits
        `SupportAccessApproved`.

        Raises:
            UnknownSupportGrant: No such grant, or the caller has no say over it (the
                same answer, R-ALL-9).
            AccessDenied: The caller may not approve it.
            SupportGrantClosed: It is not waiting for an answer.
            CompanyClosed: The company is closed; AccessDenied if suspended (R-CO-8).
        """
        return self._answer(actor_id, grant_id, approve=True)

    def decline(self, actor_id: str, grant_id: str) -> SupportGrant:
        """Decline a requested grant (R-SUP-1): by whoever may approve it, or a team manager.

        Emits `SupportAccessDeclined`. Raises as `approve`.
        """
        return self._answer(actor_id, grant_id, approve=False)

    def end(self, actor_id: str, grant_id: str) -> SupportGrant:
        """End a grant (or withdraw a request) at once (R-SUP-3).

        By the company's main contact, a member with ``manage_team``, a platform admin
        who may approve it, or the staff member themselves, at any time, also while the
        company is suspended. The next decision denies. Emits `SupportAccessEnded`.

        Raises:
            UnknownSupportGrant: No such grant, or the caller has no say over it (R-ALL-9).
            AccessDenied: The caller may not end it.
            SupportGrantClosed: It ended, expired or was declined already.
        """
        check_id(actor_id, "user")
        check_id(grant_id, "support grant")
        core = self._core

        def work(tx: Transaction, now: datetime) -> SupportGrant:
            grant, company = self._locked(tx, actor_id, grant_id)
            if actor_id != grant.staff_id and not (
                self._is_main_contact(tx, company, actor_id)
                or self._manages_team(tx, company, actor_id)
                or self._platform_approver(company, actor_id, grant)
            ):
                raise_denied(
                    _deny(
                        Reason.NOT_PERMITTED.value,
                        "a support grant is ended by the main contact, a team manager or "
                        "the staff member",
                        "R-SUP-3",
                    )
                )
            if not grant.is_open:
                raise SupportGrantClosed(f"support grant {grant.id!r} is {grant.status.value}")
            ended = attrs.evolve(
                grant, status=SupportStatus.ENDED, ended_by=UserId(actor_id), ended_at=now
            )
            tx.support.update(ended)
            tx.outbox.append(
                SupportAccessEnded(
                    **stamp(now, UserId(actor_id), company.id),
                    grant_id=grant.id,
                    staff_id=grant.staff_id,
                )
            )
            return ended

        return core.command(work)

    def list(self, actor_id: str, company_id: str) -> Sequence[SupportGrant]:
        """The company's support grants, every state, ordered by id (R-SUP-3).

        For whoever may take its access review: the main contact, a member with
        ``manage_team``, a platform admin (R-CO-6); an outsider gets ``not_a_member``
        whether the company exists or not (R-ALL-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        core = self._core
        with core.store.reader() as tx:
            if actor_id in core.platform_admins:
                company = core.company(tx, company_id, closed_ok=True)
            else:
                company, _me = core.acting(tx, company_id, actor_id, "R-SUP-3")
                if not (
                    self._is_main_contact(tx, company, actor_id)
                    or self._manages_team(tx, company, actor_id)
                ):
                    raise_if_denied(
                        _deny(
                            Reason.NOT_PERMITTED.value,
                            "support grants are listed for the main contact, a team "
                            "manager or a platform admin",
                            "R-CO-6",
                        )
                    )
            return tx.support.of_company(company.id)

    def of_staff(self, actor_id: str, staff_id: str) -> Sequence[SupportGrant]:
        """The staff member's grants in every company, ordered by id (R-SUP-1).

        For the staff member themselves or a platform admin.
        """
        check_id(actor_id, "user")
        check_id(staff_id, "user")
        core = self._core
        if actor_id != staff_id:
            core.require_platform_admin(actor_id, "R-SUP-1")
        with core.store.reader() as tx:
            return tx.support.of_staff(UserId(staff_id))

    def expire_due(self, *, now: datetime | None = None, limit: int = 500) -> SupportExpiry:
        """Record every approved grant past its end as expired, once; the sweep (R-TIME-2).

        The decision denied them already (R-TIME-1). One transaction per grant under
        its company's lock, re-reading the grant: run it as often and from as many
        processes as you like, each `SupportAccessExpired` is written once.
        """
        core = self._core
        at = core.clock() if now is None else check_instant(now, "now")
        check_count(limit, "limit", 1, MAX_SWEEP)
        with core.store.reader() as tx:
            due = list(tx.support.due(at, limit))
        expired: list[SupportGrant] = []
        for seen in due:
            done = core.command(functools.partial(_expire, seen=seen, at=at))
            if done is not None:
                expired.append(done)
        with core.store.reader() as tx:
            next_due = tx.support.next_due(at)
        return SupportExpiry(at, tuple(expired), len(due) >= limit, next_due)

    # -- helpers ------------------------------------------------------------------------

    def _answer(self, actor_id: str, grant_id: str, *, approve: bool) -> SupportGrant:
        check_id(actor_id, "user")
        check_id(grant_id, "support grant")
        core = self._core

        def work(tx: Transaction, now: datetime) -> SupportGrant:
            grant, company = self._locked(tx, actor_id, grant_id)
            if actor_id == grant.staff_id:
                raise_denied(_deny("support_self_approval", "nobody answers their own request"))
            allowed = self._is_main_contact(tx, company, actor_id) or self._platform_approver(
                company, actor_id, grant
            )
            if not approve:
                allowed = allowed or self._manages_team(tx, company, actor_id)
            if not allowed:
                raise_denied(
                    _deny(
                        Reason.NOT_PERMITTED.value,
                        "the company's main contact answers a support request (or a second "
                        "platform admin, where the company allows it)",
                    )
                )
            _require_open(company)
            if grant.status is not SupportStatus.REQUESTED:
                raise SupportGrantClosed(f"support grant {grant.id!r} is {grant.status.value}")
            actor = UserId(actor_id)
            if approve:
                answered = attrs.evolve(
                    grant, status=SupportStatus.APPROVED, approved_by=actor, approved_at=now,
                    starts_at=now, expires_at=now + grant.duration,
                )  # fmt: skip
                event: SupportAccessApproved | SupportAccessDeclined = SupportAccessApproved(
                    **stamp(now, actor, company.id), grant_id=grant.id,
                    staff_id=grant.staff_id, starts_at=now, expires_at=now + grant.duration,
                )  # fmt: skip
            else:
                answered = attrs.evolve(
                    grant, status=SupportStatus.DECLINED, ended_by=actor, ended_at=now
                )
                event = SupportAccessDeclined(
                    **stamp(now, actor, company.id), grant_id=grant.id, staff_id=grant.staff_id
                )
            tx.support.update(answered)
            tx.outbox.append(event)
            return answered

        return core.command(work)

    def _locked(
        self, tx: Transaction, actor_id: str, grant_id: str
    ) -> tuple[SupportGrant, Company]:
        """The grant (locked, after its company) if the actor has a say over it, else raise.

        A caller who is neither the staff member, nor a member of the company, nor a
        platform admin learns nothing: the answer for a missing grant (R-ALL-9).
        """
        seen = tx.support.get(grant_id)
        missing = UnknownSupportGrant(f"unknown support grant {grant_id!r}")
        if seen is None:
            raise missing
        company = tx.companies.get(seen.company_id, for_update=True)  # a company, then its rows
        grant = tx.support.get(grant_id, for_update=True)
        if company is None or grant is None:
            raise missing
        related = (
            actor_id == grant.staff_id
            or actor_id in self._core.platform_admins
            or tx.memberships.get(company.id, UserId(actor_id)) is not None
        )
        if not related:
            raise missing
        return grant, company

    def _is_main_contact(self, tx: Transaction, company: Company, actor_id: str) -> bool:
        me = tx.memberships.get(company.id, UserId(actor_id))
        return me is not None and me.is_main_contact and self._core.counts(me)

    def _manages_team(self, tx: Transaction, company: Company, actor_id: str) -> bool:
        """A member whose own decision allows ``manage_team`` (never through a support grant)."""
        if tx.memberships.get(company.id, UserId(actor_id)) is None:
            return False
        return self._core.decide(tx, Action.MANAGE_TEAM, company, actor_id).allowed

    def _platform_approver(self, company: Company, actor_id: str, grant: SupportGrant) -> bool:
        return (
            company.settings.support_approval_by_platform
            and actor_id in self._core.platform_admins
            and actor_id != grant.staff_id
        )


def _open_company(tx: Transaction, company_id: str) -> Company:
    company = tx.companies.get(CompanyId(company_id), for_update=True)
    if company is None:
        raise UnknownCompany(company_id)
    _require_open(company)
    return company


def _require_open(company: Company) -> None:
    """Refuse a closed company (R-CO-3) and a suspended one (R-CO-8): no new grants."""
    if company.closed_at is not None:
        raise CompanyClosed(company.id, company.merged_into)
    if company.suspended_at is not None:
        denied = suspended(company, insider=False)
        raise_denied(Decision.deny(denied.reason, "R-CO-8", denied.detail))


def _expire(
    tx: Transaction, when: datetime, seen: SupportGrant, at: datetime
) -> SupportGrant | None:
    """Record one grant's end, re-read under its company's lock; ``None`` if done already."""
    tx.companies.get(seen.company_id, for_update=True)
    grant = tx.support.get(seen.id, for_update=True)
    if (
        grant is None
        or grant.status is not SupportStatus.APPROVED
        or grant.expires_at is None
        or grant.expires_at > at
    ):
        return None
    expired = attrs.evolve(grant, status=SupportStatus.EXPIRED, ended_at=grant.expires_at)
    tx.support.update(expired)
    tx.outbox.append(
        SupportAccessExpired(
            **stamp(when, None, grant.company_id),
            grant_id=grant.id,
            staff_id=grant.staff_id,
            expired_at=grant.expires_at,
        )
    )
    return expired


def end_grants_of_erased(tx: Transaction, now: datetime, actor: UserId, user: User) -> None:
    """End an erased staff member's open grants and scrub their address from the reasons (R-CO-7).

    Each open grant ends with `SupportAccessEnded`, as the staff member's own end would;
    the grants stay, with their ids, as the audit trail does (R-CO-9).
    """
    pseudonym = pseudonym_email(user.id)
    for grant in tx.support.of_staff(user.id):
        changed = attrs.evolve(grant, reason=grant.reason.replace(user.email, pseudonym))
        if grant.is_open:
            changed = attrs.evolve(
                changed, status=SupportStatus.ENDED, ended_by=actor, ended_at=now
            )
            tx.outbox.append(
                SupportAccessEnded(
                    **stamp(now, actor, grant.company_id), grant_id=grant.id, staff_id=user.id
                )
            )
        if changed != grant:
            tx.support.update(changed)


def support_review_rows(tx: Transaction, company_id: CompanyId, now: datetime) -> list[ReviewRow]:
    """The access review's rows of the company's support grants in force (kind ``support``)."""
    active = [g for g in tx.support.of_company(company_id) if g.is_active(now)]
    users = tx.users.get_many([g.staff_id for g in active]) if active else {}
    return [
        ReviewRow(
            company_id=company_id,
            subject=g.staff_id,
            email=users[g.staff_id].email if g.staff_id in users else "",
            kind="support",
            grant=" ".join(g.permissions),
            via=g.id,
            since=g.starts_at.isoformat() if g.starts_at else "",
            until=g.expires_at.isoformat() if g.expires_at else "",
        )
        for g in active
    ]
