"""Verified company domains and join requests (R-DOM-1..4), run against every adapter.

Company ``acme`` (anna: main contact, admin; ben: member) claims ``acme.example``;
company ``other`` (olga) is a second tenant. The host's proof is simulated the way a
host passes it: the TXT strings it found, or the code and the address it mailed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import Decision, InvitationStatus, RolePolicy, Store, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    ConsumerDomain,
    DomainNotFound,
    DomainNotVerified,
    DomainProofRejected,
    DomainTaken,
    InvalidDomain,
    InvalidInput,
    JoinRequestClosed,
    NotAMember,
    NotEligible,
    TeamAccessError,
    UnknownUser,
)
from teamaccess.events import (
    DomainMatched,
    DomainReleased,
    DomainVerified,
    InvitationSent,
    JoinRequestApproved,
    JoinRequestWithdrawn,
    MemberAdded,
)
from teamaccess.testing import FailingStore, FrozenClock, InjectedFailure, dump, make_service
from teamaccess.values import TXT_PREFIX, DomainState, EnrollmentMode, JoinRequestState

DOMAIN = "acme.example"


def _tenants(ta: TeamAccess) -> None:
    for user, email in (
        ("anna", "anna@acme.example"),
        ("ben", "ben@acme.example"),
        ("olga", "olga@other.example"),
        ("root", "root@platform.example"),
    ):
        ta.users.register(user, email)
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.companies.create("olga", "Other AG", company_id="other")


def _verified(ta: TeamAccess, mode: str | None = None, role: str | None = None) -> None:
    challenge = ta.domains.claim("anna", "acme", DOMAIN)
    assert challenge.txt_record is not None
    ta.domains.verify("anna", "acme", DOMAIN, txt_records=["v=spf1 -all", challenge.txt_record])
    if mode is not None:
        ta.domains.set_mode("anna", "acme", DOMAIN, mode, default_role=role)


def _events(ta: TeamAccess) -> list[object]:
    return [m.event for m in ta.outbox.pending(limit=1000)]


def _members(ta: TeamAccess, company_id: str) -> set[str]:
    return {m.user_id for m in ta.members.list("anna", company_id)}


def _refusal(error: BaseException, company_id: str) -> tuple[object, ...]:
    """What an outsider learns from a refusal, with the id they asked about blanked."""
    decision = getattr(error, "decision", None)
    text = str(error).replace(company_id, "<id>")
    return (type(error), getattr(decision, "reason", None), text)


# -- R-DOM-1 -------------------------------------------------------------------------


def test_r_dom_1_dns_claim_verifies_only_with_the_issued_txt_value(ta: TeamAccess) -> None:
    """R-DOM-1: a claim stays pending until the host passes the TXT value the library issued."""
    _tenants(ta)
    challenge = ta.domains.claim("anna", "acme", " ACME.Example. ")
    assert challenge.claim.domain == DOMAIN
    assert challenge.claim.state is DomainState.PENDING
    assert challenge.txt_record == TXT_PREFIX + challenge.secret
    with pytest.raises(DomainProofRejected):
        ta.domains.verify("anna", "acme", DOMAIN, txt_records=[TXT_PREFIX + "guessed"])
    with pytest.raises(DomainProofRejected):
        ta.domains.verify("anna", "acme", DOMAIN, txt_records=[challenge.secret])  # no prefix
    assert [c.state for c in ta.domains.list("anna", "acme")] == [DomainState.PENDING]
    claim = ta.domains.verify(
        "anna", "acme", DOMAIN, txt_records=["google-site-verification=x", challenge.txt_record]
    )
    assert claim.verified
    assert claim.verified_by == "anna"
    assert claim.challenge_hash is None
    assert ta.domains.list("anna", "acme") == [claim]
    assert isinstance(_events(ta)[-1], DomainVerified)


def test_r_dom_1_email_code_proves_with_the_mailed_address(ta: TeamAccess) -> None:
    """R-DOM-1: an e-mail challenge verifies with its code and the address the host mailed."""
    _tenants(ta)
    with pytest.raises(InvalidInput):
        ta.domains.claim("anna", "acme", DOMAIN, method="email", address="it@elsewhere.example")
    with pytest.raises(InvalidInput):
        ta.domains.claim("anna", "acme", DOMAIN, method="email")
    challenge = ta.domains.claim("anna", "acme", DOMAIN, method="email", address="IT@acme.example")
    assert challenge.address == "it@acme.example"
    assert challenge.txt_record is None
    with pytest.raises(DomainProofRejected):
        ta.domains.verify("anna", "acme", DOMAIN, code=challenge.secret, address="x@acme.example")
    with pytest.raises(DomainProofRejected):
        ta.domains.verify("anna", "acme", DOMAIN, code="wrong", address="it@acme.example")
    with pytest.raises(DomainProofRejected):  # a TXT record does not prove an e-mail claim
        ta.domains.verify("anna", "acme", DOMAIN, txt_records=[TXT_PREFIX + challenge.secret])
    claim = ta.domains.verify(
        "anna", "acme", DOMAIN, code=challenge.secret, address="it@acme.example"
    )
    assert claim.verified


def test_r_dom_1_challenges_expire(ta: TeamAccess, clock: FrozenClock) -> None:
    """R-DOM-1: a DNS token works for 7 days, an e-mail code for 24 hours; then a new claim."""
    _tenants(ta)
    dns = ta.domains.claim("anna", "acme", DOMAIN)
    assert dns.expires_at == dns.claim.claimed_at + timedelta(days=7)
    clock.advance(days=7)
    with pytest.raises(DomainProofRejected, match="expired"):
        ta.domains.verify("anna", "acme", DOMAIN, txt_records=[dns.txt_record or ""])
    mail = ta.domains.claim("anna", "acme", DOMAIN, method="email", address="it@acme.example")
    with pytest.raises(DomainProofRejected):  # the new challenge voids the old token
        ta.domains.verify("anna", "acme", DOMAIN, txt_records=[dns.txt_record or ""])
    clock.advance(hours=24)
    with pytest.raises(DomainProofRejected, match="expired"):
        ta.domains.verify("anna", "acme", DOMAIN, code=mail.secret, address="it@acme.example")
    again = ta.domains.claim("anna", "acme", DOMAIN, method="email", address="it@acme.example")
    assert ta.domains.verify(
        "anna", "acme", DOMAIN, code=again.secret, address="it@acme.example"
    ).verified


def test_r_dom_1_only_the_hash_of_a_challenge_is_stored(ta: TeamAccess, store: Store) -> None:
    """R-DOM-1: the clear token appears nowhere in the store or the outbox."""
    _tenants(ta)
    challenge = ta.domains.claim("anna", "acme", DOMAIN)
    state = repr(dump(store))
    assert challenge.secret not in state
    assert challenge.claim.challenge_hash in state
    assert challenge.secret not in repr(challenge)


def test_r_dom_1_one_verified_company_per_domain(ta: TeamAccess, store: Store) -> None:
    """R-DOM-1: once acme holds the domain verified, another company can neither claim nor verify it."""
    _tenants(ta)
    theirs = ta.domains.claim("olga", "other", DOMAIN)  # pending claims may coexist
    _verified(ta)
    before = dump(store)
    with pytest.raises(DomainTaken) as caught:
        ta.domains.verify("olga", "other", DOMAIN, txt_records=[theirs.txt_record or ""])
    assert str(caught.value) == "'acme.example' is verified by another company"  # no owner
    with pytest.raises(DomainTaken):
        ta.domains.claim("olga", "other", DOMAIN)
    assert dump(store) == before
    ta.domains.release("anna", "acme", DOMAIN)
    again = ta.domains.claim("olga", "other", DOMAIN)
    assert ta.domains.verify("olga", "other", DOMAIN, txt_records=[again.txt_record or ""]).verified


def test_r_dom_1_consumer_domains_are_never_claimable(store: Store, clock: FrozenClock) -> None:
    """R-DOM-1: shipped consumer domains and the host's own additions are refused, in any spelling."""
    ta = make_service(store, clock=clock, consumer_domains=["Mail.Corp-Free.Example"])
    _tenants(ta)
    for domain in ("gmail.com", " GMAIL.com. ", "web.de", "t-online.de", "mail.corp-free.example"):
        with pytest.raises(ConsumerDomain):
            ta.domains.claim("anna", "acme", domain)
    assert ta.domains.list("anna", "acme") == []
    with pytest.raises(InvalidDomain):
        make_service(store, consumer_domains="gmail.com")


