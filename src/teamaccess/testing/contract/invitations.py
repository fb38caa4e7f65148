"""Invitation rules R-INV-1..4 and what a leaked token tells (R-ALL-9), run against every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamaccess import CompanySettings, InvitationStatus, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    AlreadyAMember,
    AlreadyInvited,
    InvalidEmail,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsed,
    TeamAccessError,
)
from teamaccess.testing import FrozenClock, dump, make_service
from teamaccess.testing.contract._helpers import make_team
from teamaccess.values import hash_token


def test_r_inv_1_team_manager_invites_with_role_and_token(ta: TeamAccess) -> None:
    """R-INV-1: an admin invites an address with a role and gets a secret token back."""
    team = make_team(ta)
    issued = ta.invitations.send("anna", team.id, "  Eva@Example.COM ", role="admin")
    assert issued.token == "token-1"
    assert issued.invitation.email == "eva@example.com"
    assert issued.invitation.role == "admin"
    assert ta.invitations.list("anna", team.id) == [issued.invitation]


def test_r_inv_1_plain_member_may_not_invite(ta: TeamAccess) -> None:
    """R-INV-1: a member without manage_team is denied, and no invitation is stored."""
    team = make_team(ta)
    with pytest.raises(AccessDenied) as caught:
        ta.invitations.send("ben", team.id, "eva@example.com")
    assert caught.value.decision.rule == "R-INV-1"
    assert ta.invitations.list("anna", team.id) == []


def test_r_inv_2_only_the_token_hash_is_stored(ta: TeamAccess, store) -> None:
    """R-INV-2: the clear token appears nowhere in the store, only its SHA-256 hash."""
    team = make_team(ta)
    issued = ta.invitations.send("anna", team.id, "eva@example.com")
    state = repr(dump(store))
    assert issued.invitation.token_hash == hash_token(issued.token)
    assert hash_token(issued.token) in state
    assert "'token-1'" not in state


def test_r_inv_2_tokens_expire_after_default_seven_days(ta: TeamAccess, clock: FrozenClock) -> None:
    """R-INV-2: a token works until 7 days have passed, then raises InvitationExpired."""
    team = make_team(ta)
    ta.users.register("eva", "eva@example.com")
    issued = ta.invitations.send("anna", team.id, "eva@example.com")
    assert issued.invitation.expires_at - issued.invitation.created_at == timedelta(days=7)
    clock.advance(days=7)
    with pytest.raises(InvitationExpired):
        ta.invitations.accept("eva", issued.token)


def test_r_inv_2_expiry_is_configurable(ta: TeamAccess, clock: FrozenClock) -> None:
    """R-INV-2: a company with a one-hour TTL issues tokens that expire after one hour."""
    for user in ("anna", "eva"):
        ta.users.register(user, f"{user}@example.com")
    company = ta.companies.create(
        "anna", "Fast", settings=CompanySettings(invitation_ttl=timedelta(hours=1))
    )
    issued = ta.invitations.send("anna", company.id, "eva@example.com")
    clock.advance(minutes=59)
    assert ta.invitations.accept("eva", issued.token).role == "member"


def test_r_inv_2_token_is_single_use(ta: TeamAccess) -> None:
    """R-INV-2: a second accept of the same token raises InvitationUsed."""
    team = make_team(ta)
    ta.users.register("eva", "eva@example.com")
    issued = ta.invitations.send("anna", team.id, "eva@example.com")
    ta.invitations.accept("eva", issued.token)
    ta.members.leave("eva", team.id)
    with pytest.raises(InvitationUsed):
        ta.invitations.accept("eva", issued.token)


def test_r_inv_2_revoke_voids_token(ta: TeamAccess) -> None:
    """R-INV-2: a revoked invitation's token raises InvitationRevoked."""
    team = make_team(ta)
    ta.users.register("eva", "eva@example.com")
    issued = ta.invitations.send("anna", team.id, "eva@example.com")
    revoked = ta.invitations.revoke("anna", team.id, issued.invitation.id)
    assert revoked.status is InvitationStatus.REVOKED
    with pytest.raises(InvitationRevoked, match="revoked"):
        ta.invitations.accept("eva", issued.token)
    with pytest.raises(InvitationRevoked):
        ta.invitations.revoke("anna", team.id, issued.invitation.id)


def test_r_inv_2_resend_issues_new_token_and_voids_old(ta: TeamAccess, clock: FrozenClock) -> None:
    """R-INV-2: re-sending an expired invitation gives a fresh token; the old one is void."""
    team = make_team(ta)
    ta.users.register("eva", "eva@example.com")
    first = ta.invitations.send("anna", team.id, "eva@example.com", role="admin")
    clock.advance(days=8)
    second = ta.invitations.resend("anna", team.id, first.invitation.id)
    assert second.token != first.token
    assert second.invitation.role == "admin"
    assert second.invitation.expires_at == clock() + timedelta(days=7)
    with pytest.raises(InvitationRevoked, match="replaced"):
        ta.invitations.accept("eva", first.token)
    assert ta.invitations.accept("eva", second.token).role == "admin"


def test_r_inv_2_duplicate_pending_invitation_is_refused(ta: TeamAccess) -> None:
    """R-INV-2: inviting an address twice asks for a re-send instead."""
    team = make_team(ta)
    ta.invitations.send("anna", team.id, "eva@example.com")
    with pytest.raises(AlreadyInvited, match="re-send"):
        ta.invitations.send("anna", team.id, "EVA@example.com")


