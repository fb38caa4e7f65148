"""Access tags, R-TAG-1..5, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import AccessDenied, AlreadyGranted
from teamaccess.events import TagGranted, TagRevoked
from teamaccess.testing import dump
from teamaccess.testing.contract._seat_helpers import ADMIN, seat_service


@pytest.fixture
def sta(store, clock) -> TeamAccess:
    return seat_service(store, clock)


def _tag_events(ta: TeamAccess) -> list:
    return [
        m.event
        for m in ta.outbox.pending(limit=10_000)
        if isinstance(m.event, (TagGranted, TagRevoked))
    ]


def test_r_tag_1_product_has_exactly_one_tag(sta: TeamAccess, store) -> None:
    """R-TAG-1: a product is created with one tag, and its group grants exactly that tag."""
    with store.reader() as tx:
        product = tx.products.get("course")
    assert product.tag == "course-access"
    pool = sta.seats.purchase("buyer", "course", 2, "Team", occupy_seat=True)
    assert sta.tags.of_user("buyer") == {"course-access"}
    with pytest.raises(AccessDenied, match="not_platform_admin"):
        sta.seats.create_product("buyer", "other", "Other", tag="x")
    assert pool.product_id == "course"


def test_r_tag_2_participants_hold_tag_buyer_only_with_seat(sta: TeamAccess) -> None:
    """R-TAG-2: every participant holds the product's tag; a buyer without a seat does not."""
    pool = sta.seats.purchase("buyer", "course", 3, "Team")
    users = [sta.seats.enroll("buyer", pool.id, f"p{i}@example.com").user_id for i in range(3)]
    assert all(sta.tags.of_user(u) == {"course-access"} for u in users)
    assert sta.tags.of_user("buyer") == frozenset()


def test_r_tag_3_tag_stays_while_another_source_gives_it(sta: TeamAccess) -> None:
    """R-TAG-3: removed from one group, a user keeps the tag held via a second group or a direct grant."""
    first = sta.seats.purchase("buyer", "course", 2, "Team A")
    second = sta.seats.purchase("buyer", "course", 2, "Team B")
    eva = sta.seats.enroll("buyer", first.id, "eva@example.com").user_id
    sta.seats.enroll("buyer", second.id, "eva@example.com")
    sta.tags.grant(ADMIN, eva, "course-access")

    sta.seats.remove("buyer", first.id, eva)
    assert sta.tags.can_access(eva, "course-access")
    sta.seats.remove("buyer", second.id, eva)
    assert sta.tags.can_access(eva, "course-access")
    sta.tags.revoke(ADMIN, eva, "course-access")
    assert not sta.tags.can_access(eva, "course-access")
    revoked = [e for e in _tag_events(sta) if isinstance(e, TagRevoked)]
    assert [e.still_held for e in revoked] == [True, True, False]


def test_r_tag_4_content_needs_one_of_its_tags_deny_by_default(sta: TeamAccess) -> None:
    """R-TAG-4: access needs one of the content's tags; untagged content and strangers are denied."""
    sta.seats.purchase_single_access("buyer", "course")
    assert (
        str(sta.tags.can_access("buyer", ["premium", "course-access"]))
        == "allowed: holds_tag (R-TAG-4)"
    )
    assert str(sta.tags.can_access("buyer", ["premium"])) == "denied: missing_tag (R-TAG-4)"
    assert str(sta.tags.can_access("buyer", [])) == "denied: content_not_tagged (R-TAG-4)"
    assert not sta.tags.can_access("nobody", ["course-access"])


def test_r_tag_5_every_grant_and_revocation_is_an_outbox_event(sta: TeamAccess) -> None:
    """R-TAG-5: grants and revocations appear in the outbox, in order, with source and holding state."""
    pool = sta.seats.purchase("buyer", "course", 2, "Team", occupy_seat=True)
    eva = sta.seats.enroll("buyer", pool.id, "eva@example.com").user_id
    sta.seats.remove("buyer", pool.id, eva)
    events = [(type(e).__name__, e.user_id, e.source) for e in _tag_events(sta)]
    assert events == [
        ("TagGranted", "buyer", f"pool:{pool.id}"),
        ("TagGranted", eva, f"pool:{pool.id}"),
        ("TagRevoked", eva, f"pool:{pool.id}"),
    ]


def test_r_tag_3_a_source_grants_a_tag_once(sta: TeamAccess, store) -> None:
    """R-TAG-3: a second direct grant by the same source raises AlreadyGranted and changes nothing."""
    sta.tags.grant(ADMIN, "buyer", "course-access")
    before = dump(store)
    with pytest.raises(AlreadyGranted, match="already holds 'course-access' through direct:manual"):
        sta.tags.grant(ADMIN, "buyer", "course-access")
    assert dump(store) == before
    sta.tags.grant(ADMIN, "buyer", "course-access", label="promo")  # another source is fine
    sta.tags.revoke(ADMIN, "buyer", "course-access")
    assert sta.tags.of_user("buyer") == {"course-access"}