def test_r_dom_1_domains_are_normalized_with_idna_2008(ta: TeamAccess) -> None:
    """R-DOM-1: a domain is compared in its IDNA 2008 form, as e-mail domains are (R-INV-4)."""
    _tenants(ta)
    challenge = ta.domains.claim("anna", "acme", "Bücher.Example")
    assert challenge.claim.domain == "xn--bcher-kva.example"
    ta.domains.verify(
        "anna", "acme", "xn--bcher-kva.example", txt_records=[challenge.txt_record or ""]
    )
    ta.domains.set_mode("anna", "acme", "BÜCHER.example", "join")
    ta.users.register("lena", "Lena@bücher.EXAMPLE")
    assert "lena" in _members(ta, "acme")
    for bad in ("", "localhost", "exa mple.com", "a..b", "anna@acme.example", "-x.example"):
        with pytest.raises(InvalidDomain):
            ta.domains.claim("anna", "acme", bad)


def test_r_dom_1_a_subdomain_does_not_match_its_parent(ta: TeamAccess) -> None:
    """R-DOM-1: a claim of acme.example does not match eng.acme.example (documented choice)."""
    _tenants(ta)
    _verified(ta, "join")
    ta.users.register("eng", "eng@eng.acme.example")
    assert "eng" not in _members(ta, "acme")
    assert ta.domains.matching("eng") == ()


