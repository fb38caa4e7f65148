"""Articles, pricing and counted licenses of an account: ``ta.licenses`` (seed 004).

Platform admins record what an account bought: articles, its pricing model and its
licenses (R-LIC-1, R-LIC-3); members use licenses atomically (R-LIC-2): the license
row is locked, checked and updated in one transaction, as seat pools are.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import attrs

from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.events import (
    stamp,
)
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name
from teamaccess.domain.models import AddMembersBy, Company, CompanySettings
from teamaccess.domain.partner_events import (
    ArticleAdded,
    LicenseReleased,
    LicenseSet,
    LicenseUsed,
)
from teamaccess.domain.partners import (
    Article,
    License,
    decide_license,
)
from teamaccess.errors import (
    CompanyClosed,
    InvalidInput,
    LicenseExhausted,
    UnknownLicense,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore, check_count, raise_if_denied

__all__ = ["Licenses"]

CHILD_ACCOUNT_SETTINGS = CompanySettings(add_members_by=AddMembersBy.TEAM_MANAGERS)
"""Default settings of child accounts: only admins add members (R-MEM-3, seed 004)."""


MAX_CHOICES = 100
"""The most choices a ``choice`` property may offer."""
MAX_CHOICE_LENGTH = 100
"""The longest choice, in characters."""


class Licenses:
    """Articles and counted licenses of an account: ``ta.licenses``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def add_article(
        self, actor_id: str, company_id: str, sku: str, name: str, *, quantity: int = 1
    ) -> Article:
        """Record an article the account bought (R-LIC-1); platform admins only."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(sku, "article")
        check_count(quantity, "quantity", minimum=1)
        article_name = check_name(name, "article name")

        def work(tx: Transaction, now: datetime) -> Article:
            self._core.require_platform_admin(actor_id, "R-LIC-1")
            account = self._core.company(tx, company_id)
            article = Article(account.id, check_id(sku, "article"), article_name, quantity)
            tx.articles.add(article)
            tx.outbox.append(
                ArticleAdded(
                    **stamp(now, UserId(actor_id), account.id),
                    sku=article.sku,
                    name=article.name,
                    quantity=quantity,
                )
            )
            return article

        return self._core.command(work)

    def set(self, actor_id: str, company_id: str, kind: str, limit: int) -> License:
        """Grant a license for an action kind, or change its limit (R-LIC-1).

        Platform admins only. A limit below the uses in progress is refused with
        [LicenseExhausted][teamaccess.errors.LicenseExhausted].
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        check_count(limit, "limit", minimum=0)

        def work(tx: Transaction, now: datetime) -> License:
            self._core.require_platform_admin(actor_id, "R-LIC-1")
            account = self._core.company(tx, company_id)
            current = tx.licenses.get(account.id, check_id(kind, "license"), for_update=True)
            if current is None:
                license_ = License(account.id, kind, limit)
                tx.licenses.add(license_)
            else:
                if limit < current.used:
                    raise LicenseExhausted(
                        Decision.deny(
                            "license_in_use",
                            "R-LIC-2",
                            f"license {kind!r} has {current.used} uses; it cannot drop to {limit}",
                        )
                    )
                license_ = attrs.evolve(current, limit=limit)
                tx.licenses.update(license_)
            tx.outbox.append(
                LicenseSet(
                    **stamp(now, UserId(actor_id), account.id),
                    kind=kind,
                    limit=limit,
                )
            )
            return license_

        return self._core.command(work)

    def check(self, actor_id: str, company_id: str, kind: str) -> Decision:
        """May the actor take one use of the account's ``kind`` license now? (R-LIC-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        with self._core.store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            decision = self._core.decide(
                tx, Action.SWITCH_INTO, company, actor_id, company_id=company_id
            )
            if not decision:
                return decision
            known = isinstance(kind, str) and tx.licenses.get(CompanyId(company_id), kind)
            return decide_license(known or None, kind)

    def use(self, actor_id: str, company_id: str, kind: str, *, amount: int = 1) -> License:
        """Take ``amount`` uses of a license, atomically (R-LIC-2); members only (R-MEM-1).

        Raises:
            UnknownLicense: The account holds no such license.
            LicenseExhausted: Not enough uses left; its ``decision`` names the license
                and its limit.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        return self._change_usage(actor_id, company_id, kind, check_count(amount, "amount", 1))

    def release(self, actor_id: str, company_id: str, kind: str, *, amount: int = 1) -> License:
        """Give back ``amount`` uses of a license (R-LIC-2); members only (R-MEM-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        return self._change_usage(actor_id, company_id, kind, -check_count(amount, "amount", 1))

    def _change_usage(self, actor_id: str, company_id: str, kind: str, delta: int) -> License:
        check_id(kind, "license")

        def work(tx: Transaction, now: datetime) -> License:
            # An outsider is refused alike for a missing and an existing account (R-ALL-9).
            found = tx.companies.get(CompanyId(company_id))
            if found is not None and found.closed_at is not None:
                raise CompanyClosed(found.id, found.merged_into)
            decision = self._core.decide(
                tx, Action.SWITCH_INTO, found, actor_id, company_id=company_id
            )
            raise_if_denied(decision)
            account = cast(Company, found)  # allowed: it exists
            license_ = tx.licenses.get(account.id, kind, for_update=True)
            if license_ is None:
                raise UnknownLicense(f"account {account.id!r} holds no {kind!r} license")
            if delta > 0:
                decision = decide_license(license_, kind, delta)
                if not decision:
                    raise LicenseExhausted(decision)
            elif license_.used + delta < 0:
                raise InvalidInput(f"cannot release {-delta} use(s) of {kind!r}: {license_.usage}")
            changed = attrs.evolve(license_, used=license_.used + delta)
            tx.licenses.update(changed)
            event = LicenseUsed if delta > 0 else LicenseReleased
            tx.outbox.append(
                event(
                    **stamp(now, UserId(actor_id), account.id),
                    kind=kind,
                    amount=abs(delta),
                    used=changed.used,
                    limit=changed.limit,
                )
            )
            return changed

        return self._core.command(work)
