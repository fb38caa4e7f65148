"""Migration from per-user accounts and merging companies: ``ta.lifecycle`` (seed 003).

Both are platform-admin commands, and each is one transaction: it happens whole or
not at all (R-ALL-3). A merged company is closed: every command naming it raises
[CompanyClosed][teamaccess.errors.CompanyClosed]; its record and history stay readable
(R-CO-3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar

import attrs

from teamaccess.domain.events import (
    CompanyCreated,
    Event,
    MainContactChanged,
    MemberAdded,
    stamp,
)
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name, shown
from teamaccess.domain.lead_events import CompanyMerged
from teamaccess.domain.lifecycle import (
    Migration,
    MigrationConflict,
    merge_articles,
    merge_definitions,
    merge_licenses,
    merge_members,
    personal_company_id,
)
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.partner_events import AccountParentChanged
from teamaccess.domain.partners import Article, License
from teamaccess.domain.roles import policy_for
from teamaccess.errors import InvalidInput, MergeConflict, UnknownUser
from teamaccess.ports import Transaction
from teamaccess.service._authority import withdraw_invitation
from teamaccess.service._core import ServiceCore
from teamaccess.service._domain_enrolment import move_domains

__all__ = ["Lifecycle"]

_Owned = TypeVar("_Owned", License, Article)


class Lifecycle:
    """Migration from per-user accounts and merging companies: ``ta.lifecycle``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def migrate_users(self, actor_id: str, *, names: Mapping[str, str] | None = None) -> Migration:
        """Give every user a company of their own, with them as first member and main contact.

        The company's id is [personal_company_id][teamaccess.values.personal_company_id] of
        the user, so a second run finds it and changes nothing (R-CO-1). Its name is
        ``names[user_id]`` if given, else the user's e-mail. Platform admins only; one
        transaction for all users.

        A company with that id of which the user is not the main contact (someone else
        created it first) is not theirs: the user is reported in
        `conflicts` and nothing is created
        for them, rather than being counted as migrated (R-CO-4).

        Returns:
            The companies created by this run (none on a second run) and the conflicts.

        Raises:
            UnknownUser: ``names`` names a user who is not registered.
        """
        check_id(actor_id, "user")
        if names is not None and not isinstance(names, Mapping):
            raise InvalidInput(f"names must be a mapping of user id to name: {shown(names)}")
        wanted = {
            check_id(user, "user"): check_name(name, "company name")
            for user, name in (names or {}).items()
        }

        def work(tx: Transaction, now: datetime) -> Migration:
            self._core.require_platform_admin(actor_id, "R-CO-1")
            users = tx.users.all()
            unknown = sorted(set(wanted) - {u.id for u in users})
            if unknown:
                raise UnknownUser(unknown[0])
            created: list[Company] = []
            conflicts: list[MigrationConflict] = []
            events: list[Event] = []
            for user in users:
                company_id = personal_company_id(user.id)
                if tx.companies.get(company_id) is not None:
                    owner = tx.memberships.get(company_id, user.id)
                    if owner is None or not owner.is_main_contact:
                        reason = f"{company_id!r} exists and {user.id!r} is not its main contact"
                        conflicts.append(MigrationConflict(user.id, company_id, reason))
                    continue
                company = Company(
                    company_id, wanted.get(user.id, user.email), now, self._core.default_settings
                )
                tx.companies.add(company)
                tx.memberships.add(
                    Membership(
                        company_id, user.id, self._core.founder_role, now, is_main_contact=True
                    )
                )
                common = stamp(now, UserId(actor_id), company_id)
                events += [
                    CompanyCreated(**common, name=company.name),
                    MemberAdded(**common, user_id=user.id, role=self._core.founder_role),
                    MainContactChanged(**common, old_user_id=None, new_user_id=user.id),
                ]
                created.append(company)
            tx.outbox.extend(events)
            return Migration(tuple(created), tuple(conflicts))

        return self._core.command(work)

    def merge(self, actor_id: str, source_id: str, target_id: str) -> Company:
        """Merge ``source`` into ``target`` and close ``source`` (R-CO-2).

        Members, the source's own roles (R-ROLE-1), leads and offers, the inbox,
        records and service links, seat pools, licenses and articles (amounts add up),
        property definitions and child accounts move to the target. A user in both
        keeps one membership with the higher role, and their other roles of either as
        further roles (R-ROLE-3); the target's main contact stays. The source is
        closed and points to the target (R-CO-3). Platform admins only.

        Returns:
            The closed source company.

        Raises:
            MergeConflict: Source and target are the same, the target lies below the
                source, the two are linked as customer and provider, or both define
                a custom property of one name with different types, or a role of
                their own of one name with different permissions.
        """
        check_id(actor_id, "user")
        check_id(source_id, "company")
        check_id(target_id, "company")
        if source_id == target_id:
            raise MergeConflict(f"cannot merge company {source_id!r} into itself")

        def work(tx: Transaction, now: datetime) -> Company:
            self._core.require_platform_admin(actor_id, "R-CO-2")
            first, second = sorted((source_id, target_id))  # lock in id order: no deadlock
            locked = {c.id: c for c in (self._core.company(tx, first, lock=True),
                                        self._core.company(tx, second, lock=True))}  # fmt: skip
            source, target = locked[CompanyId(source_id)], locked[CompanyId(target_id)]
            self._refuse_merge(tx, source, target)
            # the source's own roles come along, so its members keep what they held
            target = attrs.evolve(target, roles={**source.roles, **target.roles})
            members = merge_members(
                tx.memberships.of_company(source.id),
                tx.memberships.of_company(target.id),
                target.id,
                policy_for(self._core.policy, target),
            )
            definitions = merge_definitions(
                tx.properties.of_partner(source.id), tx.properties.of_partner(target.id), target.id
            )
            pair = [source.id, target.id]
            licenses = tx.licenses.of_companies(pair)
            articles = tx.articles.of_companies(pair)
            common = stamp(now, UserId(actor_id), source.id)
            events: list[Event] = []

            for member in members.removed:
                tx.memberships.remove(member.company_id, member.user_id)
            for member in members.promoted:
                tx.memberships.update(member)
            for member in members.moved:
                tx.memberships.add(member)
                moved = tx.users.get(member.user_id)
                if moved is not None:  # they joined the target by this way (R-INV-5)
                    withdraw_invitation(tx, now, UserId(actor_id), target.id, moved.email)
            tx.leads.reassign(source.id, target.id)
            tx.inbox.reassign(source.id, target.id)
            tx.records.reassign(source.id, target.id)
            tx.links.reassign(source.id, target.id)
            tx.pools.reassign(source.id, target.id)
            move_domains(tx, now, UserId(actor_id), source.id, target.id)
            for repo in (tx.licenses, tx.articles, tx.properties):
                repo.remove_all(source.id)
                repo.remove_all(target.id)
            for license_ in merge_licenses(*_split(licenses, source.id), target.id):
                tx.licenses.add(license_)
            for article in merge_articles(*_split(articles, source.id), target.id):
                tx.articles.add(article)
            for definition in definitions:
                tx.properties.add(definition)
            _repoint_staff(tx, source.id, target.id)
            for child in tx.companies.children(source.id):
                tx.companies.update(attrs.evolve(child, parent_id=target.id))
                events.append(
                    AccountParentChanged(
                        **stamp(now, UserId(actor_id), child.id),
                        old_parent_id=source.id,
                        new_parent_id=target.id,
                    )
                )
            roles = target.market_roles | source.market_roles
            if roles != target.market_roles or source.roles:
                tx.companies.update(attrs.evolve(target, market_roles=roles))
            closed = attrs.evolve(source, closed_at=now, merged_into=target.id)
            tx.companies.update(closed)
            events.append(
                CompanyMerged(
                    **common,
                    into=target.id,
                    members=tuple(m.user_id for m in members.removed),
                )
            )
            tx.outbox.extend(events)
            return closed

        return self._core.command(work)

    def _refuse_merge(self, tx: Transaction, source: Company, target: Company) -> None:
        """Raise `MergeConflict` for a merge that cannot be carried out (R-CO-2)."""
        if source.id in tx.companies.ancestors(target.id):
            raise MergeConflict(
                f"{target.id!r} lies below {source.id!r}: its children cannot move under it"
            )
        if tx.links.get(source.id, target.id) or tx.links.get(target.id, source.id):
            raise MergeConflict(
                f"{source.id!r} and {target.id!r} are linked as customer and provider"
            )
        clash = sorted(
            name for name, role in source.roles.items()
            if name in target.roles and target.roles[name].permissions != role.permissions
        )  # fmt: skip
        if clash:
            raise MergeConflict(
                f"{source.id!r} and {target.id!r} define role(s) {', '.join(clash)} with "
                "different permissions: change or delete one first"
            )
        height = tx.companies.height(source.id)
        if height > 0:
            self._core.require_depth(tx, target.id, height - 1)


def _split(items: Sequence[_Owned], source: CompanyId) -> tuple[list[_Owned], list[_Owned]]:
    """``items`` of the source, and those of the target."""
    return [i for i in items if i.company_id == source], [
        i for i in items if i.company_id != source
    ]


def _repoint_staff(tx: Transaction, source: CompanyId, target: CompanyId) -> None:
    """Staff memberships below the source came from the target from now on (R-PART-6).

    The source's staff moved to the target with the merge, so leaving the target ends
    what they received as the source's staff, as leaving the source would have.
    """
    below = list(tx.companies.children(source))
    while below:
        account = below.pop()
        below.extend(tx.companies.children(account.id))
        for member in tx.memberships.of_company(account.id):
            if member.origin == source:
                tx.memberships.update(attrs.evolve(member, origin=target))
