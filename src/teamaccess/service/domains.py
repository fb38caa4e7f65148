"""Verified company domains and join requests by domain: ``ta.domains`` (R-DOM-1..4).

A member with ``manage_team`` claims a domain and gets a challenge: a token for a DNS
TXT record (``TXT_PREFIX + token``) or a code for an e-mail to an address at the
domain. The host carries out the proof (publishes and looks up the record, or mails
the code) and passes what it saw to `Domains.verify`; the library does no DNS and no
mail. A verified domain belongs to one company at a time, held by the storage too.
Then the company sets the domain's enrollment mode (R-DOM-2) and people with a
matching address join as it says, at registration (``users.register``); in
``suggest`` mode they ask with `Domains.request_join` and a manager decides (R-DOM-3).

An e-mail change or a released domain never adds or removes a membership; each is an
event (R-DOM-4). Everything a non-member asks of a company is answered ``not_a_member``
whether the company exists or not (R-ALL-9); a suspended company's domains are
refused to its members as every other command is (R-CO-8).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.domain_events import (
    DomainClaimed,
    DomainModeSet,
    DomainReleased,
    DomainVerified,
    JoinRequestApproved,
    JoinRequestDeclined,
    JoinRequested,
)
from teamaccess.domain.domains import (
    DNS_CHALLENGE_TTL,
    EMAIL_CHALLENGE_TTL,
    TXT_PREFIX,
    ChallengeMethod,
    DomainClaim,
    DomainState,
    EnrollmentMode,
    JoinRequest,
    JoinRequestState,
    domain_of,
    normalize_domain,
    require_claimable,
    txt_value,
)
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.models import Company, Membership, hash_token
from teamaccess.errors import (
    AlreadyAMember,
    Conflict,
    DomainNotFound,
    DomainNotVerified,
    DomainProofRejected,
    DomainTaken,
    InvalidInput,
    JoinRequestClosed,
    JoinRequestNotFound,
    NotEligible,
)
from teamaccess.ports import Transaction
from teamaccess.service._authority import join
from teamaccess.service._core import ServiceCore, parse_enum, raise_denied
from teamaccess.service._domain_enrolment import (
    DomainMatch,
    DomainRegistration,
    matching_claim,
)
from teamaccess.service._erasure import live_user, require_not_erased
from teamaccess.service.users import register_user

__all__ = ["DomainChallenge", "Domains"]

_MAX_PROOF = 512  # characters of one TXT string or code looked at
_MAX_TXT_RECORDS = 100


@attrs.frozen
class DomainChallenge:
    """A domain claim with its challenge, returned once to the claimant (R-DOM-1).

    Attributes:
        claim: The stored claim (pending).
        secret: The clear token (DNS) or code (e-mail); only its hash is stored.
        txt_record: For ``dns_txt``: the value to publish in a TXT record at the domain.
        address: For ``email``: the address at the domain the host mails the code to.
        expires_at: When the proof stops being accepted.
    """

    claim: DomainClaim
    secret: str = attrs.field(repr=False)
    txt_record: str | None = attrs.field(default=None, repr=False)
    address: str | None = None

    @property
    def expires_at(self) -> datetime:
        """When the proof stops being accepted."""
        expires = self.claim.challenge_expires_at
        assert expires is not None  # noqa: S101 - a fresh challenge always has one
        return expires


class Domains:
    """Verified company domains and join requests: ``ta.domains``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    # -- claims (R-DOM-1) ------------------------------------------------------

    def claim(
        self,
        actor_id: str,
        company_id: str,
        domain: str,
        *,
        method: str = "dns_txt",
        address: str | None = None,
    ) -> DomainChallenge:
        """Claim a domain for the company and get a challenge; needs ``manage_team``.

        ``method`` ``dns_txt``: publish ``challenge.txt_record`` in a TXT record at the
        domain, valid 7 days. ``email``: mail ``challenge.secret`` to ``address``, which
        must be at the domain, valid 24 hours. Claiming a pending domain again issues a
        new challenge; the old one stops working.

        Raises:
            InvalidDomain: Not a valid domain; ``ConsumerDomain`` for a consumer
                mail provider's (R-DOM-1).
            InvalidInput: Unknown method, or an address missing or not at the domain.
            NotAMember: The actor is no member (also for a missing company, R-ALL-9).
            AccessDenied: The actor lacks ``manage_team``, or the company is suspended.
            DomainTaken: Another company holds the domain verified.
            Conflict: The company holds it verified already.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = require_claimable(normalize_domain(domain), self._core.consumer_domains)
        kind = parse_enum(ChallengeMethod, method, "challenge method")
        to = _challenge_address(kind, name, address)

        def work(tx: Transaction, now: datetime) -> DomainChallenge:
            company = self._manager(tx, company_id, actor_id, "R-DOM-1")
            current = tx.domains.get(company.id, name)
            if current is not None and current.verified:
                raise Conflict(f"{name!r} is verified for company {company.id!r} already")
            _require_free(tx, company.id, name)
            secret = self._core.tokens()
            ttl = DNS_CHALLENGE_TTL if kind is ChallengeMethod.DNS_TXT else EMAIL_CHALLENGE_TTL
            claim = DomainClaim(
                company_id=company.id,
                domain=name,
                state=DomainState.PENDING,
                method=kind,
                challenge_hash=hash_token(secret),
                challenge_address=to,
                challenge_expires_at=now + ttl,
                claimed_by=UserId(actor_id),
                claimed_at=now,
            )
            if current is None:
                tx.domains.add(claim)
            else:
                tx.domains.update(claim)
            tx.outbox.append(
                DomainClaimed(
                    **stamp(now, UserId(actor_id), company.id),
                    domain=name,
                    method=kind.value,
                    expires_at=now + ttl,
                )
            )
            txt = txt_value(secret) if kind is ChallengeMethod.DNS_TXT else None
            return DomainChallenge(claim, secret, txt, to)

        return self._core.command(work)

    def verify(
        self,
        actor_id: str,
        company_id: str,
        domain: str,
        *,
        txt_records: Sequence[str] = (),
        code: str | None = None,
        address: str | None = None,
    ) -> DomainClaim:
        """Confirm a claim with the host's proof; needs ``manage_team`` (R-DOM-1).

        For ``dns_txt`` pass the TXT strings the host found at the domain (any order,
        other records among them are fine); for ``email`` the code the person entered
        and the address the host mailed it to. The library looks up and sends nothing.
        A verified claim stays verified when proved again.

        Raises:
            DomainNotFound: The company has no claim of the domain.
            DomainProofRejected: The proof does not match, or the challenge expired
                (claim again for a new one). Nothing changes.
            DomainTaken: Another company verified the domain first; on a race, the
                storage's unique constraint decides (exactly one owner).
            NotAMember / AccessDenied: As for `claim`.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = normalize_domain(domain)
        records = _txt_records(txt_records)
        if code is not None:
            check_id(code, "verification code", _MAX_PROOF)
        mailed = None if address is None else normalize_email(address)

        def work(tx: Transaction, now: datetime) -> DomainClaim:
            company = self._manager(tx, company_id, actor_id, "R-DOM-1")
            claim = _claim(tx, company.id, name)
            if claim.verified:
                return claim
            _check_proof(claim, now, records, code, mailed)
            _require_free(tx, company.id, name)
            verified = attrs.evolve(
                claim,
                state=DomainState.VERIFIED,
                challenge_hash=None,
                verified_at=now,
                verified_by=UserId(actor_id),
            )
            tx.domains.update(verified)  # the storage's unique constraint: one owner
            tx.outbox.append(
                DomainVerified(**stamp(now, UserId(actor_id), company.id), domain=name)
            )
            return verified

        return self._core.command(work)

    def set_mode(
        self,
        actor_id: str,
        company_id: str,
        domain: str,
        mode: str,
        *,
        default_role: str | None = None,
    ) -> DomainClaim:
        """Choose how people with a matching address join (R-DOM-2).

        ``mode`` is ``manual``, ``suggest``, ``invite`` or ``join``; ``default_role``
        (the service's member role if omitted) is what ``invite`` and ``join`` give.
        Nobody sets a role they may not hand out themselves (R-MEM-9), checked now.

        Raises:
            InvalidInput: Unknown mode; ``UnknownRole`` for an unknown role.
            DomainNotFound / DomainNotVerified: No claim, or not verified yet.
            AccessDenied: No ``manage_team``, or the role is above the actor's (R-MEM-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = normalize_domain(domain)
        chosen = parse_enum(EnrollmentMode, mode, "enrollment mode")
        role = self._core.known_role(default_role)

        def work(tx: Transaction, now: datetime) -> DomainClaim:
            company = self._manager(tx, company_id, actor_id, "R-DOM-2")
            claim = _claim(tx, company.id, name)
            if not claim.verified:
                raise DomainNotVerified(f"{name!r} is not verified yet; verify it first")
            self._core.require_grant(tx, company, actor_id, role)
            changed = attrs.evolve(
                claim, mode=chosen, default_role=role, mode_set_by=UserId(actor_id)
            )
            if changed == claim:
                return claim
            tx.domains.update(changed)
            tx.outbox.append(
                DomainModeSet(
                    **stamp(now, UserId(actor_id), company.id),
                    domain=name,
                    mode=chosen.value,
                    default_role=role,
                )
            )
            return changed

        return self._core.command(work)

    def release(self, actor_id: str, company_id: str, domain: str) -> DomainClaim:
        """Give up a claim, verified or not; needs ``manage_team`` (R-DOM-4).

        Members who joined by the domain stay members; pending join requests stay for
        a manager to decide. Emits ``DomainReleased`` (``was_verified`` says whether the
        domain lost its verification). Returns the claim as it was.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        name = normalize_domain(domain)

        def work(tx: Transaction, now: datetime) -> DomainClaim:
            company = self._manager(tx, company_id, actor_id, "R-DOM-4")
            claim = _claim(tx, company.id, name)
            tx.domains.remove(company.id, name)
            tx.outbox.append(
                DomainReleased(
                    **stamp(now, UserId(actor_id), company.id),
                    domain=name,
                    was_verified=claim.verified,
                )
            )
            return claim

        return self._core.command(work)

    def list(self, actor_id: str, company_id: str) -> Sequence[DomainClaim]:
        """The company's claims, by domain, for members with ``manage_team``.

        An outsider is refused ``not_a_member`` alike for a missing and an existing
        company (R-ALL-9).
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._manager(tx, company_id, actor_id, "R-DOM-1", lock=False)
            return tx.domains.of_company(company.id)

    # -- matching and registration (R-DOM-2, R-DOM-4) -----------------------------

    def matching(self, user_id: str) -> Sequence[DomainMatch]:
        """The companies whose verified domain matches the user's address (R-DOM-2).

        Only domains whose mode is not ``manual``, of open companies the user is not a
        member of; a subdomain does not match its parent's claim (see `teamaccess.domain.domains`).

        Raises:
            UnknownUser: No such user, or they were erased.
        """
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            user = require_not_erased(self._core.user(tx, user_id))
            found = matching_claim(tx, user)
            if found is None:
                return ()
            claim, company = found
            return (DomainMatch(company.id, company.name, claim.domain, claim.mode),)

    def register(
        self,
        user_id: str,
        email: str,
        *,
        attributes: Mapping[str, str] | None = None,
        exist_ok: bool = False,
    ) -> DomainRegistration:
        """``ta.users.register``, returning what the user's domain did (R-DOM-2).

        The same command: the matching company, the membership ``join`` mode gave and
        the invitation ``invite`` mode issued, with its token for the host's link.
        """
        return register_user(self._core, user_id, email, attributes=attributes, exist_ok=exist_ok)

    # -- join requests (R-DOM-3) ------------------------------------------------

    def request_join(self, user_id: str, company_id: str) -> JoinRequest:
        """Ask to join a company whose verified domain in ``suggest`` mode matches you.

        Asking again while a request is pending returns that request.

        Raises:
            UnknownUser: No such user, or they were erased.
            NotAMember: No verified domain of that company suggests it to this user:
                the same answer whether the company exists or not (R-ALL-9), and for a
                suspended or closed company (R-CO-8).
            AlreadyAMember: The user is a member already.
        """
        check_id(user_id, "user")
        check_id(company_id, "company")

        def work(tx: Transaction, now: datetime) -> JoinRequest:
            user = live_user(tx, user_id)
            company = tx.companies.get(CompanyId(company_id), for_update=True)
            domain = domain_of(user.email)
            claim = None if company is None else tx.domains.get(company.id, domain)
            if (
                company is None
                or company.closed_at is not None
                or company.suspended_at is not None
                or claim is None
                or not claim.verified
                or claim.mode is not EnrollmentMode.SUGGEST
            ):
                raise_denied(
                    Decision.deny(
                        Reason.NOT_A_MEMBER,
                        "R-DOM-2",
                        f"no verified domain of {company_id!r} suggests it to {user_id!r}",
                    )
                )
            if tx.memberships.get(company.id, user.id) is not None:
                raise AlreadyAMember(company.id, user.id)
            pending = tx.join_requests.pending(company.id, user.id)
            if pending is not None:
                return pending
            request = JoinRequest(
                id=self._core.ids("join_request"),
                company_id=company.id,
                user_id=user.id,
                domain=domain,
                state=JoinRequestState.PENDING,
                created_at=now,
            )
            tx.join_requests.add(request)
            tx.outbox.append(
                JoinRequested(
                    **stamp(now, user.id, company.id),
                    request_id=request.id,
                    user_id=user.id,
                    domain=domain,
                )
            )
            return request

        return self._core.command(work)

    def requests(self, actor_id: str, company_id: str) -> Sequence[JoinRequest]:
        """The company's join requests, by id, for members with ``manage_team`` (R-DOM-3)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._manager(tx, company_id, actor_id, "R-DOM-3", lock=False)
            return tx.join_requests.of_company(company.id)

    def approve(self, actor_id: str, company_id: str, request_id: str) -> Membership:
        """Approve a join request: the user becomes a member (R-DOM-3).

        Needs ``manage_team``. The role is the domain's default role (the member role
        if the claim is gone), which the approver must be allowed to give (R-MEM-9).

        Raises:
            JoinRequestNotFound: No such request in this company.
            JoinRequestClosed: It was decided or withdrawn already.
            UnknownUser: The user was erased (R-CO-9).
            NotEligible: The host's eligibility predicate refused (R-MEM-4).
            NotAMember / AccessDenied: As for `claim`, or the role is above the approver's.
        """
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "join request")

        def work(tx: Transaction, now: datetime) -> Membership:
            company = self._manager(tx, company_id, actor_id, "R-DOM-3")
            request = _open_request(tx, company.id, request_id)
            user = live_user(tx, request.user_id)
            if tx.memberships.get(company.id, user.id) is not None:
                raise AlreadyAMember(company.id, user.id)
            claim = tx.domains.get(company.id, request.domain)
            role = (claim.default_role if claim is not None else None) or self._core.member_role
            self._core.require_grant(tx, company, actor_id, role)
            if self._core.eligibility is not None:  # as members.add asks it (R-MEM-4)
                verdict = self._core.eligibility(
                    actor=self._core.user(tx, actor_id), candidate=user, company=company
                )
                if not verdict:
                    raise NotEligible(verdict)
            actor = UserId(actor_id)
            tx.join_requests.update(
                attrs.evolve(
                    request, state=JoinRequestState.APPROVED, decided_by=actor, closed_at=now
                )
            )
            tx.outbox.append(
                JoinRequestApproved(
                    **stamp(now, actor, company.id),
                    request_id=request.id,
                    user_id=user.id,
                    role=role,
                )
            )
            return join(tx, now, company, user, role, actor_id=actor)

        return self._core.command(work)

    def decline(self, actor_id: str, company_id: str, request_id: str) -> JoinRequest:
        """Decline a join request; needs ``manage_team`` (R-DOM-3)."""
        check_id(actor_id, "user")
        check_id(company_id, "company")
        check_id(request_id, "join request")

        def work(tx: Transaction, now: datetime) -> JoinRequest:
            company = self._manager(tx, company_id, actor_id, "R-DOM-3")
            request = _open_request(tx, company.id, request_id)
            actor = UserId(actor_id)
            declined = attrs.evolve(
                request, state=JoinRequestState.DECLINED, decided_by=actor, closed_at=now
            )
            tx.join_requests.update(declined)
            tx.outbox.append(
                JoinRequestDeclined(
                    **stamp(now, actor, company.id), request_id=request.id, user_id=request.user_id
                )
            )
            return declined

        return self._core.command(work)

    # -- helpers --------------------------------------------------------------

    def _manager(
        self, tx: Transaction, company_id: str, actor_id: str, rule: str, *, lock: bool = True
    ) -> Company:
        """The open company if the actor is a member with ``manage_team``, else raise.

        An outsider gets ``not_a_member`` for a missing and an existing company alike
        (R-ALL-9); a suspended company is refused to its members (R-CO-8).
        """
        company, _ = self._core.acting(tx, company_id, actor_id, rule, lock=lock)
        decision = self._core.decide(tx, Action.MANAGE_TEAM, company, actor_id)
        if not decision.allowed:
            raise_denied(attrs.evolve(decision, rule=rule))
        return company


