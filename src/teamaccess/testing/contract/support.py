"""Support access for platform staff, R-SUP-1..3, run against every adapter.

Staff reach a company only through a support grant the company approved (R-SUP-1);
under it every decision and event names the grant, and it never hands out access
(R-SUP-2); the company lists and ends its grants at any time, with effect at once
(R-SUP-3). The grant is time-bound like every other (R-TIME-1, R-TIME-2) and is
something the company owns: suspension reaches it (R-CO-8), erasure ends it (R-CO-7).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from teamaccess import CompanySettings, TeamAccess
from teamaccess.domain.decisions import ActingAs
from teamaccess.domain.support import FORBIDDEN_SUPPORT_ACTIONS, SupportGrant, SupportStatus
from teamaccess.errors import (
    AccessDenied,
    CompanyClosed,
    InvalidDuration,
    InvalidInput,
    InvalidName,
    NotAMember,
    SupportActionForbidden,
    SupportGrantClosed,
    TeamAccessError,
    UnknownSupportGrant,
)
from teamaccess.events import (
    CompanyProfileUpdated,
    SupportAccessApproved,
    SupportAccessDeclined,
    SupportAccessEnded,
    SupportAccessExpired,
    SupportAccessRequested,
    event_to_dict,
)
from teamaccess.testing import FrozenClock, dump, in_transaction, make_service

STAFF = {"sam", "sue"}
ADMINS = {"ops", "ivy"}
LOOK = ["view_members", "open_backoffice", "edit_profile"]
ACTIONS = [*LOOK, "invite", "view_overview"]


def _service(store: Any, clock: FrozenClock, **options: Any) -> TeamAccess:
    """acme: anna (main contact), ben (member), carl (admin); beta lets platform admins approve.

    sam and sue are support staff, ops and ivy platform admins, eve an outsider.
    """
    ta = make_service(store, clock=clock, support_staff=STAFF, platform_admins=ADMINS, **options)
    for user in ("anna", "ben", "carl", "eve", *sorted(STAFF), *sorted(ADMINS)):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.members.add("anna", "acme", "carl", role="admin")
    allows = CompanySettings(support_approval_by_platform=True)
    ta.companies.create("anna", "Beta AG", company_id="beta", settings=allows)
    return ta


def _granted(ta: TeamAccess, permissions: list[str] | None = None, **kw: Any) -> SupportGrant:
    grant = ta.support.request(
        "sam", "acme", reason="ticket 4711: invoices missing",
        permissions=permissions or LOOK, **kw,
    )  # fmt: skip
    return ta.support.approve("anna", grant.id)


def _events(ta: TeamAccess, kind: type | None = None) -> list[Any]:
    events = [m.event for m in ta.outbox.pending(limit=1000)]
    return events if kind is None else [e for e in events if isinstance(e, kind)]


def _fields(decision: Any, company_id: str = "acme") -> tuple[Any, ...]:
    detail = decision.detail.replace(repr(company_id), "'<company>'")
    return (decision.allowed, decision.reason, decision.rule, detail, decision.acting_as)


def _outcome(call: Any) -> tuple[str, str]:
    try:
        call()
    except TeamAccessError as error:
        return type(error).__name__, str(error)
    return "ok", ""


# -- R-SUP-1: no grant, no sight -------------------------------------------------------


def test_r_sup_1_staff_without_grant_are_denied_exactly_like_an_outsider(store, clock) -> None:
    """R-SUP-1, R-ALL-9: staff and platform admins without a grant get the outsider's Decision, the same for an existing and a missing company, before a request, while it waits and after it was declined."""
    ta = _service(store, clock)

    def same_as_outsider() -> None:
        for action in ACTIONS:
            outsider = _fields(ta.check("eve", "acme", action))
            for who in ("sam", "ops"):
                assert _fields(ta.check(who, "acme", action)) == outsider, (who, action)
                missing = ta.check(who, "ghost", action)
                assert _fields(missing, "ghost") == outsider, (who, action)
        assert _outcome(lambda: ta.companies.update_profile("sam", "acme", name="X")) == (
            _outcome(lambda: ta.companies.update_profile("eve", "acme", name="X"))
        )

    same_as_outsider()
    waiting = ta.support.request("sam", "acme", reason="ticket 1", permissions=LOOK)
    same_as_outsider()
    ta.support.decline("anna", waiting.id)
    same_as_outsider()


