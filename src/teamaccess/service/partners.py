"""Partner accounts, their children and custom properties: ``ta.partners`` (seed 004).

A partner's team managers create child accounts and become their admins (R-PART-1);
members of an ancestor see descendants only through `overview` (R-PART-2); the
hierarchy stays a tree (R-PART-3); partners define typed properties (R-PART-4). A
partner's sight of a child account may start later and end (`Partners.set_sight_window`,
R-TIME-1): it lives on the link, so it is a command of the hierarchy, guarded as a move
is (R-PART-5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.events import (
    CompanyCreated,
    MainContactChanged,
    MemberAdded,
    stamp,
)
from teamaccess.domain.grant_events import PartnerSightWindowChanged
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name, shown
from teamaccess.domain.inputs import check_list, check_optional_id, check_settings
from teamaccess.domain.models import AddMembersBy, Company, CompanySettings, Membership
from teamaccess.domain.partner_events import (
    AccountParentChanged,
    AccountPropertiesChanged,
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
    validate_properties,
)
from teamaccess.domain.windows import Window, check_window, decide_window_grant, sight_of
from teamaccess.errors import (
    HierarchyCycle,
    InvalidInput,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import MAX_PAGE, ServiceCore, check_count, raise_if_denied
from teamaccess.service._sight import sighted

__all__ = ["Partners"]

CHILD_ACCOUNT_SETTINGS = CompanySettings(add_members_by=AddMembersBy.TEAM_MANAGERS)
"""Default settings of child accounts: only admins add members (R-MEM-3, seed 004)."""


_OPEN = Window()  # no bounds

MAX_CHOICES = 100
"""The most choices a ``choice`` property may offer."""
MAX_CHOICE_LENGTH = 100
"""The longest choice, in characters."""


class Partners:
    """Partner accounts, their children and custom properties: ``ta.partners``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def create_child(
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
        add members to it (R-MEM-3). The creator holds that membership as the partner's
        staff: it ends when they leave the partner (R-PART-6).

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
            sighted(self._core, tx, partner_id, actor_id, Action.CREATE_CHILD_ACCOUNT, lock=True)
            partner = self._core.company(tx, partner_id)
            self._core.require(tx, Action.CREATE_CHILD_ACCOUNT, partner, actor_id)
            self._core.require_depth(tx, partner.id, 0)
            founder = self._core.user(tx, actor_id)
            account = Company(
                id=CompanyId(company_id or self._core.ids("company")),
                name=name,
                created_at=now,
                settings=settings or CHILD_ACCOUNT_SETTINGS,
                parent_id=partner.id,
            )
            tx.companies.add(account)
            tx.memberships.add(
                Membership(
                    account.id,
                    founder.id,
                    self._core.founder_role,
                    now,
                    is_main_contact=True,
                    origin=partner.id,
                )
            )
            common = stamp(now, founder.id, account.id)
            tx.outbox.extend(
                [
                    CompanyCreated(**common, name=name),
                    MemberAdded(**common, user_id=founder.id, role=self._core.founder_role),
                    MainContactChanged(**common, old_user_id=None, new_user_id=founder.id),
                    AccountParentChanged(**common, old_parent_id=None, new_parent_id=partner.id),
                ]
            )
            return account

        return self._core.command(work)

    def move(self, actor_id: str, company_id: str, new_parent_id: str | None) -> Company:
        """Hang an account (with its subtree) under another parent, or make it a root.

        The partner stays in control (R-PART-5): the actor needs ``manage_team`` in
        the account's current parent (as its member, or as an admin above it), in the
        account itself (an admin of the current parent holds that too), and in the new
        parent as its member. A root account needs no parent's consent; a move to no
        parent needs the current parent's. A move under the account itself or one of
        its descendants is refused (R-PART-3).

        Raises:
            HierarchyCycle: The move would create a cycle.
            HierarchyTooDeep: The subtree would exceed ``max_partner_depth``.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(new_parent_id, "company")

        def work(tx: Transaction, now: datetime) -> Company:
            sighted(self._core, tx, company_id, actor_id, Action.MANAGE_TEAM)
            account = self._core.company(tx, company_id, lock=new_parent_id is None)
            if account.parent_id is not None:
                current = self._core.company(tx, account.parent_id)
                self._core.require(tx, Action.MANAGE_TEAM, current, actor_id)
            self._core.require(tx, Action.MANAGE_TEAM, account, actor_id)
            parent = None
            if new_parent_id is not None:
                sighted(self._core, tx, new_parent_id, actor_id, Action.CREATE_CHILD_ACCOUNT)
                parent = self._core.company(tx, new_parent_id)
            if parent is not None:
                self._core.require(tx, Action.CREATE_CHILD_ACCOUNT, parent, actor_id)
                # Two concurrent moves can only close a cycle if each one's account is an
                # ancestor of the other's new parent: locking the account and the new
                # parent's whole chain, in id order, makes such moves wait for each
                # other; the second then re-reads the tree and sees the cycle.
                chain = {account.id, parent.id, *tx.companies.ancestors(parent.id)}
                for chain_id in sorted(chain):
                    tx.companies.get(chain_id, for_update=True)
                account = self._core.company(tx, account.id)
                if parent.id == account.id or account.id in tx.companies.ancestors(parent.id):
                    raise HierarchyCycle(
                        f"moving {account.id!r} under {parent.id!r} would make it its own ancestor"
                    )
                self._core.require_depth(tx, parent.id, tx.companies.height(account.id))
            new_parent = None if parent is None else parent.id
            if account.parent_id == new_parent:
                return account
            # a new link: the old parent's sight window does not pass to it (R-TIME-1)
            moved = attrs.evolve(
                account,
                parent_id=new_parent,
                sight_starts_at=None,
                sight_expires_at=None,
                sight_expired=False,
            )
            tx.companies.update(moved)
            tx.outbox.append(
                AccountParentChanged(
                    **stamp(now, UserId(actor_id), account.id),
                    old_parent_id=account.parent_id,
                    new_parent_id=moved.parent_id,
                )
            )
            return moved

        return self._core.command(work)

    def set_sight_window(
        self,
        actor_id: str,
        company_id: str,
        *,
        starts_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> Company:
        """Set, extend or shorten the window of the parent's sight of an account (R-TIME-4).

        Members of the parent (and of every ancestor above it) see the account's
        overview and manage its team (R-PART-2, R-PART-5) only inside the window, and so
        the accounts below it, whose sight passes this link (R-TIME-1); ``None`` ends
        clear it. The account's own members are not concerned. Who moves the account
        decides its link (R-PART-5): ``manage_team`` in the current parent, or a
        platform admin; nobody sets an end beyond their own membership's (or temporary
        role's) end, nor, acting from above, beyond their own sight of the parent.
        Emits `PartnerSightWindowChanged`; an unchanged window emits nothing. An ended
        window set anew is swept anew (`Grants.expire_due`).

        Raises:
            NotAMember: The actor has no sight of the account, whether it exists or
                not (R-ALL-9), or is no member of its parent.
            AccessDenied: The actor lacks ``manage_team`` in the parent, or asks beyond
                their own window (``window_above_actor``).
            InvalidInput: A root account (no parent), a naive instant, or
                ``starts_at`` not before ``expires_at``.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        window = check_window(starts_at, expires_at)
        core = self._core

        def work(tx: Transaction, now: datetime) -> Company:
            sighted(core, tx, company_id, actor_id, Action.MANAGE_TEAM, lock=True)
            account = core.company(tx, company_id)
            if account.parent_id is None:
                raise InvalidInput(f"{account.id!r} has no parent whose sight could have a window")
            if actor_id not in core.platform_admins:
                parent = core.company(tx, account.parent_id)
                core.require(tx, Action.MANAGE_TEAM, parent, actor_id)
                self._require_sight_grant(tx, parent, actor_id, window.expires_at, now)
            old = sight_of(account)
            if old == window:
                return account
            updated = attrs.evolve(
                account,
                sight_starts_at=window.starts_at,
                sight_expires_at=window.expires_at,
                sight_expired=False,
            )
            tx.companies.update(updated)
            tx.outbox.append(
                PartnerSightWindowChanged(
                    **stamp(now, UserId(actor_id), account.id),
                    parent_id=account.parent_id,
                    starts_at=window.starts_at,
                    expires_at=window.expires_at,
                    old_starts_at=old.starts_at,
                    old_expires_at=old.expires_at,
                )
            )
            return updated

        return core.command(work)

    def _require_sight_grant(
        self,
        tx: Transaction,
        parent: Company,
        actor_id: str,
        expires_at: datetime | None,
        now: datetime,
    ) -> None:
        """Raise if a sight ending at ``expires_at`` outlasts the actor's own (R-TIME-4).

        The actor holds ``manage_team`` in the parent as its member, or from an
        ancestor (R-PART-5): then their own sight of the parent bounds it too.
        """
        granting = tx.memberships.get(parent.id, UserId(actor_id))
        sight: Window | None = None
        if granting is None or not self._core.counts(granting):
            granting, sight = self._core.ancestor_sight(tx, parent, UserId(actor_id))
        if granting is None:
            return  # decided above: no authority without a membership
        raise_if_denied(decide_window_grant(granting, expires_at, by_role=True, now=now))
        bound = None if sight is None else sight.expires_at
        if bound is not None and (expires_at is None or expires_at > bound):
            asked = "no end" if expires_at is None else expires_at.isoformat()
            raise_if_denied(
                Decision.deny(
                    Reason.WINDOW_ABOVE_ACTOR, "R-TIME-4",
                    f"{actor_id!r} sees {parent.id!r} until {bound.isoformat()} and may not "
                    f"give sight beyond it; asked for {asked}",
                )
            )  # fmt: skip

    def ancestors(self, company_id: str) -> Sequence[CompanyId]:
        """The account's ancestors, parent first (R-PART-1)."""
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            return tx.companies.ancestors(self._core.company(tx, company_id, closed_ok=True).id)

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
            sighted(self._core, tx, partner_id, actor_id, Action.EDIT_ACCOUNT, lock=True)
            partner = self._core.company(tx, partner_id)
            self._core.require(tx, Action.EDIT_ACCOUNT, partner, actor_id)
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

        return self._core.command(work)

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
            sighted(self._core, tx, company_id, actor_id, Action.EDIT_ACCOUNT, lock=True)
            account = self._core.company(tx, company_id)
            self._core.require(tx, Action.EDIT_ACCOUNT, account, actor_id)
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

        return self._core.command(work)

    def set_pricing_model(self, actor_id: str, company_id: str, pricing_model: str) -> Company:
        """Put an account on a named plan (R-LIC-3); platform admins only."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        plan = check_name(pricing_model, "pricing model")

        def work(tx: Transaction, now: datetime) -> Company:
            self._core.require_platform_admin(actor_id, "R-LIC-3")
            account = self._core.company(tx, company_id, lock=True)
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

        return self._core.command(work)

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

        A suspended account's row shows its id, name, place in the tree and
        ``suspended``, nothing of its data, until it is resumed (R-CO-8). An account
        the partner's sight does not reach now, because the window of a link between
        them has ended or not begun, is left out (R-TIME-1); a page may then hold fewer
        rows than ``limit`` and still have a ``next_after``. A caller without sight of
        the partner gets the answer for a missing one (R-ALL-9).
        """
        check_id(actor_id, "user")
        check_id(partner_id, "company")
        check_optional_id(after, "company")
        check_count(limit, "limit", minimum=1, maximum=MAX_PAGE)

        with self._core.store.reader() as tx:
            sighted(self._core, tx, partner_id, actor_id, Action.VIEW_OVERVIEW)
            partner = self._core.company(tx, partner_id, closed_ok=True)
            raise_if_denied(self._core.decide(tx, Action.VIEW_OVERVIEW, partner, actor_id))
            page = tx.companies.descendants(
                partner.id, after=None if after is None else CompanyId(after), limit=limit
            )
            # sight passes every link between the partner and the account (R-TIME-1)
            windows = tx.companies.sight_paths(partner.id, [c.id for c, _ in page])
            now = self._core.clock()
            seen = [(c, d) for c, d in page if windows.get(c.id, _OPEN).contains(now)]
            accounts = self._overviews(tx, seen)
            columns = tuple(tx.properties.of_partner(partner.id))
        next_after = page[-1][0].id if len(page) == limit else None
        return OverviewPage(columns, accounts, next_after)

    def account_overview(self, actor_id: str, company_id: str) -> AccountOverview:
        """The overview of one account, for its members and members of its ancestors.

        Refused while the account, or the ancestor the caller sees it through, is
        suspended (R-CO-8); to a caller without sight, as for a missing one (R-ALL-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            sighted(self._core, tx, company_id, actor_id, Action.VIEW_OVERVIEW)
            account = self._core.company(tx, company_id, closed_ok=True)
            raise_if_denied(self._core.decide(tx, Action.VIEW_OVERVIEW, account, actor_id))
            above = self._core.ancestor_membership(tx, account.id, UserId(actor_id))
            ancestors = tx.companies.ancestors(account.id)
            depth = 0
            if tx.memberships.get(account.id, UserId(actor_id)) is None and above:
                depth = ancestors.index(above.company_id) + 1
            return self._overviews(tx, [(account, depth)])[0]

    @staticmethod
    def _overviews(
        tx: Transaction, page: Sequence[tuple[Company, int]]
    ) -> tuple[AccountOverview, ...]:
        ids = [company.id for company, _ in page if not company.is_suspended]
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
            if company.id in members
            else AccountOverview.of_suspended(company, depth)  # nothing passes (R-CO-8)
            for company, depth in page
        )
