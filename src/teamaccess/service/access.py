"""Who can do what, and why: ``ta.access``.

The reverse of the check: who may do an action in a company, where a user may do
it, who sees a lead or a record, the path behind one decision, and the access review
of a company. Every row carries the decision the check itself gives for it, with its
reason and rule. Knowing who holds access is itself guarded (R-CO-6): a company's
member list needs ``view_members`` there (R-MEM-6), a user's companies are theirs to
ask, a review needs the main contact or ``manage_team``; platform admins may ask all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from teamaccess.domain.company_filter import CompanyFilter
from teamaccess.domain.consistency import Consistency
from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.gate import company_gate, is_open
from teamaccess.domain.ids import CompanyId, LeadId, RecordId, UserId, check_id
from teamaccess.domain.inputs import check_bool, check_count, check_optional_id
from teamaccess.domain.leads import LeadAction, LeadState, Page, decide_lead
from teamaccess.domain.models import Company, InvitationStatus, Membership
from teamaccess.domain.policy import decide, not_a_member
from teamaccess.domain.records import decide_record, link_gate
from teamaccess.domain.reverse import (
    Expansion,
    Holder,
    Step,
    admission,
    expand_steps,
    reaches_below,
)
from teamaccess.domain.review import KINDS, AccessReview, ReviewRow
from teamaccess.domain.roles import MANAGE_TEAM, Policy, held, policy_for
from teamaccess.domain.seats import pool_source
from teamaccess.domain.windows import Window, WindowState, at_instant, sight_path, window_of
from teamaccess.errors import InvalidInput, NotAMember, UnknownCompany, UnknownLead, UnknownRecord
from teamaccess.ports import Store, Transaction
from teamaccess.service._checks import check_many, filter_of
from teamaccess.service._core import (
    MAX_PAGE,
    ServiceCore,
    page_of,
    raise_denied,
    raise_if_denied,
)
from teamaccess.service.support import support_review_rows

__all__ = ["Access"]

_TARGETED = frozenset({Action.REMOVE_MEMBER.value, Action.SET_SHOW_AS_CONTACT.value})
_ALL = 1_000_000_000


class Access:
    """Who can do what, and why: ``ta.access``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def who_may(
        self,
        actor_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
        after: str | None = None,
        limit: int = 50,
        consistency: Consistency | None = None,
    ) -> Page[Holder]:
        """One page of the users who may do ``action`` in the company, by user id.

        Members whose membership allows it, and for an account's overview the members
        of its ancestors (R-PART-2), each with the decision ``check`` gives them. Pass
        ``target_user_id`` for an action aimed at a member, as to ``check``. On SQL one
        select per page, however many members the company has. ``consistency``: where
        it may read (R-ALL-12), as for ``ta.check``.

        Raises:
            AccessDenied: The actor may not see the company's members (R-CO-6).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(action, "action")
        if target_user_id is not None:
            check_id(target_user_id, "user")
        check_optional_id(after, "user cursor")
        check_count(limit, "limit", 1, MAX_PAGE)
        core = self._core
        store = core.reads(consistency)
        now = core.clock()
        company = self._members_view(actor_id, company_id, store, now)
        with store.reader() as tx:
            target = None
            if target_user_id is not None and company is not None:
                target = tx.memberships.get(company.id, UserId(target_user_id))
            targeted = action in _TARGETED
            admits = admission(action, company, core.policy, targeted=targeted)
            if company is None or admits.nobody or (targeted and target is None):
                return Page((), None)
            above = _Companies(tx, company)
            holders: list[Holder] = []
            cursor = None if after is None else UserId(after)
            while len(holders) <= limit:  # a row the check denies leaves no gap in the page
                found = list(
                    tx.memberships.admitted(
                        company.id,
                        roles=admits.roles,
                        main_contact_roles=admits.main_contact_roles,
                        ancestors=admits.ancestors,
                        after=cursor,
                        limit=limit + 1,
                        ancestor_roles=admits.ancestor_roles,
                        built_in=frozenset(core.policy.roles),
                    )
                )
                end = len(found) <= limit
                if (  # the member aimed at may act on itself
                    target is not None
                    and targeted
                    and (cursor is None or target.user_id > cursor)
                    and (end or target.user_id < found[-1].user_id)
                    and all(m.user_id != target.user_id for m in found)
                ):
                    found = sorted([*found, target], key=lambda m: m.user_id)
                for m in found:
                    holder = self._holder(
                        action, company, m, target, above(m.company_id), now,
                        self._above_if_windowed(tx, company, m),
                        sight=_path_sight(above, company, m.company_id),
                    )  # fmt: skip
                    if holder is not None and len(holders) <= limit:
                        holders.append(holder)
                if end:
                    break
                cursor = found[-1].user_id
            return page_of(holders, limit, lambda h: h.user_id)

    def where_may(
        self,
        actor_id: str,
        user_id: str,
        action: str,
        *,
        after: str | None = None,
        limit: int = 50,
        consistency: Consistency | None = None,
    ) -> Page[Holder]:
        """One page of the companies in which the user may do ``action``, by company id.

        Their companies, and for an overview the accounts below them (R-PART-2).
        ``consistency``: where it may read (R-ALL-12), as for ``ta.check``.

        Raises:
            AccessDenied: The actor is neither the user nor a platform admin (R-CO-6).
        """
        check_id(actor_id, "user")
        check_id(user_id, "user")
        check_id(action, "action")
        check_optional_id(after, "company cursor")
        check_count(limit, "limit", 1, MAX_PAGE)
        if actor_id != user_id:
            self._core.require_platform_admin(actor_id, "R-CO-6")
        policy = self._core.policy
        now = self._core.clock()
        with self._core.reads(consistency).reader() as tx:
            memberships = tx.memberships.of_user(UserId(user_id))
            downwards = reaches_below(action, policy)
            found: dict[str, Holder] = {}
            below: dict[CompanyId, tuple[int, Membership]] = {}
            companies = _Companies(tx)
            for m in memberships:
                company = companies(m.company_id)
                holder = self._holder(action, company, m, None, company, now)
                if holder is not None:
                    found[m.company_id] = holder
                if company is not None and downwards:
                    for child, depth in _all_descendants(tx, company.id):
                        if child.id not in below or below[child.id][0] > depth:
                            below[child.id] = (depth, m)
            # a membership outside its window leaves sight from above (R-TIME-1, R-PART-2)
            mine = {m.company_id for m in memberships if window_of(m).contains(now)}
            for child_id, (_, above) in below.items():
                if child_id not in mine:  # through the ancestor's gate too (R-CO-8)
                    account = companies(child_id)
                    via = companies(above.company_id)
                    sight = None if account is None else _path_sight(companies, account, via)
                    holder = self._holder(action, account, above, None, via, now, sight=sight)
                    if holder is not None:
                        found[child_id] = holder
            keys = sorted(k for k in found if after is None or k > after)
            return page_of([found[k] for k in keys[: limit + 1]], limit, lambda h: h.company_id)

    def check_many(
        self,
        actor_id: str,
        pairs: Iterable[tuple[str, str]],
        *,
        consistency: Consistency | None = None,
    ) -> list[Decision]:
        """The decisions of ``ta.check(actor_id, company, action)`` for each pair, in order.

        Equal to checking each pair (R-ALL-2), with the facts of every company read
        together: on SQL one statement for the whole list. ``consistency``: where it
        may read (R-ALL-12), as for ``ta.check``.

        Raises:
            InvalidInput: Not a collection of (company id, action) pairs, or more than
                1000 pairs (R-ALL-6).
            InvalidName: A malformed id or action (R-ALL-7).
        """
        return check_many(self._core, actor_id, pairs, consistency)

    def company_filter(self, user_id: str, action: str) -> CompanyFilter:
        """The companies in which ``ta.check`` allows the user ``action`` now, as facts to match.

        A [CompanyFilter][teamaccess.domain.company_filter.CompanyFilter] learnt from the
        check's own rules at the service's clock; ``teamaccess.adapters.sql.company_filter``
        and ``teamaccess.contrib.django.filters.company_q`` turn it into a clause over
        the host's table (issue 32).

        Raises:
            InvalidName: A malformed user id or action (R-ALL-7).
        """
        return filter_of(self._core, user_id, action)

    def who_sees_lead(
        self, actor_id: str, lead_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[Holder]:
        """One page of the (company, user) pairs that see the lead; platform admins only.

        The members of its operator, giver, picker and the companies it is offered
        to, as far as ``leads.check`` lets them see it (R-LEAD-2 to R-LEAD-4), ordered by
        company, then user.
        """
        check_id(actor_id, "user")
        check_id(lead_id, "lead")
        check_count(limit, "limit", 1, MAX_PAGE)
        cursor = _pair_cursor(after)
        self._core.require_platform_admin(actor_id, "R-CO-6")
        with self._core.store.reader() as tx:
            lead = tx.leads.get(LeadId(lead_id))
            if lead is None:
                raise UnknownLead(f"unknown lead {lead_id!r}")
            offered = set(tx.leads.offered_to(lead.id) if lead.state is LeadState.OFFERED else ())
            parties = sorted(
                c for c in (lead.operator_id, lead.giver_id, lead.picked_by, *offered) if c
            )

            def sees(company: Company, m: Membership) -> Decision:
                return decide_lead(
                    LeadAction.VIEW, company_id=company.id, lead=lead,
                    offered=company.id in offered, is_handler=m.is_handler,
                )  # fmt: skip

            return self._viewers(tx, sorted(set(parties)), sees, cursor, limit, "R-LEAD-4")

    def who_sees_record(
        self, actor_id: str, record_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[Holder]:
        """One page of the (company, user) pairs that see the record now; platform admins only.

        The customer's members once the embargo has passed, and the members of every
        linked provider (R-REC-1, R-REC-2), ordered by company, then user.
        """
        check_id(actor_id, "user")
        check_id(record_id, "record")
        check_count(limit, "limit", 1, MAX_PAGE)
        cursor = _pair_cursor(after)
        self._core.require_platform_admin(actor_id, "R-CO-6")
        now = self._core.clock()
        with self._core.store.reader() as tx:
            record = tx.records.get(RecordId(record_id))
            if record is None:
                raise UnknownRecord(f"unknown record {record_id!r}")
            linked = tx.links.of_customer(record.customer_id)
            links = {link.partner_id: link.kind for link in linked}
            customer = tx.companies.get(record.customer_id)
            barred = None if customer is None else link_gate(customer)

            def sees(company: Company, _m: Membership) -> Decision:
                link = links.get(company.id)
                if link is not None and barred is not None:
                    return barred  # the customer is suspended (R-CO-8)
                return decide_record(record, company_id=company.id, link=link, now=now)

            companies = sorted({record.customer_id, *links})
            return self._viewers(tx, companies, sees, cursor, limit, "R-REC-1")

    def expand(
        self,
        actor_id: str,
        user_id: str,
        company_id: str,
        action: str,
        *,
        target_user_id: str | None = None,
    ) -> Expansion:
        """The decision of ``check(user_id, company_id, action)`` and the path behind it.

        The company's state, the membership (or the nearest ancestor's and the chain
        to it), the role with its permissions, the member aimed at, and the rule.

        Raises:
            AccessDenied: The actor is not the user, may not see the company's
                members and is no platform admin (R-CO-6).
        """
        for value, what in ((actor_id, "user"), (user_id, "user"), (company_id, "company")):
            check_id(value, what)
        check_id(action, "action")
        if target_user_id is not None:
            check_id(target_user_id, "user")
        core = self._core
        admin = actor_id in core.platform_admins
        if actor_id != user_id:
            self._members_view(actor_id, company_id, core.store)
        with core.store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            actor = None if company is None else tx.memberships.get(company.id, UserId(user_id))
            above: Membership | None = None
            ancestor: Company | None = None
            chain: tuple[CompanyId, ...] = ()
            sight: Window | None = None
            timed = actor is not None and (actor.starts_at or actor.expires_at) is not None
            if (actor is None or timed) and company is not None and company.parent_id is not None:
                above, sight = core.ancestor_sight(tx, company, UserId(user_id))
                chain = tuple(tx.companies.ancestors(company.id))
                ancestor = None if above is None else tx.companies.get(above.company_id)
            if not admin and actor_id == user_id and actor is None and above is None:
                return _outsider(action, user_id, company_id)  # as if missing (R-ALL-9)
            # The member aimed at only for whoever may see the members: a platform
            # admin, a member with view_members (checked above), or the user's own
            # open sight of an open company (R-CO-8, R-ALL-9).
            sees = (
                admin
                or actor_id != user_id
                or (is_open(company) and (actor is not None or is_open(ancestor)))
            )
            target = None
            if target_user_id is not None and company is not None and sees:
                target = tx.memberships.get(company.id, UserId(target_user_id))
            decision = decide(
                action, company=company, actor=actor, policy=core.policy, target=target,
                ancestor_member=above, ancestor=ancestor, company_id=company_id,
                now=core.clock(), sight=sight,
            )  # fmt: skip
            steps = expand_steps(
                decision, user_id=user_id, company=company, company_id=company_id, actor=actor,
                ancestor_member=above, ancestors=chain, policy=core.policy, target=target,
                insider=admin or actor is not None,
            )  # fmt: skip
            return Expansion(decision, steps)

    def review(self, actor_id: str, company_id: str, *, subtree: bool = False) -> AccessReview:
        """The access review of a company, or of a partner and every account below it.

        Members and roles, the main contact, pool leaders and seat holders of the
        company's pools, the tags those pools give, pending invitations, and who sees
        its overview from above (R-PART-2). Export it with ``to_json``/``to_csv``;
        compare two with ``diff``.

        Raises:
            AccessDenied: The actor is neither the company's main contact, nor a member
                with ``manage_team``, nor a platform admin (R-CO-6).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_bool(subtree, "subtree")
        core = self._core
        now = core.clock()
        admin = actor_id in core.platform_admins
        with core.store.reader() as tx:
            root = reviewed_company(core, tx, actor_id, company_id, now)
            companies = [root]
            if subtree:  # a suspended account below shows nothing while it lasts (R-CO-8)
                companies += [
                    c for c, _ in _all_descendants(tx, root.id) if admin or not c.is_suspended
                ]
            rows: list[ReviewRow] = []
            for company in companies:
                rows += _review_rows(tx, company, now, core.policy)
                rows += support_review_rows(tx, company.id, now)  # staff inside (R-SUP-1)
            return AccessReview(
                company_id=root.id,
                taken_at=now,
                companies=tuple(c.id for c in companies),
                rows=tuple(sorted(rows, key=lambda r: (r.company_id, r.subject, _order(r)))),
            )

    # -- helpers ------------------------------------------------------------------------

    def _members_view(
        self, actor_id: str, company_id: str, store: Store, now: datetime | None = None
    ) -> Company | None:
        """The company (``None`` if missing) if the actor may see who holds access in it.

        Needs ``view_members`` there (R-CO-6) or a platform admin. Read with the check's
        one statement, the ancestor's state included (R-CO-8); a caller without sight
        gets the same denial whether the company exists or not (R-ALL-9).

        Raises:
            NotAMember: Without sight, or as a non-member.
            AccessDenied: Any other denial of ``view_members``.
        """
        core = self._core
        company, me, above, ancestor, sight = store.check_facts(company_id, actor_id)
        if actor_id in core.platform_admins:
            return company
        if company is None or (me is None and above is None):  # as if missing (R-ALL-9)
            decision = not_a_member(Action.VIEW_MEMBERS, company_id)
        else:
            decision = decide(
                Action.VIEW_MEMBERS, company=company, actor=me, policy=core.policy,
                ancestor_member=above, ancestor=ancestor, now=now or core.clock(),
                sight=sight,
            )  # fmt: skip
        if not decision.allowed:
            raise_if_denied(
                Decision.deny(
                    decision.reason, "R-CO-6", f"who holds access in {company_id!r}: {decision}"
                )
            )
        return company

    def _holder(
        self,
        action: str,
        company: Company | None,
        m: Membership,
        target: Membership | None,
        via: Company | None,
        now: datetime,
        over: tuple[Membership, Company | None, Window | None] | None = None,
        *,
        sight: Window | None = None,
    ) -> Holder | None:
        """The row of ``m`` if it may do ``action`` at ``now``; ``via`` is ``m``'s company.

        Decided as the check decides at that instant (R-CO-8, R-TIME-1); the row shows
        the membership's window (R-TIME-3). ``over``: for a member whose window may
        have ended, their membership in the nearest ancestor, its company and that
        sight's window, which then still counts (R-PART-2), as in the check. ``sight``:
        for a member of an ancestor, the window of their sight of the company (R-TIME-1);
        the row then shows the narrower of it and their membership's window (R-TIME-3).
        """
        if company is None:
            return None
        own = m.company_id == company.id
        decision = decide(
            action, company=company, actor=m if own else None, policy=self._core.policy,
            target=target, ancestor_member=None if own else m, ancestor=None if own else via,
            now=now, sight=None if own else sight,
        )  # fmt: skip
        if not decision.allowed and own and over is not None:
            decision = decide(
                action, company=company, actor=m, policy=self._core.policy, target=target,
                ancestor_member=over[0], ancestor=over[1], now=now, sight=over[2],
            )  # fmt: skip
            if decision.allowed:
                m, sight, own = over[0], over[2], False
        if not decision.allowed:
            return None
        window = Window(m.starts_at, m.expires_at)
        if not own and sight is not None:  # the sight's window narrows it (R-TIME-3)
            window = window.within(sight)
        return Holder(
            m.user_id, company.id, m.company_id, at_instant(m, now).role, decision,
            starts_at=window.starts_at, expires_at=window.expires_at,
            role_until=m.role_until if m.role_until is not None and now < m.role_until else None,
        )  # fmt: skip

    def _above_if_windowed(
        self, tx: Transaction, company: Company, m: Membership
    ) -> tuple[Membership, Company | None, Window | None] | None:
        """For a member whose window may have ended: the nearest ancestor's membership."""
        if m.company_id != company.id or company.parent_id is None:
            return None
        if m.starts_at is None and m.expires_at is None:
            return None
        above, sight = self._core.ancestor_sight(tx, company, m.user_id)
        return None if above is None else (above, tx.companies.get(above.company_id), sight)

    def _viewers(
        self,
        tx: Transaction,
        company_ids: Sequence[CompanyId],
        sees: Callable[[Company, Membership], Decision],
        cursor: tuple[str, str] | None,
        limit: int,
        rule: str,
    ) -> Page[Holder]:
        found: list[Holder] = []
        for company_id in company_ids:
            if cursor is not None and company_id < cursor[0]:
                continue
            company = tx.companies.get(company_id)
            for m in tx.memberships.of_company(company_id):
                if cursor is not None and (company_id, m.user_id) <= cursor:
                    continue
                gated = self._core.gate(company, m, rule)
                if isinstance(gated, Decision):
                    continue  # a closed or suspended company, an unknown role
                decision = sees(gated[0], m)
                if decision.allowed:
                    found.append(Holder(m.user_id, company_id, company_id, m.role, decision))
                    if len(found) > limit:
                        break
            if len(found) > limit:
                break
        return page_of(found, limit, lambda h: json.dumps([h.company_id, h.user_id]))


