"""The lead marketplace: ``ta.leads`` (seed 003).

A company acts on a lead through any of its members: visibility is decided for the
acting company by `decide_lead` (R-LEAD-2..4). A pick locks the lead row, checks it is
still offered and ends the other offers in the same transaction, so of two concurrent
picks exactly one wins (R-LEAD-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, LeadId, UserId, check_id, check_name
from teamaccess.domain.inputs import check_list, check_optional_id
from teamaccess.domain.lead_events import (
    LeadAssigned,
    LeadOffered,
    LeadPicked,
    LeadUpdated,
    MarketRolesSet,
)
from teamaccess.domain.leads import (
    Lead,
    LeadAction,
    LeadState,
    MarketRole,
    Page,
    decide_lead,
    market_roles,
)
from teamaccess.domain.models import Company, Membership
from teamaccess.errors import (
    InvalidInput,
    MissingMarketRole,
    UnknownLead,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import (
    MAX_PAGE,
    ServiceCore,
    check_count,
    page_of,
    parse_enum,
    raise_if_denied,
)

__all__ = ["Leads"]


class Leads:
    """The lead marketplace: ``ta.leads``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def set_market_roles(
        self, actor_id: str, company_id: str, roles: Iterable[MarketRole | str]
    ) -> Company:
        """Set the roles a company plays on the marketplace; platform admins only (R-LEAD-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        wanted = market_roles(roles)

        def work(tx: Transaction, now: datetime) -> Company:
            self._core.require_platform_admin(actor_id, "R-LEAD-1")
            company = self._core.company(tx, company_id, lock=True)
            if company.market_roles == wanted:
                return company
            updated = attrs.evolve(company, market_roles=wanted)
            tx.companies.update(updated)
            tx.outbox.append(
                MarketRolesSet(
                    **stamp(now, UserId(actor_id), company.id),
                    roles=tuple(sorted(r.value for r in wanted)),
                )
            )
            return updated

        return self._core.command(work)

    def offer(
        self,
        actor_id: str,
        company_id: str,
        *,
        title: str,
        taker_ids: Iterable[str],
        operator_id: str | None = None,
        giver_id: str | None = None,
        lead_id: str | None = None,
    ) -> Lead:
        """Offer a lead on a marketplace to one or more taker companies (R-LEAD-2).

        The acting company is the operator or the giver; the other one defaults to it.
        Operator, giver and takers must play those roles (R-LEAD-1).

        Raises:
            MissingMarketRole: A company lacks the role it is named for.
            InvalidInput: No taker, or the acting company is neither operator nor giver.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(operator_id, "company")
        check_optional_id(giver_id, "company")
        title = check_name(title, "lead title")
        takers = sorted({CompanyId(t) for t in check_list(taker_ids, "taker company")})
        if not takers:
            raise InvalidInput("offer the lead to at least one taker company")
        if lead_id is not None:
            check_id(lead_id, "lead")

        def work(tx: Transaction, now: datetime) -> Lead:
            company, _ = self._core.acting(tx, company_id, actor_id, "R-LEAD-2")
            operator = self._core.company(tx, operator_id or company.id)
            giver = self._core.company(tx, giver_id or company.id)
            if company.id not in (operator.id, giver.id):
                raise InvalidInput(f"{company.id!r} is neither the operator nor the giver")
            _require_role(operator, MarketRole.OPERATOR)
            _require_role(giver, MarketRole.LEAD_GIVER)
            for taker_id in takers:
                _require_role(self._core.company(tx, taker_id), MarketRole.LEAD_TAKER)
            lead = Lead(
                id=LeadId(lead_id or self._core.ids("lead")),
                operator_id=operator.id,
                giver_id=giver.id,
                title=title,
                state=LeadState.OFFERED,
                created_at=now,
            )
            tx.leads.add(lead, takers)
            tx.outbox.append(
                LeadOffered(
                    **stamp(now, UserId(actor_id), company.id),
                    lead_id=lead.id,
                    operator_id=operator.id,
                    giver_id=giver.id,
                    taker_ids=tuple(takers),
                )
            )
            return lead

        return self._core.command(work)

    def pick(self, actor_id: str, company_id: str, lead_id: str) -> Lead:
        """Pick an offered lead for the acting company; exclusive (R-LEAD-3).

        Raises:
            UnknownLead: No such lead, or none the acting company may see: never offered
                to it, or picked by another company first (the same answer, R-ALL-9).
            AccessDenied: The acting company is the lead's operator or giver, who only read.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")

        def work(tx: Transaction, now: datetime) -> Lead:
            company, actor = self._core.acting(tx, company_id, actor_id, "R-LEAD-4")
            lead = self._lead(tx, lead_id, lock=True)
            self._require_lead(tx, LeadAction.PICK, company, actor, lead)
            picked = attrs.evolve(
                lead,
                state=LeadState.PICKED,
                picked_by=company.id,
                picked_by_user=actor.user_id,
                picked_at=now,
            )
            tx.leads.update(picked)
            tx.leads.end_offers(lead.id)
            common = stamp(now, actor.user_id, company.id)
            tx.outbox.append(LeadPicked(**common, lead_id=lead.id))
            return picked

        return self._core.command(work)

    def update(
        self,
        actor_id: str,
        company_id: str,
        lead_id: str,
        *,
        title: str | None = None,
        state: LeadState | str | None = None,
    ) -> Lead:
        """Change a picked lead's title or close it as won or lost; the picking company only.

        Raises:
            AccessDenied: The acting company did not pick the lead (R-LEAD-3).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        new_title = None if title is None else check_name(title, "lead title")
        new_state = None if state is None else _new_state(state)

        def work(tx: Transaction, now: datetime) -> Lead:
            company, actor = self._core.acting(tx, company_id, actor_id, "R-LEAD-4")
            lead = self._lead(tx, lead_id, lock=True)
            self._require_lead(tx, LeadAction.EDIT, company, actor, lead)
            updated = attrs.evolve(
                lead, title=new_title or lead.title, state=new_state or lead.state
            )
            if updated == lead:
                return lead
            tx.leads.update(updated)
            tx.outbox.append(
                LeadUpdated(
                    **stamp(now, UserId(actor_id), company.id),
                    lead_id=lead.id,
                    title=updated.title,
                    state=updated.state.value,
                )
            )
            return updated

        return self._core.command(work)

    def assign(self, actor_id: str, company_id: str, lead_id: str, assignee_id: str | None) -> Lead:
        """Assign a picked lead to a colleague, or unassign it with ``None`` (R-LEAD-5).

        Only responsible handlers of the picking company may; the assignee must be a
        member of it, so an assignment never reaches beyond the company.

        Raises:
            MembershipNotFound: The assignee is not a member of the company.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        check_optional_id(assignee_id, "user")

        def work(tx: Transaction, now: datetime) -> Lead:
            # The company's lock orders this after a concurrent removal of the assignee
            # (R-MEM-10): work is never assigned to someone who has just left.
            company, actor = self._core.acting(tx, company_id, actor_id, "R-LEAD-4", lock=True)
            lead = self._lead(tx, lead_id, lock=True)
            self._require_lead(tx, LeadAction.ASSIGN, company, actor, lead)
            assignee = self._core.assignee(tx, company, assignee_id)
            if lead.assignee_id == assignee:
                return lead
            updated = attrs.evolve(lead, assignee_id=assignee)
            tx.leads.update(updated)
            tx.outbox.append(
                LeadAssigned(
                    **stamp(now, actor.user_id, company.id), lead_id=lead.id, assignee_id=assignee
                )
            )
            return updated

        return self._core.command(work)

    def check(
        self, actor_id: str, company_id: str, lead_id: str, action: LeadAction | str
    ) -> Decision:
        """Decide whether the actor, acting for the company, may do ``action`` on the lead.

        Never raises for unknown ids: they are denied (R-ALL-1).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        action = parse_enum(LeadAction, action, "lead action")
        with self._core.store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            actor = None if company is None else tx.memberships.get(company.id, UserId(actor_id))
            gated = self._core.gate(company, actor, "R-LEAD-4", company_id)
            if isinstance(gated, Decision):
                return gated
            lead = tx.leads.get(LeadId(lead_id))
            return self._decide_lead(tx, action, *gated, lead)

    def get(self, actor_id: str, company_id: str, lead_id: str) -> Lead:
        """Return the lead if the actor's company may see it (R-LEAD-2, R-LEAD-3)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        company, actor = self._core.member_of(company_id, actor_id, "R-LEAD-4")
        with self._core.store.reader() as tx:
            lead = self._lead(tx, lead_id)
            self._require_lead(tx, LeadAction.VIEW, company, actor, lead)
            return lead

    def visible(
        self,
        actor_id: str,
        company_id: str,
        *,
        state: LeadState | str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[Lead]:
        """One page of the leads the actor sees acting for the company (R-LEAD-7).

        Ordered by lead id; pass the page's ``next_after`` as ``after`` for the next
        page. On SQL a page is one indexed statement, however many leads there are:
        it reads the company and the actor's membership with the page, and they are
        judged as for every read of a company (R-LEAD-4): an outsider is refused alike
        whether the company exists or not (R-ALL-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(after, "lead")
        wanted = None if state is None else parse_enum(LeadState, state, "lead state")
        check_count(limit, "limit", 1, MAX_PAGE)
        with self._core.store.reader(one_statement=True) as tx:
            company, actor, found = tx.leads.visible_page(
                CompanyId(company_id),
                UserId(actor_id),
                state=wanted,
                after=None if after is None else LeadId(after),
                limit=limit + 1,
            )
        self._core.admitted(company, actor, "R-LEAD-4", company_id)
        return page_of(found, limit, lambda lead: lead.id)

    @staticmethod
    def _lead(tx: Transaction, lead_id: str, *, lock: bool = False) -> Lead:
        lead = tx.leads.get(LeadId(check_id(lead_id, "lead")), for_update=lock)
        if lead is None:
            raise UnknownLead(f"unknown lead {lead_id!r}")
        return lead

    def _decide_lead(
        self,
        tx: Transaction,
        action: LeadAction,
        company: Company,
        actor: Membership,
        lead: Lead | None,
    ) -> Decision:
        offered = (
            lead is not None
            and lead.state is LeadState.OFFERED
            and (company.id in tx.leads.offered_to(lead.id))
        )
        return decide_lead(
            action, company_id=company.id, lead=lead, offered=offered, is_handler=actor.is_handler
        )

    def _require_lead(
        self, tx: Transaction, action: LeadAction, company: Company, actor: Membership, lead: Lead
    ) -> None:
        """Raise unless allowed; a lead the company has no sight of is unknown (R-ALL-9)."""
        decision = self._decide_lead(tx, action, company, actor, lead)
        if decision.reason == Reason.UNKNOWN_LEAD.value:
            raise UnknownLead(f"unknown lead {lead.id!r}")
        raise_if_denied(decision)


def _require_role(company: Company, role: MarketRole) -> None:
    if role not in company.market_roles:
        raise MissingMarketRole(
            f"company {company.id!r} is not a {role.value.replace('_', ' ')} (R-LEAD-1)"
        )


def _new_state(state: LeadState | str) -> LeadState:
    """A state the picking company may set: picked, won or lost (R-LEAD-3)."""
    wanted = parse_enum(LeadState, state, "lead state")
    if wanted is LeadState.OFFERED:
        raise InvalidInput("a picked lead cannot be offered again")
    return wanted
