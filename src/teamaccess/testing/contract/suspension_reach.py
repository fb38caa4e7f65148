"""Contract: suspension reaches the seat pools, tags and invitations a company hands out (R-CO-8).

A suspended company's pool is managed by nobody (enroll, CSV, dry run, resize,
remove, re-invite, group view and check: refused to its leader; a platform admin may
only read the group view); a tag held only through its pools opens no content, one
held also through another source still does (R-TAG-3, R-TAG-4); its invitations are
neither sent, re-sent, revoked, listed nor accepted; no pool is bought for it. The
refusals change nothing, and after resume every answer is exactly what it was.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from teamaccess import TeamAccess
from teamaccess.domain.decisions import Decision
from teamaccess.errors import AccessDenied
from teamaccess.testing import dump, make_service
from teamaccess.testing.contract._seat_helpers import ADMIN

CSV = "email\nzoe@example.com\nyves@example.com\n"
DRY_CSV = "email\nxena@example.com\n"
TAG = "course-access"


@pytest.fixture
def reach(store, clock) -> tuple[TeamAccess, dict[str, str]]:
    """ACME (anna leads its pool), eva seated only there, fritz also granted directly."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "anna", "ben", "eva", "fritz", "dora", "olga"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.companies.create("olga", "Other", company_id="other")
    ta.seats.create_product(ADMIN, "course", "Course", tag=TAG)
    pool = ta.seats.purchase("anna", "course", 5, "ACME team", company_id="acme").id
    other = ta.seats.purchase("olga", "course", 5, "Other team", company_id="other").id
    for person in ("eva", "fritz"):
        ta.seats.enroll("anna", pool, f"{person}@example.com")
    ta.tags.grant(ADMIN, "fritz", TAG)
    issued = ta.invitations.send("anna", "acme", "dora@example.com")
    return ta, {"pool": pool, "other": other, "token": issued.token, "inv": issued.invitation.id}


def _refusals(ta: TeamAccess, ids: dict[str, str]) -> dict[str, Callable[[], object]]:
    pool, inv = ids["pool"], ids["inv"]
    return {
        "group view": lambda: ta.seats.group("anna", pool),
        "enroll": lambda: ta.seats.enroll("anna", pool, "zoe@example.com"),
        "enroll csv": lambda: ta.seats.enroll_csv("anna", pool, CSV),
        "validate csv": lambda: ta.seats.validate_csv("anna", pool, DRY_CSV),
        "resize 5 to 50": lambda: ta.seats.resize("anna", pool, 50),
        "reinvite": lambda: ta.seats.reinvite("anna", pool, "eva"),
        "remove": lambda: ta.seats.remove("anna", pool, "eva"),
        "purchase for it": lambda: ta.seats.purchase(
            "anna", "course", 3, "More", company_id="acme"
        ),
        "admin enroll": lambda: ta.seats.enroll(ADMIN, pool, "zoe@example.com"),
        "admin enroll csv": lambda: ta.seats.enroll_csv(ADMIN, pool, CSV),
        "admin resize": lambda: ta.seats.resize(ADMIN, pool, 50),
        "admin remove": lambda: ta.seats.remove(ADMIN, pool, "eva"),
        "admin reinvite": lambda: ta.seats.reinvite(ADMIN, pool, "eva"),
        "invitation send": lambda: ta.invitations.send("anna", "acme", "zoe@example.com"),
        "invitation resend": lambda: ta.invitations.resend("anna", "acme", inv),
        "invitation revoke": lambda: ta.invitations.revoke("anna", "acme", inv),
        "invitation list": lambda: ta.invitations.list("anna", "acme"),
        "invitation accept": lambda: ta.invitations.accept("dora", ids["token"]),
    }


def _answers(ta: TeamAccess, ids: dict[str, str]) -> dict[str, object]:
    """Every read of the area, as the leader, an admin and the participants see it."""
    pool = ids["pool"]

    def decision(d: Decision) -> tuple[bool, str, str]:
        return d.allowed, d.reason, d.rule

    return {
        "check leader": decision(ta.seats.check_group("anna", pool)),
        "check admin": decision(ta.seats.check_group(ADMIN, pool)),
        "led by anna": [p.id for p in ta.seats.led_by("anna")],
        "eva opens": decision(ta.tags.can_access("eva", [TAG])),
        "fritz opens": decision(ta.tags.can_access("fritz", [TAG])),
        "eva holds": ta.tags.of_user("eva"),
        "admin group view": ta.seats.group(ADMIN, pool),
        "other pool": ta.seats.group("olga", ids["other"]),
    }


def test_r_co_8_suspension_reaches_pools_tags_and_invitations_and_resume_restores_them(
    reach, store
) -> None:
    """R-CO-8: while suspended every pool, tag and invitation command or read is refused and nothing changes; resumed, every answer is as before."""
    ta, ids = reach
    before = _answers(ta, ids)
    assert before["eva opens"][0]
    assert before["check leader"][0]
    ta.companies.suspend(ADMIN, "acme", reason="unpaid invoice")
    stored = dump(store)
    refused: dict[str, tuple[str, str]] = {}
    for name, call in _refusals(ta, ids).items():
        with pytest.raises(AccessDenied) as caught:
            call()
        refused[name] = (caught.value.decision.reason, caught.value.decision.rule)
    assert set(refused.values()) == {("company_suspended", "R-CO-5")}, refused
    during = _answers(ta, ids)
    assert during["check leader"] == (False, "company_suspended", "R-CO-5")
    assert during["check admin"] == (False, "company_suspended", "R-CO-5")
    assert during["led by anna"] == []
    assert during["eva opens"] == (False, "missing_tag", "R-TAG-4")  # only through the pool
    assert during["fritz opens"] == before["fritz opens"]  # also held directly (R-TAG-3)
    assert during["eva holds"] == before["eva holds"]  # held, paused: nothing removed
    assert during["admin group view"] == before["admin group view"]  # an admin may read
    assert during["other pool"] == before["other pool"]  # another company is untouched
    assert dump(store) == stored  # nothing changed, nothing removed

    ta.companies.resume(ADMIN, "acme")
    assert _answers(ta, ids) == before
    for name, call in _refusals(ta, ids).items():  # every command passes again
        if name.startswith("admin") or name in {
            "enroll csv",
            "invitation accept",
            "invitation resend",
        }:
            continue  # not twice: the same people, a used token, a replaced invitation
        call()
    pending = [i for i in ta.invitations.list("anna", "acme") if i.email == "zoe@example.com"]
    ta.invitations.resend("anna", "acme", pending[0].id)
    assert ta.seats.get(ids["pool"]).seats == 50
    assert ta.tags.can_access(ta.users.find_by_email("zoe@example.com").id, [TAG]).allowed


def test_r_co_8_an_outsider_learns_nothing_of_a_suspended_pool_company(reach) -> None:
    """R-CO-8: someone who neither leads the pool nor administers the platform gets the same answer as for an open company."""
    ta, ids = reach
    open_answer = ta.seats.check_group("ben", ids["pool"])
    ta.companies.suspend(ADMIN, "acme", reason="unpaid invoice")
    assert ta.seats.check_group("ben", ids["pool"]) == open_answer
    with pytest.raises(AccessDenied) as caught:
        ta.seats.enroll("anna", ids["pool"], "zoe@example.com")
    assert "unpaid invoice" in caught.value.decision.detail  # the leader is a member