def test_r_dom_1_only_team_managers_claim_and_outsiders_learn_nothing(ta: TeamAccess) -> None:
    """R-DOM-1, R-ALL-9: a plain member is denied; an outsider gets the same answer for any company."""
    _tenants(ta)
    with pytest.raises(AccessDenied) as caught:
        ta.domains.claim("ben", "acme", DOMAIN)
    assert caught.value.decision.rule == "R-DOM-1"
    with pytest.raises(AccessDenied):
        ta.domains.list("ben", "acme")
    answers = []
    for company_id in ("acme", "no-such-company"):
        for call in (
            lambda c: ta.domains.claim("olga", c, DOMAIN),
            lambda c: ta.domains.list("olga", c),
            lambda c: ta.domains.requests("olga", c),
        ):
            with pytest.raises(NotAMember) as refused:
                call(company_id)
            answers.append(_refusal(refused.value, company_id))
    assert answers[:3] == answers[3:]


_CLAIMANTS = (("anna", "acme"), ("olga", "other"))
_DOMAINS = ("one.example", "two.example")
_domain_steps = st.tuples(
    st.sampled_from(("claim", "verify", "release")),
    st.sampled_from(range(len(_CLAIMANTS))),
    st.sampled_from(_DOMAINS),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=st.lists(_domain_steps, max_size=12))
def test_r_dom_1_at_most_one_verified_owner_after_any_history(store_factory, steps) -> None:
    """R-DOM-1: any history of claims, verifications and releases keeps one owner per domain, as a model says."""
    ta = make_service(store_factory())
    _tenants(ta)
    owner: dict[str, str] = {}  # the model: domain -> verified company
    pending: dict[tuple[str, str], str] = {}  # (company, domain) -> its TXT value
    for op, who, domain in steps:
        actor, company = _CLAIMANTS[who]
        refused: TeamAccessError | None = None
        try:
            if op == "claim":
                issued = ta.domains.claim(actor, company, domain)
                pending[company, domain] = issued.txt_record or ""
            elif op == "verify":
                proof = [pending.get((company, domain), "")]
                ta.domains.verify(actor, company, domain, txt_records=proof)
            else:
                ta.domains.release(actor, company, domain)
        except TeamAccessError as error:
            refused = error
        if refused is not None:
            unclaimed = (company, domain) not in pending and owner.get(domain) != company
            assert (
                (op == "claim" and domain in owner)
                or (op != "claim" and unclaimed)
                or (op == "verify" and owner.get(domain, company) != company)
            ), (op, company, domain, refused)
            continue
        if op == "verify":
            owner[domain] = company
        elif op == "release":
            pending.pop((company, domain), None)
            if owner.get(domain) == company:
                del owner[domain]
        verified = {(c.company_id, c.domain) for c in dump(ta.store).domains if c.verified}
        assert verified == {(c, d) for d, c in owner.items()}


