"""What a verified domain does when a user registers or changes their e-mail (R-DOM-2, R-DOM-4).

Both run inside the registering (or changing) command, so a membership given in
``join`` mode, an invitation issued in ``invite`` mode and the events commit with the
user or not at all (R-ALL-3). A suspended or closed company adds and invites nobody
(R-CO-8, R-CO-3), and is not suggested.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action
from teamaccess.domain.domain_events import DomainMatched
from teamaccess.domain.domains import DomainClaim, EnrollmentMode, JoinRequestState, domain_of
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company, Invitation, Membership, User
from teamaccess.domain.policy import decide, decide_grant
from teamaccess.ports import Transaction
from teamaccess.service._authority import join, withdraw_join_request
from teamaccess.service._core import ServiceCore
from teamaccess.service.invitations import issue_invitation

__all__ = [
    "DomainMatch",
    "DomainRegistration",
    "enroll_by_domain",
    "matching_claim",
    "move_domains",
]


@attrs.frozen
class DomainMatch:
    """A company whose verified domain matches a user's address (R-DOM-2).

    Attributes:
        company_id: The company.
        company_name: Its name, to show the user.
        domain: The matching domain.
        mode: The domain's enrollment mode (never ``manual``).
    """

    company_id: str
    company_name: str
    domain: str
    mode: EnrollmentMode


@attrs.frozen
class DomainRegistration:
    """What registering a user did by domain: ``ta.domains.register`` returns it.

    Attributes:
        user: The registered user.
        matches: The companies whose verified domain matches the address (at most one,
            a domain being verified for one company); empty in ``manual`` mode.
        membership: The membership given in ``join`` mode, else ``None``.
        invitation: The invitation issued in ``invite`` mode, else ``None``.
        token: The clear token of that invitation, for the host's link; stored nowhere.
    """

    user: User
    matches: tuple[DomainMatch, ...] = ()
    membership: Membership | None = None
    invitation: Invitation | None = None
    token: str | None = attrs.field(default=None, repr=False)


def matching_claim(tx: Transaction, user: User) -> tuple[DomainClaim, Company] | None:
    """The verified, non-manual claim of the user's domain and its open company, or ``None``.

    A closed or suspended company matches nobody (R-CO-3, R-CO-8), nor does a company
    the user is a member of already.
    """
    claim = tx.domains.verified(domain_of(user.email))
    if claim is None or claim.mode is EnrollmentMode.MANUAL:
        return None
    company = tx.companies.get(claim.company_id)
    if company is None or company.closed_at is not None or company.suspended_at is not None:
        return None
    if tx.memberships.get(company.id, user.id) is not None:
        return None
    return claim, company


def enroll_by_domain(
    core: ServiceCore, tx: Transaction, now: datetime, user: User, *, cause: str
) -> DomainRegistration:
    """Report the user's matching company, and at registration act on its mode.

    ``cause`` ``registered``: ``join`` adds the membership with the domain's default
    role (if the host's eligibility predicate, asked for the member who chose the mode,
    allows it, R-MEM-4), ``invite`` issues an invitation from the member who set the mode (if they
    may still invite with that role, R-MEM-9), ``suggest`` only reports. Any other
    cause (an e-mail change) only reports (R-DOM-4). Each match is a ``DomainMatched``.
    """
    found = matching_claim(tx, user)
    if found is None:
        return DomainRegistration(user)
    claim, company = found
    # lock the company as every command adding to it does, and look at it again
    locked = tx.companies.get(company.id, for_update=True)
    if locked is None or locked.suspended_at is not None or locked.closed_at is not None:
        return DomainRegistration(user)
    match = DomainMatch(company.id, locked.name, claim.domain, claim.mode)
    tx.outbox.append(
        DomainMatched(
            **stamp(now, user.id, company.id),
            user_id=user.id,
            domain=claim.domain,
            mode=claim.mode.value,
            cause=cause,
        )
    )
    registration = DomainRegistration(user, (match,))
    if cause != "registered":
        return registration
    role = claim.default_role or core.member_role
    if claim.mode is EnrollmentMode.JOIN:
        if tx.memberships.count(locked.id) == 0 or not _eligible(core, tx, locked, claim, user):
            # a company nobody is left in would make the newcomer its main contact
            # (R-MC-1); the host's predicate refused (R-MEM-4): either is reported only
            return registration
        membership = join(tx, now, locked, user, role, actor_id=user.id)
        return attrs.evolve(registration, membership=membership)
    if claim.mode is EnrollmentMode.INVITE:
        return _invite(core, tx, now, locked, claim, user, role, registration)
    return registration


def _eligible(
    core: ServiceCore, tx: Transaction, company: Company, claim: DomainClaim, user: User
) -> bool:
    """The host's eligibility predicate (R-MEM-4), asked for the member who chose the mode."""
    if core.eligibility is None:
        return True
    chooser = tx.users.get(claim.mode_set_by or claim.claimed_by)
    if chooser is None:
        return False
    return bool(core.eligibility(actor=chooser, candidate=user, company=company))


def _invite(
    core: ServiceCore,
    tx: Transaction,
    now: datetime,
    company: Company,
    claim: DomainClaim,
    user: User,
    role: str,
    registration: DomainRegistration,
) -> DomainRegistration:
    """Issue an invitation as the member who chose ``invite`` mode, by ``send``'s own path."""
    issuer_id = claim.mode_set_by or claim.claimed_by
    issuer = tx.memberships.get(company.id, issuer_id)
    may = decide(Action.INVITE, company=company, actor=issuer, policy=core.policy)
    if may.allowed:
        may = decide_grant(
            issuer, role, policy=core.policy, default_role=core.member_role, company=company
        )
    if not may.allowed or tx.invitations.pending_for(company.id, user.email) is not None:
        return registration  # nobody vouches for the role any more, or one is open already
    issued = issue_invitation(core, tx, now, company, issuer_id, user.email, role)
    return attrs.evolve(registration, invitation=issued.invitation, token=issued.token)


def move_domains(
    tx: Transaction, now: datetime, actor_id: UserId, source_id: CompanyId, target_id: CompanyId
) -> None:
    """A merge (R-CO-2) hands the source's domain claims to the target.

    Run after the members moved. A claim the target has too stays the target's,
    unless only the source's is verified. The source's pending join requests end
    (the person may ask the target), and so do the target's of people who are its
    members now (R-DOM-3); each with ``JoinRequestWithdrawn``.
    """
    for request in tx.join_requests.of_company(source_id):
        if request.state is JoinRequestState.PENDING:
            withdraw_join_request(tx, now, actor_id, source_id, request.user_id)
    for request in tx.join_requests.of_company(target_id):
        if (
            request.state is JoinRequestState.PENDING
            and tx.memberships.get(target_id, request.user_id) is not None
        ):
            withdraw_join_request(tx, now, actor_id, target_id, request.user_id)
    for claim in tx.domains.of_company(source_id):
        tx.domains.remove(source_id, claim.domain)
        theirs = tx.domains.get(target_id, claim.domain)
        if theirs is not None and (theirs.verified or not claim.verified):
            continue
        if theirs is not None:
            tx.domains.remove(target_id, claim.domain)
        tx.domains.add(attrs.evolve(claim, company_id=target_id))
