"""Contract: suspension through the partner hierarchy and in reverse queries (R-CO-8).

A suspended account shows a partner nothing but its name and that it is suspended; a
suspended partner gives its members no sight of, nor authority over, the accounts
below it; reviews and reverse queries of or through a suspended company are refused or
empty, as the check is. Resuming gives every answer back exactly as before.

Each read below is one column of the matrix; each test suspends one company (the
account itself, or the partner above it), asks every read, resumes and asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import AccessDenied
from teamaccess.testing import dump
from teamaccess.testing.contract._partner_helpers import ADMIN, partner_service

Read = Callable[[TeamAccess], Any]


@pytest.fixture
def hta(store, clock) -> TeamAccess:
    """Lm (paula, piet, anna admin) above kunde-a (paula, karl); anna manages from above."""
    ta = partner_service(store, clock)
    ta.users.register("anna", "anna@example.com")
    ta.members.add("paula", "lm", "anna", role="admin")
    ta.members.add("paula", "kunde-a", "karl")
    ta.licenses.set(ADMIN, "kunde-a", "create_asset", 5)
    return ta


def _answer(read: Read, ta: TeamAccess) -> Any:
    """The read's value, or the kind of denial it raised."""
    try:
        return read(ta)
    except AccessDenied as denied:
        return ("denied", denied.decision.reason, denied.decision.rule)


def _denied(answer: Any) -> bool:
    return isinstance(answer, tuple) and answer[:1] == ("denied",)


def _ids(page: Any) -> list[tuple[str, str]]:
    return [(h.user_id, h.company_id) for h in page.items]


# What each read answers, named; "open" is the answer before the suspension.
READS: dict[str, Read] = {
    "overview": lambda t: t.partners.overview("piet", "lm").accounts,
    "account_overview": lambda t: t.partners.account_overview("piet", "kunde-a"),
    "check_view_overview": lambda t: t.check("piet", "kunde-a", "view_overview").allowed,
    "who_may_overview": lambda t: _ids(t.access.who_may(ADMIN, "kunde-a", "view_overview")),
    "who_may_members": lambda t: _ids(t.access.who_may("paula", "kunde-a", "view_members")),
    "where_may_overview": lambda t: _ids(t.access.where_may("piet", "piet", "view_overview")),
    "where_may_team": lambda t: _ids(t.access.where_may("anna", "anna", "manage_team")),
    "review": lambda t: t.access.review("paula", "kunde-a").rows,
    "review_subtree": lambda t: {r.company_id for r in t.access.review("paula", "lm", subtree=True).rows},
    "expand": lambda t: t.access.expand("piet", "piet", "kunde-a", "view_overview").decision.allowed,
    "expand_target": lambda t: [s.kind for s in t.access.expand(
        "anna", "anna", "kunde-a", "remove_member", target_user_id="karl").steps],
    "check_manage_team": lambda t: t.check("anna", "kunde-a", "manage_team").allowed,
    # What the texts say: a suspension reason is for the suspended company's members.
    "check_text": lambda t: repr(t.check("piet", "kunde-a", "view_overview")),
    "expand_text": lambda t: repr(t.access.expand("piet", "piet", "kunde-a", "view_overview")),
}  # fmt: skip


def _manage_from_above(ta: TeamAccess) -> Any:
    """Anna (lm's admin, no member of kunde-a) adds xaver and removes him again (R-PART-5)."""
    ta.members.add("anna", "kunde-a", "xaver")
    ta.members.remove("anna", "kunde-a", "xaver")
    return "managed"


def _matrix(ta: TeamAccess) -> dict[str, Any]:
    found = {name: _answer(read, ta) for name, read in READS.items()}
    found["manage_from_above"] = _answer(_manage_from_above, ta)
    return found


def _suspended_then_resumed(ta: TeamAccess, store, company_id: str) -> dict[str, Any]:
    """The matrix while ``company_id`` is suspended; asserts it is whole again after resume."""
    before = _matrix(ta)
    ta.companies.suspend(ADMIN, company_id, reason="unpaid invoice 4711")
    state = dump(store)
    during = _matrix(ta)
    assert dump(store) == state  # refused commands changed nothing
    ta.companies.resume(ADMIN, company_id)
    assert _matrix(ta) == before  # every right back exactly as before (R-CO-8)
    assert "unpaid invoice 4711" not in repr(during)  # the reason stays with lm's members
    return {"before": before, "during": during}


def test_r_co_8_a_suspended_account_shows_nothing_through_the_hierarchy(hta, store) -> None:
    """R-CO-8: while kunde-a is suspended every read and command about it is refused or empty."""
    seen = _suspended_then_resumed(hta, store, "kunde-a")
    before, during = seen["before"], seen["during"]
    [row] = before["overview"]
    assert row.licenses
    assert row.members
    assert not row.suspended
    [row] = during["overview"]
    assert (row.id, row.name, row.suspended) == ("kunde-a", "Kunde A", True)
    assert (row.members, row.licenses, row.articles, dict(row.properties), row.pricing_model) == (
        (), (), (), {}, None,
    )  # fmt: skip
    for refused in ("account_overview", "who_may_members", "review", "manage_from_above"):
        assert during[refused][:2] == ("denied", "company_suspended"), refused
    for empty in ("who_may_overview", "check_view_overview", "expand", "check_manage_team"):
        assert before[empty], empty
        assert not during[empty], empty
    assert ("piet", "kunde-a") in before["where_may_overview"]
    assert ("piet", "kunde-a") not in during["where_may_overview"]
    assert ("anna", "kunde-a") not in during["where_may_team"]
    assert "kunde-a" in before["review_subtree"]
    assert "kunde-a" not in during["review_subtree"]
    assert "target" in before["expand_target"]
    assert "target" not in during["expand_target"]


def test_r_co_8_a_suspended_partner_gives_no_sight_of_descendants(hta, store) -> None:
    """R-CO-8: while lm is suspended its members see and manage nothing below it."""
    seen = _suspended_then_resumed(hta, store, "lm")
    before, during = seen["before"], seen["during"]
    for refused in ("overview", "account_overview", "manage_from_above"):
        assert _denied(during[refused]), refused
        assert not _denied(before[refused]), refused
    assert during["account_overview"][2] == "R-CO-8"  # refused at the ancestor's gate
    for empty in ("check_view_overview", "expand", "check_manage_team"):
        assert before[empty], empty
        assert not during[empty], empty
    assert ("piet", "kunde-a") in before["who_may_overview"]
    assert [u for u, _ in during["who_may_overview"]] == ["karl", "paula"]  # its own members
    assert during["where_may_overview"] == []
    assert during["where_may_team"] == []
    lm_rows = [r for r in before["review"] if r.via == "lm" and r.kind in {"overview", "team"}]
    assert {(r.subject, r.kind) for r in lm_rows} == {
        ("piet", "overview"), ("anna", "overview"), ("anna", "team"),
    }  # fmt: skip
    assert [r for r in during["review"] if r.kind in {"overview", "team"}] == []
    assert during["review_subtree"][:2] == ("denied", "company_suspended")
    assert "target" not in during["expand_target"]