# -- R-DOM-2 -------------------------------------------------------------------------


def test_r_dom_2_join_mode_adds_the_member_at_registration(ta: TeamAccess) -> None:
    """R-DOM-2: in join mode a matching user becomes a member with the default role, with events."""
    _tenants(ta)
    _verified(ta, "join")
    registration = ta.domains.register("cleo", "Cleo@ACME.example")
    assert registration.membership is not None
    assert registration.membership.role == "member"
    assert [m.company_id for m in registration.matches] == ["acme"]
    assert "cleo" in _members(ta, "acme")
    kinds = [type(e) for e in _events(ta)[-2:]]
    assert kinds == [DomainMatched, MemberAdded]
    ta.users.register("dan", "dan@acme.example")  # the plain register does the same
    assert "dan" in _members(ta, "acme")


def test_r_dom_2_join_mode_never_makes_a_newcomer_main_contact(ta: TeamAccess) -> None:
    """R-DOM-2, R-MC-1: a company whose members all left takes nobody in by its domain."""
    _tenants(ta)
    _verified(ta, "join")
    ta.members.remove("anna", "acme", "ben")
    ta.members.remove("anna", "acme", "anna")
    registration = ta.domains.register("cleo", "cleo@acme.example")
    assert registration.membership is None
    assert ta.members.main_contact("acme") is None


def test_r_dom_2_invite_mode_issues_an_invitation(ta: TeamAccess) -> None:
    """R-DOM-2: in invite mode registration issues an invitation, from the member who chose it."""
    _tenants(ta)
    _verified(ta, "invite", role="admin")
    registration = ta.domains.register("cleo", "cleo@acme.example")
    assert registration.membership is None
    invitation = registration.invitation
    assert invitation is not None
    assert invitation.role == "admin"
    assert invitation.invited_by == "anna"
    assert invitation.status is InvitationStatus.PENDING
    assert isinstance(_events(ta)[-1], InvitationSent)
    assert "cleo" not in _members(ta, "acme")
    assert registration.token is not None
    assert ta.invitations.accept("cleo", registration.token).role == "admin"


def test_r_dom_2_suggest_mode_shows_the_company(ta: TeamAccess) -> None:
    """R-DOM-2: in suggest mode the user is shown the company and nothing else happens."""
    _tenants(ta)
    _verified(ta, "suggest")
    registration = ta.domains.register("cleo", "cleo@acme.example")
    assert registration.membership is None
    assert registration.invitation is None
    (match,) = ta.domains.matching("cleo")
    assert (match.company_id, match.company_name, match.mode) == (
        "acme",
        "ACME GmbH",
        EnrollmentMode.SUGGEST,
    )
    assert ta.domains.matching("anna") == ()  # members are not shown their own company


def test_r_dom_2_manual_mode_does_nothing(ta: TeamAccess) -> None:
    """R-DOM-2: a verified domain in manual mode (the default) neither suggests nor adds."""
    _tenants(ta)
    _verified(ta)
    registration = ta.domains.register("cleo", "cleo@acme.example")
    assert registration.matches == ()
    assert registration.membership is None
    assert ta.domains.matching("cleo") == ()
    assert not any(isinstance(e, DomainMatched) for e in _events(ta))


