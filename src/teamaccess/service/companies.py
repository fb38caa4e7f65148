"""Companies and their profile: ``ta.companies``."""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action
from teamaccess.domain.events import (
    CompanyCreated,
    CompanyProfileUpdated,
    CompanyResumed,
    CompanySuspended,
    MainContactChanged,
    MemberAdded,
    Stamp,
    stamp,
)
from teamaccess.domain.ids import (
    CompanyId,
    UserId,
    check_id,
    check_name,
)
from teamaccess.domain.inputs import (
    check_settings,
)
from teamaccess.domain.models import (
    Company,
    CompanySettings,
    Membership,
)
from teamaccess.errors import SuspensionConflict
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore

__all__ = ["Companies"]


class Companies:
    """Companies and their profile: ``ta.companies``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def create(
        self,
        actor_id: str,
        name: str,
        *,
        company_id: str | None = None,
        settings: CompanySettings | None = None,
    ) -> Company:
        """Create a company; its creator becomes its first member and main contact (R-MC-1).

        Raises:
            UnknownUser: The creator is not registered.
            InvalidName: The name or id is empty or too long.
            CompanyAlreadyExists: ``company_id`` is taken.
        """
        check_id(actor_id, "user")
        check_settings(settings)
        name = check_name(name, "company name")
        if company_id is not None:
            check_id(company_id, "company")

        def work(tx: Transaction, now: datetime) -> Company:
            founder = self._core.user(tx, actor_id)
            company = Company(
                id=CompanyId(company_id or self._core.ids("company")),
                name=name,
                created_at=now,
                settings=settings or self._core.default_settings,
            )
            tx.companies.add(company)
            tx.memberships.add(
                Membership(
                    company.id, founder.id, self._core.founder_role, now, is_main_contact=True
                )
            )
            common: Stamp = {"occurred_at": now, "actor_id": founder.id, "company_id": company.id}
            tx.outbox.append(CompanyCreated(**common, name=name))
            tx.outbox.append(
                MemberAdded(**common, user_id=founder.id, role=self._core.founder_role)
            )
            tx.outbox.append(MainContactChanged(**common, old_user_id=None, new_user_id=founder.id))
            return company

        return self._core.command(work)

    def get(self, company_id: str) -> Company:
        """Return the company or raise [UnknownCompany][teamaccess.errors.UnknownCompany]."""
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            return self._core.company(tx, company_id, closed_ok=True)

    def find(self, company_id: str) -> Company | None:
        """Return the company (open or closed), or ``None`` if no company has this id."""
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            return tx.companies.get(CompanyId(company_id))

    def update_profile(self, actor_id: str, company_id: str, *, name: str) -> Company:
        """Edit the company profile; only the main contact may (R-MC-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = check_name(name, "company name")

        def work(tx: Transaction, now: datetime) -> Company:
            company = self._core.company(tx, company_id, lock=True)
            self._core.require(tx, Action.EDIT_PROFILE, company, actor_id)
            updated = attrs.evolve(company, name=name)
            if updated != company:
                tx.companies.update(updated)
                tx.outbox.append(
                    CompanyProfileUpdated(
                        occurred_at=now, actor_id=UserId(actor_id), company_id=company.id, name=name
                    )
                )
            return updated

        return self._core.command(work)

    def suspend(self, actor_id: str, company_id: str, *, reason: str) -> Company:
        """Suspend a company; platform admins only (R-CO-5).

        Until it is resumed every action in it is refused with ``company_suspended``
        (R-CO-5): checks, commands and its members' reads. Nothing is removed: members,
        seats, leads and records stay as they are, and its history stays readable through
        the reads that name no actor (``companies.get``, ``members.main_contact``) and the
        outbox. A closed company cannot be suspended.

        Raises:
            SuspensionConflict: It is suspended already.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        reason = check_name(reason, "suspension reason")
        self._core.require_platform_admin(actor_id, "R-CO-5")

        def work(tx: Transaction, now: datetime) -> Company:
            company = self._core.company(tx, company_id, lock=True, suspended_ok=True)
            if company.suspended_at is not None:
                raise SuspensionConflict(f"company {company.id!r} is suspended already (R-CO-5)")
            updated = attrs.evolve(company, suspended_at=now, suspension_reason=reason)
            tx.companies.update(updated)
            tx.outbox.append(
                CompanySuspended(**stamp(now, UserId(actor_id), company.id), reason=reason)
            )
            return updated

        return self._core.command(work)

    def resume(self, actor_id: str, company_id: str) -> Company:
        """Resume a suspended company; platform admins only (R-CO-5).

        Every right is as it was before the suspension.

        Raises:
            SuspensionConflict: It is not suspended.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        self._core.require_platform_admin(actor_id, "R-CO-5")

        def work(tx: Transaction, now: datetime) -> Company:
            company = self._core.company(tx, company_id, lock=True, suspended_ok=True)
            if company.suspended_at is None:
                raise SuspensionConflict(f"company {company.id!r} is not suspended (R-CO-5)")
            updated = attrs.evolve(company, suspended_at=None, suspension_reason=None)
            tx.companies.update(updated)
            tx.outbox.append(CompanyResumed(**stamp(now, UserId(actor_id), company.id)))
            return updated

        return self._core.command(work)
