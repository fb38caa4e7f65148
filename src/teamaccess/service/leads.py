"""Commands for the lead marketplace and the company inbox (seeds 000 and 003).

A company acts on a lead through any of its members: visibility is decided for the
acting company by :func:`~teamaccess.domain.leads.decide_lead` (R-LEAD-2..4). A pick
locks the lead row, checks it is still offered and ends the other offers in the same
transaction, so of two concurrent picks exactly one wins (R-LEAD-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, LeadId, RequestId, UserId, check_id, check_name
from teamaccess.domain.inputs import check_list, check_optional_id
from teamaccess.domain.lead_events import (
    HandlerChanged,
    LeadAssigned,
    LeadOffered,
    LeadPicked,
    LeadUpdated,
    MarketRolesSet,
    RequestAssigned,
    RequestClosed,
    RequestReceived,
)
from teamaccess.domain.leads import (
    InboxRequest,
    Lead,
    LeadAction,
    LeadState,
    MarketRole,
    Page,
    RequestKind,
    RequestState,
    decide_lead,
    market_roles,
)
from teamaccess.domain.models import Company, Membership
from teamaccess.errors import (
    InvalidInput,
    LeadAlreadyPicked,
    MissingMarketRole,
    UnknownLead,
    UnknownRequest,
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

__all__ = ["LeadCommands"]


class LeadCommands(ServiceCore):
    """Marketplace roles, leads, handlers and the inbox; mixed into ``TeamAccess``."""

    # -- roles and handlers ---------------------------------------------------------------

    def set_market_roles(
        self, actor_id: str, company_id: str, roles: Iterable[MarketRole | str]
    ) -> Company:
        """Set the roles a company plays on the marketplace; platform admins only (R-LEAD-1)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        wanted = market_roles(roles)

        def work(tx: Transaction, now: datetime) -> Company:
            self._require_platform_admin(actor_id, "R-LEAD-1")
            company = self._company(tx, company_id, lock=True)
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

        return self._command(work)

    def set_handler(
        self, actor_id: str, company_id: str, user_id: str, is_handler: bool
    ) -> Membership:
        """Name a member a responsible handler, or stop; needs ``manage_team`` (R-LEAD-5)."""
        if not isinstance(is_handler, bool):
            raise InvalidInput(f"is_handler must be True or False, got {is_handler!r}")
        return self._change_member(
            actor_id, company_id, user_id, Action.MANAGE_TEAM, {"is_handler": is_handler},
            lambda common, old: HandlerChanged(
                **common, user_id=old.user_id, is_handler=is_handler
            ),
        )  # fmt: skip

    # -- leads ------------------------------------------------------------------------------

    def offer_lead(
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
            company, _ = self._acting(tx, company_id, actor_id, "R-LEAD-2")
            operator = self._company(tx, operator_id or company.id)
            giver = self._company(tx, giver_id or company.id)
            if company.id not in (operator.id, giver.id):
                raise InvalidInput(f"{company.id!r} is neither the operator nor the giver")
            _require_role(operator, MarketRole.OPERATOR)
            _require_role(giver, MarketRole.LEAD_GIVER)
            for taker_id in takers:
                _require_role(self._company(tx, taker_id), MarketRole.LEAD_TAKER)
            lead = Lead(
                id=LeadId(lead_id or self._ids("lead")),
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

        return self._command(work)

    def pick_lead(self, actor_id: str, company_id: str, lead_id: str) -> Lead:
        """Pick an offered lead for the acting company; exclusive (R-LEAD-3).

        Raises:
            LeadAlreadyPicked: Another company picked it first.
            AccessDenied: It is not offered to the acting company.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")

        def work(tx: Transaction, now: datetime) -> Lead:
            company, actor = self._acting(tx, company_id, actor_id, "R-LEAD-4")
            lead = self._lead(tx, lead_id, lock=True)
            if lead.picked_by is not None and lead.picked_by != company.id:
                raise LeadAlreadyPicked(f"lead {lead.id!r} was picked by another company")
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

        return self._command(work)

    def update_lead(
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
            company, actor = self._acting(tx, company_id, actor_id, "R-LEAD-4")
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

        return self._command(work)

    def assign_lead(
        self, actor_id: str, company_id: str, lead_id: str, assignee_id: str | None
    ) -> Lead:
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
            company, actor = self._acting(tx, company_id, actor_id, "R-LEAD-4", lock=True)
            lead = self._lead(tx, lead_id, lock=True)
            self._require_lead(tx, LeadAction.ASSIGN, company, actor, lead)
            assignee = self._assignee(tx, company, assignee_id)
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

        return self._command(work)

    def check_lead(
        self, actor_id: str, company_id: str, lead_id: str, action: LeadAction | str
    ) -> Decision:
        """Decide whether the actor, acting for the company, may do ``action`` on the lead.

        Never raises for unknown ids: they are denied (R-ALL-1).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        action = parse_enum(LeadAction, action, "lead action")
        with self._store.reader() as tx:
            company = tx.companies.get(CompanyId(company_id))
            actor = None if company is None else tx.memberships.get(company.id, UserId(actor_id))
            gated = self._gate(company, actor, "R-LEAD-4")
            if isinstance(gated, Decision):
                return gated
            lead = tx.leads.get(LeadId(lead_id))
            return self._decide_lead(tx, action, *gated, lead)

    def lead(self, actor_id: str, company_id: str, lead_id: str) -> Lead:
        """Return the lead if the actor's company may see it (R-LEAD-2, R-LEAD-3)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(lead_id, "lead")
        company, actor = self._member_of(company_id, actor_id, "R-LEAD-4")
        with self._store.reader() as tx:
            lead = self._lead(tx, lead_id)
            self._require_lead(tx, LeadAction.VIEW, company, actor, lead)
            return lead

    def visible_leads(
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
        page. On SQL this is one indexed query per page, however many leads there are.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(after, "lead")
        wanted = None if state is None else parse_enum(LeadState, state, "lead state")
        check_count(limit, "limit", 1, MAX_PAGE)
        company, _ = self._member_of(company_id, actor_id, "R-LEAD-4")
        with self._store.reader() as tx:
            found = tx.leads.visible_to(
                company.id,
                state=wanted,
                after=None if after is None else LeadId(after),
                limit=limit + 1,
            )
            return page_of(found, limit, lambda lead: lead.id)

    # -- the inbox ----------------------------------------------------------------------------

    def send_request(
        self,
        company_id: str,
        kind: RequestKind | str,
        sender_email: str,
        subject: str,
        *,
        sender_id: str | None = None,
        request_id: str | None = None,
    ) -> InboxRequest:
        """Deliver a contact or meeting request to a company's inbox (R-LEAD-6).

        The sender need not be a user; ``sender_id`` names them if they are.
        """
        check_id(company_id, "company")
        check_optional_id(sender_id, "user")
        check_optional_id(request_id, "request")
        email = normalize_email(sender_email)
        subject = check_name(subject, "subject")
        request_kind = parse_enum(RequestKind, kind, "request kind")
        if sender_id is not None:
            check_id(sender_id, "user")
        if request_id is not None:
            check_id(request_id, "request")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company = self._company(tx, company_id)
            sender = None if sender_id is None else self._user(tx, sender_id).id
            request = InboxRequest(
                id=RequestId(request_id or self._ids("request")),
                company_id=company.id,
                kind=request_kind,
                sender_email=email,
                subject=subject,
                received_at=now,
                sender_id=sender,
            )
            tx.inbox.add(request)
            tx.outbox.append(
                RequestReceived(
                    **stamp(now, sender, company.id),
                    request_id=request.id,
                    kind=request_kind.value,
                    sender_email=email,
                )
            )
            return request

        return self._command(work)

    def inbox(
        self,
        actor_id: str,
        company_id: str,
        *,
        state: RequestState | str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[InboxRequest]:
        """One page of the company's inbox, for every member (R-LEAD-6), ordered by id."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_optional_id(after, "request")
        wanted = None if state is None else parse_enum(RequestState, state, "request state")
        check_count(limit, "limit", 1, MAX_PAGE)
        company, _ = self._member_of(company_id, actor_id, "R-LEAD-6")
        with self._store.reader() as tx:
            found = tx.inbox.of_company(
                company.id,
                state=wanted,
                after=None if after is None else RequestId(after),
                limit=limit + 1,
            )
            return page_of(found, limit, lambda request: request.id)

    def assign_request(
        self, actor_id: str, company_id: str, request_id: str, assignee_id: str | None
    ) -> InboxRequest:
        """Assign an inbox request to a member, or unassign it; any member may (R-LEAD-6)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "request")
        check_optional_id(assignee_id, "user")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company, _ = self._acting(tx, company_id, actor_id, "R-LEAD-6", lock=True)
            request = self._request(tx, company, request_id)
            assignee = self._assignee(tx, company, assignee_id)
            if request.assignee_id == assignee:
                return request
            updated = attrs.evolve(request, assignee_id=assignee)
            tx.inbox.update(updated)
            tx.outbox.append(
                RequestAssigned(
                    **stamp(now, UserId(actor_id), company.id),
                    request_id=request.id,
                    assignee_id=assignee,
                )
            )
            return updated

        return self._command(work)

    def close_request(self, actor_id: str, company_id: str, request_id: str) -> InboxRequest:
        """Mark an inbox request done; any member may (R-LEAD-6)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "request")

        def work(tx: Transaction, now: datetime) -> InboxRequest:
            company, _ = self._acting(tx, company_id, actor_id, "R-LEAD-6")
            request = self._request(tx, company, request_id)
            if request.state is RequestState.DONE:
                return request
            updated = attrs.evolve(request, state=RequestState.DONE)
            tx.inbox.update(updated)
            tx.outbox.append(
                RequestClosed(**stamp(now, UserId(actor_id), company.id), request_id=request.id)
            )
            return updated

        return self._command(work)

    # -- internals ----------------------------------------------------------------------------

    @staticmethod
    def _lead(tx: Transaction, lead_id: str, *, lock: bool = False) -> Lead:
        lead = tx.leads.get(LeadId(check_id(lead_id, "lead")), for_update=lock)
        if lead is None:
            raise UnknownLead(f"unknown lead {lead_id!r}")
        return lead

    @staticmethod
    def _request(tx: Transaction, company: Company, request_id: str) -> InboxRequest:
        request = tx.inbox.get(RequestId(check_id(request_id, "request")), for_update=True)
        if request is None or request.company_id != company.id:
            raise UnknownRequest(f"no request {request_id!r} in the inbox of {company.id!r}")
        return request

    def _assignee(self, tx: Transaction, company: Company, user_id: str | None) -> UserId | None:
        """The assignee, who must be a member: work never leaves the company (R-LEAD-5)."""
        return None if user_id is None else self._membership(tx, company.id, user_id).user_id

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
        raise_if_denied(self._decide_lead(tx, action, company, actor, lead))


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