def test_r_dom_2_mode_needs_a_verified_domain(ta: TeamAccess) -> None:
    """R-DOM-2: a pending or unknown claim has no mode."""
    _tenants(ta)
    ta.domains.claim("anna", "acme", DOMAIN)
    with pytest.raises(DomainNotVerified):
        ta.domains.set_mode("anna", "acme", DOMAIN, "join")
    with pytest.raises(DomainNotFound):
        ta.domains.set_mode("anna", "acme", "unclaimed.example", "join")
    with pytest.raises(InvalidInput):
        ta.domains.set_mode("anna", "acme", DOMAIN, "automatic")


def test_r_dom_2_default_role_obeys_r_mem_9(store: Store, clock: FrozenClock) -> None:
    """R-DOM-2, R-MEM-9: nobody sets a default role holding a permission they lack."""
    policy = RolePolicy(
        {
            "owner": {"manage_team", "billing"},
            "admin": {"manage_team"},
            "member": set(),
        }
    )
    ta = make_service(store, clock=clock, policy=policy, founder_role="owner")
    _tenants(ta)
    ta.members.add("anna", "acme", "olga", role="admin")
    _verified(ta)
    with pytest.raises(AccessDenied) as caught:
        ta.domains.set_mode("olga", "acme", DOMAIN, "join", default_role="owner")
    assert caught.value.decision.rule == "R-MEM-9"
    with pytest.raises(AccessDenied):
        ta.domains.set_mode("ben", "acme", DOMAIN, "join")
    assert ta.domains.set_mode("olga", "acme", DOMAIN, "join", default_role="admin").mode == "join"
    assert ta.domains.set_mode("anna", "acme", DOMAIN, "join", default_role="owner").mode == "join"


def test_r_dom_2_join_at_registration_is_one_transaction(store: Store, clock: FrozenClock) -> None:
    """R-DOM-2, R-ALL-3: a failure at any write of a join-mode registration leaves nothing."""
    if getattr(store, "is_async", False):
        pytest.skip("FailingStore wraps synchronous stores")
    ta = make_service(store, clock=clock)
    _tenants(ta)
    _verified(ta, "join")
    failing = FailingStore(store, fail_after=None)
    service = make_service(failing, clock=clock)
    before = dump(store)
    fail_after = 1
    while True:
        failing.fail_after = fail_after
        try:
            service.users.register("cleo", "cleo@acme.example")
        except InjectedFailure:
            assert dump(store) == before, f"write {fail_after} left a trace"
            fail_after += 1
            continue
        break
    assert fail_after > 3  # user, its event, the match, the membership...
    assert "cleo" in _members(ta, "acme")


def test_r_dom_2_suspended_company_adds_and_suggests_nobody(
    store: Store, clock: FrozenClock
) -> None:
    """R-DOM-2, R-CO-8: while acme is suspended its join, invite and suggest modes do nothing."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    _tenants(ta)
    _verified(ta, "join")
    ta.companies.suspend("root", "acme", reason="unpaid")
    registration = ta.domains.register("cleo", "cleo@acme.example")
    assert registration.membership is None
    assert registration.matches == ()
    with pytest.raises(AccessDenied):
        ta.domains.set_mode("anna", "acme", DOMAIN, "suggest")
    ta.companies.resume("root", "acme")
    ta.domains.set_mode("anna", "acme", DOMAIN, "suggest")
    ta.users.register("dan", "dan@acme.example")
    ta.companies.suspend("root", "acme", reason="unpaid")
    assert ta.domains.matching("dan") == ()
    with pytest.raises(NotAMember):
        ta.domains.request_join("dan", "acme")


def test_r_dom_2_join_mode_and_approval_ask_the_hosts_eligibility(
    store: Store, clock: FrozenClock
) -> None:
    """R-DOM-2, R-MEM-4: nobody the host's predicate refuses joins by a domain or an approval."""

    def only_listed(*, actor, candidate, company):
        allowed = candidate.attributes.get("networking") == "on"
        return (
            Decision.allow("eligible", "R-MEM-4")
            if allowed
            else Decision.deny("networking_off", "R-MEM-4")
        )

    setup = make_service(store, clock=clock)
    _tenants(setup)
    _verified(setup, "join")
    ta = make_service(store, clock=clock, eligibility=only_listed)
    assert ta.domains.register("cleo", "cleo@acme.example").membership is None
    joined = ta.domains.register("dan", "dan@acme.example", attributes={"networking": "on"})
    assert joined.membership is not None
    ta.domains.set_mode("anna", "acme", DOMAIN, "suggest")
    request = ta.domains.request_join("cleo", "acme")
    with pytest.raises(NotEligible):
        ta.domains.approve("anna", "acme", request.id)