def test_r_sup_1_only_staff_request_and_outsiders_learn_nothing(store, clock) -> None:
    """R-SUP-1, R-ALL-9: a non-staff caller is refused the same way for an existing and a missing company, and nothing changes."""
    ta = _service(store, clock)
    before = dump(ta.store)
    answers = {
        company: _outcome(
            lambda company=company: ta.support.request(
                "eve", company, reason="let me in", permissions=LOOK
            )
        )
        for company in ("acme", "ghost")
    }
    assert answers["acme"] == answers["ghost"]
    assert answers["acme"][0] == "AccessDenied"
    with pytest.raises(AccessDenied):  # a member is no staff either
        ta.support.request("ben", "acme", reason="x", permissions=LOOK)
    assert dump(ta.store) == before


def test_r_sup_1_approved_grant_allows_its_actions_with_acting_as(store, clock) -> None:
    """R-SUP-1, R-SUP-2: after the main contact approves, the check allows the grant's actions with reason support_grant, rule R-SUP-1 and acting_as; other actions stay denied, also with acting_as."""
    ta = _service(store, clock)
    requested = ta.support.request(
        "sam", "acme", reason="ticket 4711", permissions=["view_members"],
        duration=timedelta(hours=4),
    )  # fmt: skip
    assert requested.status is SupportStatus.REQUESTED
    assert requested.expires_at is None
    grant = ta.support.approve("anna", requested.id)
    assert grant.status is SupportStatus.APPROVED
    assert (grant.approved_by, grant.starts_at, grant.expires_at) == (
        "anna", clock.now, clock.now + timedelta(hours=4),
    )  # fmt: skip
    allowed = ta.check("sam", "acme", "view_members")
    assert (allowed.allowed, allowed.reason, allowed.rule) == (True, "support_grant", "R-SUP-1")
    assert allowed.acting_as == ActingAs("sam", grant.id)
    by_target = ta.check("sam", "acme", "view_members", target_user_id="ben")
    assert by_target.allowed
    assert by_target.acting_as == ActingAs("sam", grant.id)
    other = ta.check("sam", "acme", "edit_profile")
    assert (other.allowed, other.reason, other.rule) == (False, "not_permitted", "R-SUP-1")
    assert other.acting_as == ActingAs("sam", grant.id)
    assert not ta.check("sue", "acme", "view_members")  # the grant is sam's alone
    assert ta.check("anna", "acme", "view_members").acting_as is None  # members: unchanged
    requested_event, approved = (
        _events(ta, SupportAccessRequested),
        _events(ta, SupportAccessApproved),
    )
    assert [(e.actor_id, e.grant_id, e.permissions) for e in requested_event] == [
        ("sam", grant.id, ("view_members",))
    ]
    assert [(e.actor_id, e.expires_at) for e in approved] == [("anna", grant.expires_at)]


def test_r_sup_1_only_the_main_contact_approves_and_nobody_their_own(store, clock) -> None:
    """R-SUP-1: a plain member, an admin who is not the main contact, the staff member and a platform admin of a company that does not allow it are refused; an outsider learns what an unknown grant id tells; nothing changes."""
    ta = _service(store, clock)
    grant = ta.support.request("sam", "acme", reason="ticket 2", permissions=LOOK)
    before = dump(ta.store)
    for who in ("ben", "carl", "sam", "ops"):
        with pytest.raises(AccessDenied):
            ta.support.approve(who, grant.id)
    with pytest.raises(UnknownSupportGrant):  # other staff have no say over it
        ta.support.approve("sue", grant.id)
    assert _outcome(lambda: ta.support.approve("eve", grant.id))[0] == "UnknownSupportGrant"
    assert _outcome(lambda: ta.support.approve("eve", grant.id)) == (
        _outcome(lambda: ta.support.approve("eve", grant.id))
    )
    with pytest.raises(UnknownSupportGrant):
        ta.support.approve("anna", "support-404")
    assert dump(ta.store) == before
    assert not ta.check("sam", "acme", "view_members")