def _pair_cursor(after: str | None) -> tuple[str, str] | None:
    """The (company, user) a viewer page continues after; raises `InvalidInput` if bad."""
    if after is None:
        return None
    try:
        company, user = json.loads(after)
        return check_id(company, "company"), check_id(user, "user")
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"not a cursor of this list: {after!r}") from error


def _all_descendants(tx: Transaction, company_id: CompanyId) -> Iterable[tuple[Company, int]]:
    after = None
    while True:
        page = tx.companies.descendants(company_id, after=after, limit=500)
        yield from page
        if len(page) < 500:
            return
        after = page[-1][0].id


_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def _order(row: ReviewRow) -> tuple[int, str, str]:
    return (_KIND_ORDER[row.kind], row.grant, row.via)


def reviewed_company(
    core: ServiceCore, tx: Transaction, actor_id: str, company_id: str, now: datetime
) -> Company:
    """The company whose grants or history the actor may look into (R-CO-6).

    Its main contact, a member with ``manage_team``, or a platform admin; a suspended
    company shows its insiders nothing while it lasts (R-CO-8), a closed one keeps its
    history. An unknown company and one the actor is not in get the same answer (R-ALL-9).

    Raises:
        NotAMember: The company is unknown or the actor is not in it.
        AccessDenied: The actor may not look into it.
    """
    admin = actor_id in core.platform_admins
    root = tx.companies.get(CompanyId(company_id))
    me = None if root is None else tx.memberships.get(root.id, UserId(actor_id))
    if me is not None:  # outside its window a membership counts for nothing (R-TIME-1)
        me = at_instant(me, now) if window_of(me).contains(now) else None
    if root is None or (me is None and not admin):  # the same answer (R-ALL-9)
        if admin:
            raise UnknownCompany(company_id)
        raise NotAMember(_no_review(company_id))
    if not admin:
        blocked = company_gate(root, insider=True)
        if blocked is not None and not root.is_closed:  # closed: history stays
            raise_denied(Decision.deny(blocked.reason, "R-CO-8", blocked.detail))
        mine = frozenset() if me is None else held(policy_for(core.policy, root), me)
        if me is None or not (me.is_main_contact or MANAGE_TEAM in mine):
            raise_if_denied(
                Decision.deny(
                    Reason.NOT_PERMITTED, "R-CO-6",
                    "a review needs the main contact, manage_team or a platform admin",
                )
            )  # fmt: skip
    return root


