"""Contract: suspending and resuming a company (R-CO-5).

A platform admin suspends a company: every action in it is refused with
``company_suspended`` (R-CO-5), nothing of it is lost, and resuming gives back every
right exactly as before.
"""

from __future__ import annotations

import pytest

from teamaccess.domain.decisions import Action
from teamaccess.errors import AccessDenied, InvalidName, SuspensionConflict
from teamaccess.testing import dump, make_service

ADMIN = "platform"


@pytest.fixture
def suspended_ta(store, clock):
    """Anna (main contact) and ben in ACME, carla outside; a platform admin."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "anna", "ben", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    return ta


def _decisions(ta) -> list[tuple[str, str, bool, str, str]]:
    return [
        (user, action.value, d.allowed, d.reason, d.rule)
        for user in ("anna", "ben", "carla")
        for action in Action
        for d in [ta.check(user, "acme", action)]
    ]


def test_r_co_5_suspended_company_refuses_every_action_and_resume_restores_them(
    suspended_ta,
) -> None:
    """R-CO-5: while suspended every member's check is denied with company_suspended; resumed, every answer is as before."""
    before = _decisions(suspended_ta)
    suspended = suspended_ta.companies.suspend(ADMIN, "acme", reason="unpaid invoice")
    assert suspended.is_suspended
    assert suspended.suspension_reason == "unpaid invoice"
    during = _decisions(suspended_ta)
    members = {
        (allowed, reason, rule) for user, _, allowed, reason, rule in during if user != "carla"
    }
    assert members == {(False, "company_suspended", "R-CO-5")}
    assert "unpaid invoice" in suspended_ta.check("anna", "acme", "view_members").detail
    # R-ALL-9: an outsider's answers do not change; they learn nothing of the suspension
    outsider = [d for d in during if d[0] == "carla"]
    assert outsider == [d for d in before if d[0] == "carla"]
    seen = suspended_ta.check("carla", "acme", "view_members")
    missing = suspended_ta.check("carla", "nowhere", "view_members")
    assert (seen.reason, seen.rule, seen.detail) == (
        missing.reason, missing.rule, missing.detail.replace("nowhere", "acme"),
    )  # fmt: skip
    suspended_ta.companies.resume(ADMIN, "acme")
    assert _decisions(suspended_ta) == before


def test_r_co_5_commands_and_member_reads_are_refused_and_nothing_is_lost(
    suspended_ta, store
) -> None:
    """R-CO-5: commands and members' reads are refused with R-CO-5 and change nothing; the history stays readable."""
    suspended_ta.companies.suspend(ADMIN, "acme", reason="security incident")
    before = dump(store)
    refused = [
        lambda: suspended_ta.members.add("anna", "acme", "carla"),
        lambda: suspended_ta.companies.update_profile("anna", "acme", name="ACME AG"),
        lambda: suspended_ta.members.list("ben", "acme"),
        lambda: suspended_ta.invitations.send("anna", "acme", "dora@example.com"),
        lambda: suspended_ta.require("anna", "acme", "view_members"),
    ]
    for call in refused:
        with pytest.raises(AccessDenied) as caught:
            call()
        assert (caught.value.decision.reason, caught.value.decision.rule) == (
            "company_suspended", "R-CO-5",
        )  # fmt: skip
    assert dump(store) == before
    assert suspended_ta.companies.get("acme").name == "ACME"  # reads that name no actor
    assert suspended_ta.members.main_contact("acme").user_id == "anna"


def test_r_co_5_only_platform_admins_suspend_and_resume_once(suspended_ta) -> None:
    """R-CO-5: the main contact may not suspend; a second suspend or a resume of an active company conflicts."""
    with pytest.raises(AccessDenied) as caught:
        suspended_ta.companies.suspend("anna", "acme", reason="holiday")
    assert caught.value.decision.rule == "R-CO-5"
    with pytest.raises(SuspensionConflict):
        suspended_ta.companies.resume(ADMIN, "acme")
    suspended_ta.companies.suspend(ADMIN, "acme", reason="unpaid invoice")
    with pytest.raises(SuspensionConflict):
        suspended_ta.companies.suspend(ADMIN, "acme", reason="again")
    with pytest.raises(AccessDenied):
        suspended_ta.companies.resume("anna", "acme")
    with pytest.raises(InvalidName):
        suspended_ta.companies.suspend(ADMIN, "acme", reason="")
    events = [m.event.type for m in suspended_ta.outbox.pending(1000)][-1:]
    assert events == ["CompanySuspended"]
    suspended_ta.companies.resume(ADMIN, "acme")
    assert [m.event.type for m in suspended_ta.outbox.pending(1000)][-1] == "CompanyResumed"