def test_r_sup_1_a_second_platform_admin_approves_only_where_the_company_allows(
    store, clock
) -> None:
    """R-SUP-1: in beta (support_approval_by_platform) another platform admin approves, the requesting admin never; in acme no platform admin approves."""
    ta = _service(store, clock)
    asked = ta.support.request("ops", "beta", reason="ticket 3", permissions=["view_members"])
    with pytest.raises(AccessDenied):
        ta.support.approve("ops", asked.id)
    approved = ta.support.approve("ivy", asked.id)
    assert approved.approved_by == "ivy"
    decision = ta.check("ops", "beta", "view_members")
    assert decision.reason == "support_grant"
    assert decision.acting_as == ActingAs("ops", asked.id)
    other = ta.support.request("sam", "acme", reason="ticket 4", permissions=["view_members"])
    with pytest.raises(AccessDenied):
        ta.support.approve("ivy", other.id)
    assert ta.support.approve("anna", other.id).status is SupportStatus.APPROVED


def test_r_sup_1_declined_request_gives_nothing_and_stays_declined(store, clock) -> None:
    """R-SUP-1: the main contact declines; the check keeps denying; the grant cannot be approved afterwards."""
    ta = _service(store, clock)
    grant = ta.support.request("sam", "acme", reason="ticket 5", permissions=LOOK)
    declined = ta.support.decline("anna", grant.id)
    assert (declined.status, declined.ended_by) == (SupportStatus.DECLINED, "anna")
    assert ta.check("sam", "acme", "view_members").reason == "not_a_member"
    with pytest.raises(SupportGrantClosed):
        ta.support.approve("anna", grant.id)
    assert [e.grant_id for e in _events(ta, SupportAccessDeclined)] == [grant.id]


# -- R-SUP-2: what a grant never does ----------------------------------------------------


@pytest.mark.parametrize("action", sorted(FORBIDDEN_SUPPORT_ACTIONS))
def test_r_sup_2_a_forbidden_action_is_refused_at_request_time(store, clock, action) -> None:
    """R-SUP-2: a request naming an action that hands out access is refused with SupportActionForbidden; nothing changes."""
    ta = _service(store, clock)
    before = dump(ta.store)
    with pytest.raises(SupportActionForbidden, match=action):
        ta.support.request("sam", "acme", reason="ticket 6", permissions=["view_members", action])
    assert dump(ta.store) == before


def test_r_sup_2_forbidden_actions_are_denied_under_a_grant_even_if_listed(store, clock) -> None:
    """R-SUP-2: a grant written into the store with every forbidden action still denies each one with support_cannot_grant (R-SUP-2) and acting_as; the commands are refused and change nothing."""
    ta = _service(store, clock)
    grant = _granted(ta, ["view_members"])
    smuggled = SupportGrant(
        id="support-smuggled", company_id=grant.company_id, staff_id=grant.staff_id,
        reason="written past the service", permissions=tuple(sorted(FORBIDDEN_SUPPORT_ACTIONS)),
        requested_at=clock.now, duration=timedelta(hours=1), status=SupportStatus.APPROVED,
        approved_by=grant.approved_by, approved_at=clock.now, starts_at=clock.now,
        expires_at=clock.now + timedelta(hours=1),
    )  # fmt: skip
    in_transaction(ta.store, lambda tx: tx.support.add(smuggled))
    for action in sorted(FORBIDDEN_SUPPORT_ACTIONS):
        denied = ta.check("sam", "acme", action)
        assert (denied.allowed, denied.reason, denied.rule) == (
            False, "support_cannot_grant", "R-SUP-2",
        ), action  # fmt: skip
        assert denied.acting_as is not None
        assert denied.acting_as.staff_id == "sam"
    before = dump(ta.store)
    with pytest.raises(AccessDenied):
        ta.members.add("sam", "acme", "eve")
    with pytest.raises(AccessDenied):
        ta.invitations.send("sam", "acme", "new@example.com")
    with pytest.raises(AccessDenied):
        ta.members.change_role("sam", "acme", "ben", "admin")
    with pytest.raises(AccessDenied):
        ta.members.remove("sam", "acme", "ben")
    with pytest.raises(AccessDenied):
        ta.members.transfer_main_contact("sam", "acme", "ben")
    asked = ta.support.request("sue", "acme", reason="ticket 7", permissions=LOOK)
    before = dump(ta.store)
    with pytest.raises(UnknownSupportGrant):  # a grant opens no other grant (R-SUP-2)
        ta.support.approve("sam", asked.id)
    assert dump(ta.store) == before