def _challenge_address(kind: ChallengeMethod, domain: str, address: str | None) -> str | None:
    if kind is ChallengeMethod.DNS_TXT:
        if address is not None:
            raise InvalidInput("a dns_txt challenge takes no address")
        return None
    if address is None:
        raise InvalidInput("an email challenge needs the address at the domain to mail")
    normalized = normalize_email(address)
    if domain_of(normalized) != domain:
        raise InvalidInput(f"{normalized!r} is not an address at {domain!r}")
    return normalized


def _txt_records(records: object) -> tuple[str, ...]:
    if isinstance(records, str) or not isinstance(records, Sequence):
        raise InvalidInput("txt_records takes a sequence of the TXT strings the host found")
    if len(records) > _MAX_TXT_RECORDS:
        raise InvalidInput(f"at most {_MAX_TXT_RECORDS} TXT records are looked at")
    seen: list[str] = []
    for record in records:
        if not isinstance(record, str):
            raise InvalidInput(f"a TXT record must be a string: {record!r}")
        seen.append(record.strip().strip('"')[:_MAX_PROOF])
    return tuple(seen)


def _check_proof(
    claim: DomainClaim,
    now: datetime,
    records: tuple[str, ...],
    code: str | None,
    mailed: str | None,
) -> None:
    """Raise `DomainProofRejected` unless the host's proof matches the challenge."""
    expected = claim.challenge_hash
    expires = claim.challenge_expires_at
    if expected is None or expires is None or now >= expires:
        when = "" if expires is None else f" at {expires.isoformat()}"
        raise DomainProofRejected(
            f"the challenge for {claim.domain!r} expired{when}; claim it again for a new one"
        )
    if claim.method is ChallengeMethod.DNS_TXT:
        tokens = [r[len(TXT_PREFIX) :] for r in records if r.startswith(TXT_PREFIX)]
        if any(hmac.compare_digest(hash_token(t), expected) for t in tokens):
            return
        raise DomainProofRejected(
            f"no TXT record of {claim.domain!r} holds the value issued for it"
        )
    if (
        code is not None
        and mailed is not None
        and mailed == claim.challenge_address
        and hmac.compare_digest(hash_token(code.strip()), expected)
    ):
        return
    raise DomainProofRejected(
        f"the code or the address does not match the challenge for {claim.domain!r}"
    )


def _require_free(tx: Transaction, company_id: CompanyId, domain: str) -> None:
    owner = tx.domains.verified(domain)
    if owner is not None and owner.company_id != company_id:
        raise DomainTaken(f"{domain!r} is verified by another company")


def _claim(tx: Transaction, company_id: CompanyId, domain: str) -> DomainClaim:
    claim = tx.domains.get(company_id, domain)
    if claim is None:
        raise DomainNotFound(f"company {company_id!r} has no claim of {domain!r}")
    return claim


def _open_request(tx: Transaction, company_id: CompanyId, request_id: str) -> JoinRequest:
    request = tx.join_requests.get(request_id)
    if request is None or request.company_id != company_id:
        raise JoinRequestNotFound(f"no join request {request_id!r} in company {company_id!r}")
    if request.state is not JoinRequestState.PENDING:
        raise JoinRequestClosed(f"join request {request_id!r} is {request.state.value}")
    return request
