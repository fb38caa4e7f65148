"""Commands for partner accounts, custom properties, articles and licenses (seed 004).

A partner's team managers create child accounts and become their admins (R-PART-1);
members of an ancestor see descendants only through :meth:`overview` (R-PART-2); the
hierarchy stays a tree (R-PART-3); partners define typed properties (R-PART-4).
Platform admins record what an account bought: articles, its pricing model and its
licenses (R-LIC-1, R-LIC-3); members use licenses atomically (R-LIC-2): the license
row is locked, checked and updated in one transaction, as seat pools are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.events import (
    CompanyCreated,
    MainContactChanged,
    MemberAdded,
    stamp,
)
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name, shown
from teamaccess.domain.inputs import check_list, check_optional_id, check_settings
from teamaccess.domain.models import AddMembersBy, Company, CompanySettings, Membership
from teamaccess.domain.partner_events import (
    AccountParentChanged,
    AccountPropertiesChanged,
    ArticleAdded,
    LicenseReleased,
    LicenseSet,
    LicenseUsed,
    PricingModelChanged,
    PropertyDefined,
)
from teamaccess.domain.partners import (
    AccountOverview,
    Article,
    License,
    OverviewPage,
    PropertyDefinition,
    PropertyKind,
    decide_license,
    validate_properties,
)
from teamaccess.errors import (
    HierarchyCycle,
    HierarchyTooDeep,
    InvalidInput,
    LicenseExhausted,
    UnknownLicense,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import MAX_PAGE, ServiceCore, check_count, raise_if_denied

__all__ = ["CHILD_ACCOUNT_SETTINGS", "PartnerCommands"]

CHILD_ACCOUNT_SETTINGS = CompanySettings(add_members_by=AddMembersBy.TEAM_MANAGERS)
"""Default settings of child accounts: only admins add members (R-MEM-3, seed 004)."""


MAX_CHOICES = 100
"""The most choices a ``choice`` property may offer."""
MAX_CHOICE_LENGTH = 100
"""The longest choice, in characters."""


class PartnerCommands(ServiceCore):
    """Partner accounts, properties, articles and licenses; mixed into ``TeamAccess``."""

    # -- the hierarchy -------------------------------------------------------------------

    def create_child_account(
        self,
        actor_id: str,
        partner_id: str,
        name: str,
        *,
        company_id: str | None = None,
        settings: CompanySettings | None = None,
    ) -> Company:
        """Create an account under ``partner_id``; the creator becomes its admin (R-PART-1).

        The actor needs ``manage_team`` in the partner. The new account's creator is its
        first member, an admin, and its main contact (R-MC-1); by default only admins
        add members to it (R-MEM-3).

        Raises:
            AccessDenied: The actor may not create accounts under the partner.
            HierarchyTooDeep: The account would exceed ``max_partner_depth`` (R-PART-3).
        """
        check_id(actor_id, "user")
        check_id(partner_id, "company")
        check_settings(settings)
        name = check_name(name, "account name")
        if company_id is not None:
            check_id(company_id, "company")

        def work(tx: Transaction, now: datetime) -> Company:
            partner = self._company(tx, partner_id, lock=True)
            self._require(tx, Action.CREATE_CHILD_ACCOUNT, partner, actor_id)
            self._require_depth(tx, partner.id, 0)
            founder = self._user(tx, actor_id)
            account = Company(
                id=CompanyId(company_id or self._ids("company")),
                name=name,
                created_at=now,
                settings=settings or CHILD_ACCOUNT_SETTINGS,
                parent_id=partner.id,
            )
            tx.companies.add(account)
            tx.memberships.add(
                Membership(account.id, founder.id, self._founder_role, now, is_main_contact=True)
            )
            common = stamp(now, founder.id, account.id)
            tx.outbox.extend(
                [
                    CompanyCreated(**common, name=name),
                    MemberAdded(**common, user_id=founder.id, role=self._founder_role),
                    MainContactChanged(**common, old_user_id=None, new_user_id=founder.id),
                    AccountParentChanged(**common, old_parent_id=None, new_parent_id=partner.id),
                ]
            )
            return account

        return self._command(work)

    def move_account(self, actor_id: str, company_id: str, new_parent_id: str | None) -> Company:
        """Hang an account (with its subtree) under another parent, or make it a root.

        The actor needs ``manage_team`` in the account and in the new parent. A move
        under the account itself or one of its descendants is refused (R-PART-3).

        Raises:
            HierarchyCycle: The move would create a cycle.
            HierarchyTooDeep: The subtree would exceed ``max_partner_depth``.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(new_parent_id, "company")

        def work(tx: Transaction, now: datetime) -> Company:
            account = self._company(tx, company_id, lock=new_parent_id is None)
            self._require(tx, Action.EDIT_ACCOUNT, account, actor_id)
            parent = None if new_parent_id is None else self._company(tx, new_parent_id)
            if parent is not None:
                self._require(tx, Action.CREATE_CHILD_ACCOUNT, parent, actor_id)
                # Two concurrent moves can only close a cycle if each one's account is an
                # ancestor of the other's new parent: locking the account and the new
                # parent's whole chain, in id order, makes such moves wait for each
                # other; the second then re-reads the tree and sees the cycle.
                chain = {account.id, parent.id, *tx.companies.ancestors(parent.id)}
                for chain_id in sorted(chain):
                    tx.companies.get(chain_id, for_update=True)
                account = self._company(tx, account.id)
                if parent.id == account.id or account.id in tx.companies.ancestors(parent.id):
                    raise HierarchyCycle(
                        f"moving {account.id!r} under {parent.id!r} would make it its own ancestor"
                    )
                self._require_depth(tx, parent.id, tx.companies.height(account.id))
            new_parent = None if parent is None else parent.id
            if account.parent_id == new_parent:
                return account
            moved = attrs.evolve(account, parent_id=new_parent)
            tx.companies.update(moved)
            tx.outbox.append(
                AccountParentChanged(
                    **stamp(now, UserId(actor_id), account.id),
                    old_parent_id=account.parent_id,
                    new_parent_id=moved.parent_id,
                )
            )
            return moved

        return self._command(work)

    def ancestors(self, company_id: str) -> Sequence[CompanyId]:
        """The account's ancestors, parent first (R-PART-1)."""
        check_id(company_id, "company")
        with self._store.reader() as tx:
            return tx.companies.ancestors(self._company(tx, company_id, closed_ok=True).id)

    # -- custom properties ---------------------------------------------------------------

    def define_property(
        self,
        actor_id: str,
        partner_id: str,
        name: str,
        kind: PropertyKind | str,
        *,
        choices: Sequence[str] = (),
    ) -> PropertyDefinition:
        """Define a typed custom property for the partner's child accounts (R-PART-4).

        The actor needs ``manage_team`` in the partner. ``kind`` is one of ``text``,
        ``number``, ``boolean``, ``date`` and ``choice`` (with ``choices``).
        """
        check_id(actor_id, "user")
        check_id(partner_id, "company")
        check_id(name, "property")
        try:
            kind = PropertyKind(kind)
        except ValueError:
            kinds = ", ".join(k.value for k in PropertyKind)
            raise InvalidInput(f"property kind must be one of {kinds}, got {kind!r}") from None
        choices = check_list(choices, "choice", MAX_CHOICE_LENGTH, MAX_CHOICES)

        def work(tx: Transaction, now: datetime) -> PropertyDefinition:
            partner = self._company(tx, partner_id, lock=True)
            self._require(tx, Action.EDIT_ACCOUNT, partner, actor_id)
            definition = PropertyDefinition(
                partner.id, check_id(name, "property"), PropertyKind(kind), tuple(choices)
            )
            tx.properties.add(definition)
            tx.outbox.append(
                PropertyDefined(
                    **stamp(now, UserId(actor_id), partner.id),
                    name=definition.name,
                    kind=definition.kind.value,
                    choices=definition.choices,
                )
            )
            return definition

        return self._command(work)

    def set_properties(
        self, actor_id: str, company_id: str, values: Mapping[str, object]
    ) -> Company:
        """Set (or, with ``None``, clear) the account's custom property values (R-PART-4).

        Values are validated against the definitions of the account's parent. The actor
        needs ``manage_team`` in the account itself: members of the partner above must
        be members of the account to change it (R-PART-2).

        Raises:
            UnknownProperty: The parent defined no property of that name.
            InvalidPropertyValue: A value has the wrong type.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        if not isinstance(values, Mapping):
            raise InvalidInput(f"values must be a mapping of property names, got {shown(values)}")
        for key in values:
            check_id(key, "property")

        def work(tx: Transaction, now: datetime) -> Company:
            account = self._company(tx, company_id, lock=True)
            self._require(tx, Action.EDIT_ACCOUNT, account, actor_id)
            definitions = tx.properties.of_partner(account.parent_id) if account.parent_id else []
            checked = validate_properties(definitions, values)
            merged = {**account.properties, **checked}
            updated = attrs.evolve(
                account, properties={k: v for k, v in merged.items() if v is not None}
            )
            if updated != account:
                tx.companies.update(updated)
                tx.outbox.append(
                    AccountPropertiesChanged(
                        **stamp(now, UserId(actor_id), account.id),
                        names=tuple(sorted(checked)),
                    )
                )
            return updated

        return self._command(work)

    # -- articles, pricing model, licenses ------------------------------------------------

    def set_pricing_model(self, actor_id: str, company_id: str, pricing_model: str) -> Company:
        """Put an account on a named plan (R-LIC-3); platform admins only."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        plan = check_name(pricing_model, "pricing model")

        def work(tx: Transaction, now: datetime) -> Company:
            self._require_platform_admin(actor_id, "R-LIC-3")
            account = self._company(tx, company_id, lock=True)
            updated = attrs.evolve(account, pricing_model=plan)
            if updated != account:
                tx.companies.update(updated)
                tx.outbox.append(
                    PricingModelChanged(
                        **stamp(now, UserId(actor_id), account.id),
                        pricing_model=plan,
                    )
                )
            return updated

        return self._command(work)

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
            self._require_platform_admin(actor_id, "R-LIC-1")
            account = self._company(tx, company_id)
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

        return self._command(work)

    def set_license(self, actor_id: str, company_id: str, kind: str, limit: int) -> License:
        """Grant a license for an action kind, or change its limit (R-LIC-1).

        Platform admins only. A limit below the uses in progress is refused with
        :class:`~teamaccess.errors.LicenseExhausted`.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        check_count(limit, "limit", minimum=0)

        def work(tx: Transaction, now: datetime) -> License:
            self._require_platform_admin(actor_id, "R-LIC-1")
            account = self._company(tx, company_id)
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

        return self._command(work)

    def check_license(self, actor_id: str, company_id: str, kind: str) -> Decision:
        """May the actor take one use of the account's ``kind`` license now? (R-LIC-2)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        with self._store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            decision = self._decide(tx, Action.SWITCH_INTO, company, actor_id)
            if not decision:
                return decision
            known = isinstance(kind, str) and tx.licenses.get(CompanyId(company_id), kind)
            return decide_license(known or None, kind)

    def use_license(self, actor_id: str, company_id: str, kind: str, *, amount: int = 1) -> License:
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

    def release_license(
        self, actor_id: str, company_id: str, kind: str, *, amount: int = 1
    ) -> License:
        """Give back ``amount`` uses of a license (R-LIC-2); members only (R-MEM-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(kind, "license")
        return self._change_usage(actor_id, company_id, kind, -check_count(amount, "amount", 1))

    def _change_usage(self, actor_id: str, company_id: str, kind: str, delta: int) -> License:
        check_id(kind, "license")

        def work(tx: Transaction, now: datetime) -> License:
            account = self._company(tx, company_id)
            self._require(tx, Action.SWITCH_INTO, account, actor_id)
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

        return self._command(work)

    # -- what a partner sees -------------------------------------------------------------

    def overview(
        self,
        actor_id: str,
        partner_id: str,
        *,
        after: str | None = None,
        limit: int = 100,
    ) -> OverviewPage:
        """One page of the overview of every account below the partner (R-PART-2).

        Any member of the partner (or of an account above it) may read it. Accounts
        come ordered by id; pass the page's ``next_after`` as ``after`` for the next
        one. A page costs a fixed number of queries (descendants, members, articles,
        licenses, columns), however many accounts the partner has.
        """
        check_id(actor_id, "user")
        check_id(partner_id, "company")
        check_optional_id(after, "company")
        check_count(limit, "limit", minimum=1, maximum=MAX_PAGE)

        with self._store.reader() as tx:
            partner = self._company(tx, partner_id, closed_ok=True)
            raise_if_denied(self._decide(tx, Action.VIEW_OVERVIEW, partner, actor_id))
            page = tx.companies.descendants(
                partner.id, after=None if after is None else CompanyId(after), limit=limit
            )
            accounts = self._overviews(tx, page)
            columns = tuple(tx.properties.of_partner(partner.id))
        next_after = accounts[-1].id if len(accounts) == limit else None
        return OverviewPage(columns, accounts, next_after)

    def account_overview(self, actor_id: str, company_id: str) -> AccountOverview:
        """The overview of one account, for its members and members of its ancestors."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._store.reader() as tx:
            account = self._company(tx, company_id, closed_ok=True)
            raise_if_denied(self._decide(tx, Action.VIEW_OVERVIEW, account, actor_id))
            above = self._ancestor_membership(tx, account.id, UserId(actor_id))
            ancestors = tx.companies.ancestors(account.id)
            depth = 0
            if tx.memberships.get(account.id, UserId(actor_id)) is None and above:
                depth = ancestors.index(above.company_id) + 1
            return self._overviews(tx, [(account, depth)])[0]

    @staticmethod
    def _overviews(
        tx: Transaction, page: Sequence[tuple[Company, int]]
    ) -> tuple[AccountOverview, ...]:
        ids = [company.id for company, _ in page]
        members: dict[CompanyId, list[tuple[UserId, str]]] = {i: [] for i in ids}
        for m in tx.memberships.of_companies(ids):
            members[m.company_id].append((m.user_id, m.role))
        articles: dict[CompanyId, list[Article]] = {i: [] for i in ids}
        for article in tx.articles.of_companies(ids):
            articles[article.company_id].append(article)
        licenses: dict[CompanyId, list[License]] = {i: [] for i in ids}
        for license_ in tx.licenses.of_companies(ids):
            licenses[license_.company_id].append(license_)
        return tuple(
            AccountOverview(
                id=company.id,
                name=company.name,
                parent_id=company.parent_id,
                depth=depth,
                properties=company.properties,
                members=tuple(members[company.id]),
                pricing_model=company.pricing_model,
                articles=tuple(articles[company.id]),
                licenses=tuple(licenses[company.id]),
            )
            for company, depth in page
        )

    # -- internals -------------------------------------------------------------------------

    def _require_depth(self, tx: Transaction, parent_id: CompanyId, height: int) -> None:
        """Refuse a subtree of ``height`` under ``parent_id`` deeper than allowed (R-PART-3)."""
        if self._max_depth is None:
            return
        depth = len(tx.companies.ancestors(parent_id)) + 1 + height
        if depth > self._max_depth:
            raise HierarchyTooDeep(
                f"an account would sit {depth} levels deep; the maximum is {self._max_depth}"
            )