def test_r_sup_2_every_event_of_a_command_under_a_grant_names_it(store, clock) -> None:
    """R-SUP-2: the profile edit staff make under a grant emits its event with actor_id the staff member and acting_as the grant; the main contact's own edit names none, and an event without acting_as encodes without the key."""
    ta = _service(store, clock)
    grant = _granted(ta, ["edit_profile"])
    seen = len(_events(ta))
    ta.companies.update_profile("sam", "acme", name="ACME Support Fix")
    under = _events(ta)[seen:]
    assert under
    assert all((e.acting_as, e.actor_id) == (grant.id, "sam") for e in under)
    assert isinstance(under[0], CompanyProfileUpdated)
    assert event_to_dict(under[0])["acting_as"] == grant.id
    seen = len(_events(ta))
    ta.companies.update_profile("anna", "acme", name="ACME GmbH")
    own = _events(ta)[seen:]
    assert own
    assert all(e.acting_as is None for e in own)
    assert all("acting_as" not in event_to_dict(e) for e in own)
    assert ta.companies.get("acme").name == "ACME GmbH"


# -- R-SUP-3: the company ends it --------------------------------------------------------


def test_r_sup_3_ending_takes_effect_at_once(store, clock) -> None:
    """R-SUP-3: the main contact ends the grant and the next check denies as for an outsider; ending again is refused."""
    ta = _service(store, clock)
    grant = _granted(ta)
    assert ta.check("sam", "acme", "view_members")
    ended = ta.support.end("anna", grant.id)
    assert (ended.status, ended.ended_by, ended.ended_at) == (
        SupportStatus.ENDED,
        "anna",
        clock.now,
    )
    assert _fields(ta.check("sam", "acme", "view_members")) == _fields(
        ta.check("eve", "acme", "view_members")
    )
    with pytest.raises(SupportGrantClosed):
        ta.support.end("anna", grant.id)
    assert [e.actor_id for e in _events(ta, SupportAccessEnded)] == ["anna"]


def test_r_sup_3_team_managers_and_the_staff_member_end_grants_plain_members_do_not(
    store, clock
) -> None:
    """R-SUP-3: an admin with manage_team and the staff member end grants; a plain member and an outsider cannot, and change nothing."""
    ta = _service(store, clock)
    first = _granted(ta)
    before = dump(ta.store)
    with pytest.raises(AccessDenied):
        ta.support.end("ben", first.id)
    with pytest.raises(UnknownSupportGrant):
        ta.support.end("eve", first.id)
    assert dump(ta.store) == before
    assert ta.support.end("carl", first.id).ended_by == "carl"
    second = _granted(ta)
    assert ta.support.end("sam", second.id).ended_by == "sam"
    assert not ta.check("sam", "acme", "view_members")


def test_r_sup_3_the_company_lists_its_grants(store, clock) -> None:
    """R-SUP-3, R-CO-6: the main contact, a team manager and a platform admin list the company's grants; a plain member is refused; an outsider and staff get not_a_member as for a missing company."""
    ta = _service(store, clock)
    grant = _granted(ta)
    waiting = ta.support.request("sue", "acme", reason="ticket 8", permissions=LOOK)
    for who in ("anna", "carl", "ops"):
        assert [g.id for g in ta.support.list(who, "acme")] == sorted([grant.id, waiting.id])
    with pytest.raises(AccessDenied):
        ta.support.list("ben", "acme")
    for who in ("eve", "sam"):
        assert _outcome(lambda who=who: ta.support.list(who, "acme"))[0] == "NotAMember"
        assert _outcome(lambda who=who: ta.support.list(who, "acme")) == (
            _outcome(lambda who=who: ta.support.list(who, "ghost"))[0],
            _outcome(lambda who=who: ta.support.list(who, "ghost"))[1].replace("ghost", "acme"),
        )
    assert [g.id for g in ta.support.of_staff("sam", "sam")] == [grant.id]
    with pytest.raises(AccessDenied):
        ta.support.of_staff("sue", "sam")


def test_r_sup_1_access_review_shows_grants_in_force(store, clock) -> None:
    """R-SUP-1, R-CO-6: the company's access review lists a grant in force as a support row (staff, actions, grant id, window), and no longer once it ended."""
    ta = _service(store, clock)
    grant = _granted(ta, duration=timedelta(hours=2))
    rows = [r for r in ta.access.review("anna", "acme").rows if r.kind == "support"]
    assert [(r.subject, r.grant, r.via, r.until) for r in rows] == [
        ("sam", " ".join(sorted(LOOK)), grant.id, (clock.now + timedelta(hours=2)).isoformat())
    ]
    ta.support.end("sam", grant.id)
    assert not [r for r in ta.access.review("anna", "acme").rows if r.kind == "support"]