# -- R-DOM-3 -------------------------------------------------------------------------


def test_r_dom_3_manager_approves_a_join_request(ta: TeamAccess) -> None:
    """R-DOM-3: a member with manage_team approves; the membership comes with its events."""
    _tenants(ta)
    _verified(ta, "suggest", role="admin")
    ta.users.register("cleo", "cleo@acme.example")
    request = ta.domains.request_join("cleo", "acme")
    assert request.state is JoinRequestState.PENDING
    assert ta.domains.request_join("cleo", "acme") == request  # asking again: the same
    with pytest.raises(AccessDenied) as caught:
        ta.domains.approve("ben", "acme", request.id)
    assert caught.value.decision.rule == "R-DOM-3"
    membership = ta.domains.approve("anna", "acme", request.id)
    assert membership.role == "admin"
    kinds = [type(e) for e in _events(ta)[-2:]]
    assert kinds == [JoinRequestApproved, MemberAdded]
    (stored,) = ta.domains.requests("anna", "acme")
    assert stored.state is JoinRequestState.APPROVED
    assert stored.decided_by == "anna"
    with pytest.raises(JoinRequestClosed):
        ta.domains.approve("anna", "acme", request.id)


def test_r_dom_3_declined_request_adds_nobody(ta: TeamAccess) -> None:
    """R-DOM-3: a declined request is closed and gives no membership."""
    _tenants(ta)
    _verified(ta, "suggest")
    ta.users.register("cleo", "cleo@acme.example")
    request = ta.domains.request_join("cleo", "acme")
    with pytest.raises(AccessDenied):
        ta.domains.decline("ben", "acme", request.id)
    declined = ta.domains.decline("anna", "acme", request.id)
    assert declined.state is JoinRequestState.DECLINED
    assert "cleo" not in _members(ta, "acme")
    with pytest.raises(JoinRequestClosed):
        ta.domains.approve("anna", "acme", request.id)


def test_r_dom_3_request_ends_when_the_person_joins_another_way(ta: TeamAccess) -> None:
    """R-DOM-3: joining by an add (or invitation) withdraws the pending request, with its event."""
    _tenants(ta)
    _verified(ta, "suggest")
    ta.users.register("cleo", "cleo@acme.example")
    request = ta.domains.request_join("cleo", "acme")
    ta.members.add("anna", "acme", "cleo")
    assert isinstance(_events(ta)[-1], JoinRequestWithdrawn)
    (stored,) = ta.domains.requests("anna", "acme")
    assert stored.id == request.id
    assert stored.state is JoinRequestState.WITHDRAWN
    with pytest.raises(JoinRequestClosed):
        ta.domains.approve("anna", "acme", request.id)


def test_r_dom_3_only_a_suggesting_domain_takes_requests(ta: TeamAccess) -> None:
    """R-DOM-3, R-ALL-9: without a matching suggest domain the answer is the same for any company."""
    _tenants(ta)
    _verified(ta, "join")
    ta.users.register("cleo", "cleo@acme.example")  # joined by the join mode
    ta.users.register("nina", "nina@nowhere.example")
    answers = []
    for company_id in ("acme", "other", "no-such-company"):
        with pytest.raises(NotAMember) as refused:
            ta.domains.request_join("nina", company_id)
        answers.append(_refusal(refused.value, company_id))
    assert answers[0] == answers[1] == answers[2]