def _review_rows(
    tx: Transaction, company: Company, now: datetime, policy: Policy
) -> list[ReviewRow]:
    grants: list[
        tuple[str, str, str, str, datetime | None, datetime | None]
    ] = []  # subject, kind, grant, via, since, until
    for m in tx.memberships.of_company(company.id):  # via: the partner it came from (R-PART-6)
        if window_of(m).state(now) is WindowState.EXPIRED:
            continue  # it grants nothing from its end on, swept or not (R-TIME-1)
        held = at_instant(m, now)  # a pending one shows when it starts (R-TIME-3)
        role_end = held.role_until or m.expires_at
        grants.append(
            (m.user_id, "role", held.role, m.origin or "", m.starts_at or m.joined_at, role_end)
        )
        for role in held.roles[1:]:  # each further role, with its own row (R-ROLE-3)
            grants.append(
                (m.user_id, "role", role, m.origin or "", m.starts_at or m.joined_at, m.expires_at)
            )
        if m.is_main_contact:
            grants.append((m.user_id, "main_contact", "main_contact", "", None, None))
    pools = tx.pools.of_company(company.id)
    sources = {pool_source(p.id) for p in pools}
    seats = {pool.id: tx.enrollments.of_pool(pool.id) for pool in pools}
    holders = sorted({seat.user_id for taken in seats.values() for seat in taken})
    tagged = [g for g in tx.tags.of_users(holders) if g.source in sources]
    ends = {(g.user_id, g.source): g.expires_at for g in tagged}  # a seat's end (R-TIME-3)
    for pool in pools:
        grants.append((pool.leader_id, "leader", pool.id, pool.product_id, pool.created_at, None))
        for seat in seats[pool.id]:
            until = ends.get((seat.user_id, pool_source(pool.id)))
            grants.append((seat.user_id, "seat", pool.id, pool.product_id, seat.enrolled_at, until))
    for grant in tagged:
        grants.append(
            (grant.user_id, "tag", grant.tag, grant.source, grant.granted_at, grant.expires_at)
        )
    above = tx.memberships.admitted(
        company.id, roles=frozenset(), main_contact_roles=frozenset(), ancestors=True,
        after=None, limit=_ALL,
    )  # fmt: skip
    ancestors = _Companies(tx, company)
    for m in above:  # sight from above passes the ancestor's gate (R-CO-8)
        if not is_open(ancestors(m.company_id)) or not window_of(m).contains(now):
            continue  # nor does a membership outside its window give sight (R-TIME-1)
        sight = _path_sight(ancestors, company, m.company_id) or Window()
        if not sight.contains(now):
            continue  # nor sight through a link outside its window (R-TIME-1)
        shown = Window(None, m.expires_at).within(sight)  # the sight's window (R-TIME-3)
        grants.append(
            (m.user_id, "overview", Action.VIEW_OVERVIEW.value, m.company_id,
             shown.starts_at, shown.expires_at)
        )  # fmt: skip
        role = at_instant(m, now).role
        if role in policy.roles and MANAGE_TEAM in policy.permissions(role):
            until = Window(None, m.role_until or m.expires_at).within(sight).expires_at
            grants.append(  # R-PART-5
                (m.user_id, "team", MANAGE_TEAM, m.company_id, shown.starts_at, until)
            )
    users = tx.users.get_many(sorted({UserId(subject) for subject, *_ in grants}))
    rows = [
        ReviewRow(company.id, subject, users[UserId(subject)].email if subject in users else "",
                  kind, grant, via, "" if since is None else since.isoformat(),
                  "" if until is None else until.isoformat())
        for subject, kind, grant, via, since, until in grants
    ]  # fmt: skip
    for invitation in tx.invitations.of_company(company.id):
        if invitation.status is InvitationStatus.PENDING and invitation.expires_at > now:
            rows.append(
                ReviewRow(company.id, invitation.email, invitation.email, "invitation",
                          invitation.role, f"invited by {invitation.invited_by}",
                          invitation.created_at.isoformat())
            )  # fmt: skip
    return rows