# -- time (R-TIME-1, R-TIME-2) -----------------------------------------------------------


def test_r_time_1_support_grant_expires_at_once_before_any_sweep(store, clock) -> None:
    """R-TIME-1, R-SUP-1: one microsecond before its end the grant allows; at its end the check denies with expired and the date before any sweep; afterwards as for an outsider."""
    ta = _service(store, clock)
    grant = _granted(ta, duration=timedelta(hours=3))
    assert grant.expires_at is not None
    clock.now = grant.expires_at - timedelta(microseconds=1)
    assert ta.check("sam", "acme", "view_members").allowed
    clock.now = grant.expires_at
    denied = ta.check("sam", "acme", "view_members")
    assert (denied.allowed, denied.reason, denied.rule) == (False, "expired", "R-TIME-1")
    assert grant.expires_at.isoformat() in denied.detail
    with pytest.raises(AccessDenied, match="expired"):
        ta.companies.update_profile("sam", "acme", name="late")
    assert not _events(ta, SupportAccessExpired)


def test_r_time_2_support_sweep_records_expiry_once(store, clock) -> None:
    """R-TIME-2: the sweep records an ended grant with one SupportAccessExpired (actor None); a second sweep writes nothing; the check then answers as for an outsider."""
    ta = _service(store, clock)
    grant = _granted(ta, duration=timedelta(hours=1))
    later = _granted(ta, duration=timedelta(hours=5))
    report = ta.support.expire_due()
    assert (report.expired, report.next_due) == ((), grant.expires_at)
    clock.advance(hours=1)
    report = ta.support.expire_due()
    assert [g.id for g in report.expired] == [grant.id]
    assert report.next_due == later.expires_at
    assert ta.support.expire_due().expired == ()
    expired = _events(ta, SupportAccessExpired)
    assert [(e.grant_id, e.actor_id, e.expired_at) for e in expired] == [
        (grant.id, None, grant.expires_at)
    ]
    assert ta.support.list("anna", "acme")[0].status is SupportStatus.EXPIRED
    assert ta.check("sam", "acme", "view_members").acting_as == ActingAs("sam", later.id)


def test_r_sup_1_service_maximum_duration_is_configurable_within_its_cap(store, clock) -> None:
    """R-SUP-1, R-ALL-6: support_max_duration above 30 days is refused; within it, requests up to the maximum are accepted and longer ones refused."""
    with pytest.raises(InvalidDuration):
        make_service(store, clock=clock, support_max_duration=timedelta(days=31))
    ta = _service(store, clock, support_max_duration=timedelta(days=7))
    grant = ta.support.request("sam", "acme", reason="audit", permissions=LOOK,
                               duration=timedelta(days=7))  # fmt: skip
    assert grant.duration == timedelta(days=7)
    with pytest.raises(InvalidDuration):
        ta.support.request("sam", "acme", reason="audit", permissions=LOOK,
                           duration=timedelta(days=7, seconds=1))  # fmt: skip


# -- the company's state (R-CO-3, R-CO-8), erasure (R-CO-7) ------------------------------


def test_r_co_8_a_suspended_company_grant_gives_nothing_until_resumed(store, clock) -> None:
    """R-CO-8, R-SUP-1: while the company is suspended its grant allows nothing and no grant is requested or approved; resumed, the grant counts again."""
    ta = _service(store, clock)
    grant = _granted(ta)
    asked = ta.support.request("sue", "acme", reason="ticket 9", permissions=LOOK)
    ta.companies.suspend("ops", "acme", reason="unpaid invoice")
    denied = ta.check("sam", "acme", "view_members")
    assert (denied.allowed, denied.reason) == (False, "company_suspended")
    assert "unpaid" not in denied.detail  # the reason is for the company's members (R-ALL-9)
    with pytest.raises(AccessDenied):
        ta.support.request("sam", "acme", reason="again", permissions=LOOK)
    with pytest.raises(AccessDenied):
        ta.support.approve("anna", asked.id)
    ta.companies.resume("ops", "acme")
    assert ta.check("sam", "acme", "view_members").acting_as == ActingAs("sam", grant.id)