def test_r_inv_3_accept_creates_membership_with_invited_role(ta: TeamAccess) -> None:
    """R-INV-3: accepting binds the invitation to the user and adds them with its role."""
    team = make_team(ta)
    ta.users.register("eva", "Eva@Example.com")
    issued = ta.invitations.send("anna", team.id, "eva@example.com", role="admin")
    membership = ta.invitations.accept("eva", issued.token)
    assert (membership.user_id, membership.role, membership.is_main_contact) == (
        "eva",
        "admin",
        False,
    )
    [invitation] = ta.invitations.list("anna", team.id)
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, "eva")


def test_r_inv_3_unknown_token_is_refused(ta: TeamAccess) -> None:
    """R-INV-3: an unknown token raises InvitationNotFound."""
    make_team(ta)
    with pytest.raises(InvitationNotFound):
        ta.invitations.accept("carl", "no-such-token")


def test_r_inv_3_email_must_match_by_default(ta: TeamAccess) -> None:
    """R-INV-3: by default another user cannot redeem someone else's invitation."""
    team = make_team(ta)
    issued = ta.invitations.send("anna", team.id, "eva@example.com")
    with pytest.raises(InvitationNotFound):
        ta.invitations.accept("carl", issued.token)
    assert [i.status for i in ta.invitations.list("anna", team.id)] == [InvitationStatus.PENDING]


def _answer(call) -> tuple[str, str]:
    try:
        call()
    except TeamAccessError as error:
        return type(error).__name__, str(error)
    return "accepted", ""


@pytest.mark.parametrize("state", ["pending", "expired", "revoked", "used", "suspended", "closed"])
def test_r_all_9_a_leaked_token_tells_another_user_nothing(
    ta: TeamAccess, store, clock: FrozenClock, state: str
) -> None:
    """R-ALL-9: a token of someone else's invitation, in any state, is answered as an unknown token."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    team = make_team(ta)
    ta.users.register("root", "root@example.com")
    issued = ta.invitations.send("anna", team.id, "eva.secret@example.com")
    if state == "expired":
        clock.advance(days=8)
    elif state == "revoked":
        ta.invitations.revoke("anna", team.id, issued.invitation.id)
    elif state == "used":
        ta.users.register("eva", "eva.secret@example.com")
        ta.invitations.accept("eva", issued.token)
    elif state == "suspended":
        ta.companies.suspend("root", team.id, reason="unpaid invoice 4711")
    elif state == "closed":
        ta.companies.create("dora", "Target", company_id="target")
        ta.lifecycle.merge("root", team.id, "target")
    before = dump(store)
    leaked = _answer(lambda: ta.invitations.accept("carl", issued.token))
    unknown = _answer(lambda: ta.invitations.accept("carl", "no-such-token"))
    assert leaked == unknown
    assert leaked[0] == InvitationNotFound.__name__
    for secret in ("eva.secret", "4711", issued.invitation.id, team.id, "expired", "revoked"):
        assert secret not in leaked[1]
    assert dump(store) == before
    # an unknown user learns nothing either: refused before the token is looked at
    assert _answer(lambda: ta.invitations.accept("zed", issued.token)) == _answer(
        lambda: ta.invitations.accept("zed", "no-such-token")
    )


def test_r_inv_3_email_match_can_be_switched_off(ta: TeamAccess) -> None:
    """R-INV-3: with invitation_email_must_match=False any registered user may accept."""
    for user in ("anna", "carl"):
        ta.users.register(user, f"{user}@example.com")
    settings = CompanySettings(invitation_email_must_match=False)
    company = ta.companies.create("anna", "Open", settings=settings)
    issued = ta.invitations.send("anna", company.id, "eva@example.com")
    assert ta.invitations.accept("carl", issued.token).user_id == "carl"


def test_r_inv_3_member_cannot_accept_again(ta: TeamAccess) -> None:
    """R-INV-3: a user who is already a member gets AlreadyAMember; the invitation stays open."""
    team = make_team(ta)
    with pytest.raises(AlreadyAMember):
        ta.invitations.send("anna", team.id, "ben@example.com")
    open_ = ta.companies.create(
        "anna", "Open", settings=CompanySettings(invitation_email_must_match=False)
    )
    ta.members.add("anna", open_.id, "carl")
    issued = ta.invitations.send("anna", open_.id, "dora@example.com")
    with pytest.raises(AlreadyAMember):
        ta.invitations.accept("carl", issued.token)
    assert [i.status for i in ta.invitations.list("anna", open_.id)] == [InvitationStatus.PENDING]


def test_r_inv_4_invalid_address_is_refused_with_reason(ta: TeamAccess, store) -> None:
    """R-INV-4: a malformed address raises InvalidEmail naming why; nothing is stored."""
    team = make_team(ta)
    before = dump(store)
    with pytest.raises(InvalidEmail, match="missing '@'"):
        ta.invitations.send("anna", team.id, "eva.example.com")
    assert dump(store) == before


def test_r_inv_4_addresses_compare_after_normalization(ta: TeamAccess) -> None:
    """R-INV-4: an invitation to the Unicode domain is accepted by the punycode-registered user."""
    team = make_team(ta)
    ta.users.register("eva", "eva@xn--bcher-kva.example")
    issued = ta.invitations.send("anna", team.id, " EVA@BÜCHER.example")
    assert issued.invitation.email == "eva@xn--bcher-kva.example"
    assert ta.invitations.accept("eva", issued.token).user_id == "eva"