def _path_sight(
    companies: _Companies, company: Company, ancestor: Company | CompanyId | None
) -> Window | None:
    """The window of sight from ``ancestor`` of ``company``: every link between (R-TIME-1).

    Walks up through ``companies`` (read once per call): a parent's sight of its
    child costs no read.
    """
    if ancestor is None:
        return None
    top = ancestor if isinstance(ancestor, str) else ancestor.id
    links: list[Company] = []
    link: Company | None = company
    while link is not None and link.id != top:
        links.append(link)
        link = None if link.parent_id is None else companies(link.parent_id)
    window = sight_path(links)
    return None if window.unbounded else window


class _Companies:
    """Companies read once per call, by id: the ancestors rows pass through."""

    def __init__(self, tx: Transaction, *known: Company) -> None:
        self._tx = tx
        self._seen: dict[CompanyId, Company | None] = {c.id: c for c in known}

    def __call__(self, company_id: CompanyId) -> Company | None:
        if company_id not in self._seen:
            self._seen[company_id] = self._tx.companies.get(company_id)
        return self._seen[company_id]


def _outsider(action: str, user_id: str, company_id: str) -> Expansion:
    """What a user without sight of a company learns by expanding: as if it were missing."""
    decision = not_a_member(action, company_id)
    return Expansion(
        decision,
        (
            Step("company", company_id, "not visible"),
            Step("membership", f"{user_id}@{company_id}", "none"),
            Step("rule", decision.rule, str(decision)),
        ),
    )


def _no_review(company_id: str) -> Decision:
    """The denial of a review to a caller without sight, whether the company exists or not."""
    return Decision.deny(Reason.NOT_A_MEMBER, "R-CO-6", f"not a member of {company_id!r}")