def test_r_co_3_a_closed_company_takes_no_support_request(store, clock) -> None:
    """R-CO-3: merged away, the company refuses new support requests with CompanyClosed and its grants give nothing."""
    ta = _service(store, clock)
    grant = _granted(ta)
    ta.lifecycle.merge("ops", "acme", "beta")
    with pytest.raises(CompanyClosed):
        ta.support.request("sam", "acme", reason="after the merge", permissions=LOOK)
    assert ta.check("sam", "acme", "view_members").reason == "company_closed"
    assert grant.id in [g.id for g in ta.support.of_staff("sam", "sam")]


def test_r_co_7_erasing_a_staff_member_ends_their_grants_and_scrubs_the_reason(
    store, clock
) -> None:
    """R-CO-7, R-CO-9: erasing a staff member ends their open grants with SupportAccessEnded and replaces their address in the grants' reasons; the grants stay for the audit trail."""
    ta = _service(store, clock)
    asked = ta.support.request("sam", "acme", reason="asked by sam@example.com", permissions=LOOK)
    approved = ta.support.approve("anna", asked.id)
    waiting = ta.support.request("sam", "beta", reason="ticket 10", permissions=LOOK)
    exported = ta.privacy.export("sam", "sam")["support_grants"]
    assert [g["id"] for g in exported] == [approved.id, waiting.id]
    ta.privacy.erase("ops", "sam")
    grants = {g.id: g for g in ta.support.of_staff("ops", "sam")}
    assert {g.status for g in grants.values()} == {SupportStatus.ENDED}
    assert "sam@example.com" not in grants[approved.id].reason
    assert sorted(e.grant_id for e in _events(ta, SupportAccessEnded)) == sorted(
        [approved.id, waiting.id]
    )
    assert not ta.check("sam", "acme", "view_members")


# -- bad input (R-ALL-6, R-ALL-7) --------------------------------------------------------


def test_r_all_6_bad_support_input_is_refused_the_same_everywhere_and_changes_nothing(
    store, clock
) -> None:
    """R-ALL-6, R-ALL-7: an empty or too long reason, a duration too long, negative, zero or not a timedelta, bad permissions, unknown or malformed grant ids raise the same specific error on every store and change nothing."""
    ta = _service(store, clock)
    grant = ta.support.request("sam", "acme", reason="ticket 11", permissions=LOOK)
    before = dump(ta.store)

    def ask(**changes: Any) -> Any:
        args: dict[str, Any] = {"reason": "ticket", "permissions": LOOK, **changes}
        return lambda: ta.support.request("sam", "acme", **args)

    cases: list[tuple[Any, type[Exception]]] = [
        (ask(reason=""), InvalidName),
        (ask(reason="   "), InvalidName),
        (ask(reason="x" * 501), InvalidName),
        (ask(reason=None), InvalidName),
        (ask(duration=timedelta(hours=73)), InvalidDuration),
        (ask(duration=timedelta(hours=-1)), InvalidDuration),
        (ask(duration=timedelta(0)), InvalidDuration),
        (ask(duration=3600), InvalidDuration),
        (ask(permissions="view_members"), InvalidInput),
        (ask(permissions=[]), InvalidInput),
        (ask(permissions=[7]), InvalidInput),
        (ask(permissions=["view members\x00"]), InvalidInput),
        (lambda: ta.support.request("sam", 5, reason="x", permissions=LOOK), InvalidInput),
        (lambda: ta.support.approve("anna", "support-404"), UnknownSupportGrant),
        (lambda: ta.support.approve("anna", 42), InvalidInput),
        (lambda: ta.support.decline("anna", " support-1"), InvalidInput),
        (lambda: ta.support.end("anna", "support-404"), UnknownSupportGrant),
        (lambda: ta.support.expire_due(limit=0), InvalidInput),
        (lambda: ta.support.expire_due(now=clock.now.replace(tzinfo=None)), InvalidInput),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call()
    assert dump(ta.store) == before
    assert list(ta.support.list("anna", "acme")) == [grant]
    assert not ta.check("sam", "acme", "view_members")
    with pytest.raises(NotAMember):
        ta.companies.update_profile("sam", "acme", name="nope")