def test_r_dom_3_erasure_takes_the_join_requests(store: Store, clock: FrozenClock) -> None:
    """R-DOM-3, R-CO-9: an erased person's join requests go with them; they cannot ask again."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    _tenants(ta)
    _verified(ta, "suggest")
    ta.users.register("cleo", "cleo@acme.example")
    request = ta.domains.request_join("cleo", "acme")
    exported = ta.privacy.export("cleo", "cleo")["join_requests"]
    assert [(r["id"], r["state"]) for r in exported] == [(request.id, "pending")]
    ta.privacy.erase("root", "cleo")
    assert ta.domains.requests("anna", "acme") == []
    with pytest.raises(UnknownUser):
        ta.domains.request_join("cleo", "acme")


def test_r_dom_1_erasure_voids_a_code_mailed_to_the_person(
    store: Store, clock: FrozenClock
) -> None:
    """R-DOM-1, R-CO-9: an e-mail challenge sent to an erased person's address keeps no trace of it."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    _tenants(ta)
    ta.users.register("cleo", "cleo@other.example")
    ta.members.add("olga", "other", "cleo")
    sent = ta.domains.claim("olga", "other", "other.example", method="email",
                            address="cleo@other.example")  # fmt: skip
    ta.privacy.erase("root", "cleo")
    assert "cleo@other.example" not in repr(dump(store))
    with pytest.raises(DomainProofRejected):
        ta.domains.verify("olga", "other", "other.example", code=sent.secret,
                          address="cleo@other.example")  # fmt: skip


def test_r_dom_1_a_merge_hands_the_verified_domain_to_the_target(
    store: Store, clock: FrozenClock
) -> None:
    """R-DOM-1, R-CO-2: merging acme into other moves its verified domain; no closed company keeps it."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    _tenants(ta)
    _verified(ta, "suggest")
    ta.users.register("cleo", "cleo@acme.example")
    request = ta.domains.request_join("cleo", "acme")
    ta.lifecycle.merge("root", "acme", "other")
    assert ta.domains.list("olga", "other")[0].domain == DOMAIN
    assert ta.domains.list("olga", "other")[0].verified
    withdrawn = [e for e in _events(ta) if isinstance(e, JoinRequestWithdrawn)]
    assert [e.request_id for e in withdrawn] == [request.id]
    ta.domains.set_mode("olga", "other", DOMAIN, "join")
    ta.users.register("dan", "dan@acme.example")
    assert "dan" in {m.user_id for m in ta.members.list("olga", "other")}


# -- R-DOM-4 -------------------------------------------------------------------------


def test_r_dom_4_email_change_only_reports(ta: TeamAccess) -> None:
    """R-DOM-4: moving to a join-mode domain adds nothing, leaving one removes nothing; an event says so."""
    _tenants(ta)
    _verified(ta, "join")
    ta.users.register("olaf", "olaf@other.example")
    ta.users.change_email("olaf", "olaf@acme.example")
    assert "olaf" not in _members(ta, "acme")
    event = _events(ta)[-1]
    assert isinstance(event, DomainMatched)
    assert (event.user_id, event.company_id, event.cause) == ("olaf", "acme", "email_changed")
    ta.users.change_email("ben", "ben@elsewhere.example")
    assert "ben" in _members(ta, "acme")


def test_r_dom_4_release_keeps_members(ta: TeamAccess) -> None:
    """R-DOM-4: a domain losing its verification removes nobody and is reported as an event."""
    _tenants(ta)
    _verified(ta, "join")
    ta.users.register("cleo", "cleo@acme.example")
    released = ta.domains.release("anna", "acme", DOMAIN)
    assert released.verified
    event = _events(ta)[-1]
    assert isinstance(event, DomainReleased)
    assert event.was_verified
    assert {"anna", "ben", "cleo"} <= _members(ta, "acme")
    ta.users.register("dan", "dan@acme.example")
    assert "dan" not in _members(ta, "acme")
    with pytest.raises(DomainNotFound):
        ta.domains.release("anna", "acme", DOMAIN)
