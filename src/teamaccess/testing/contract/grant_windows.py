"""Time-bound grants R-TIME-1..4, run against every adapter.

A membership's window and a temporary role are judged at the service's clock by the
check and by every command (R-TIME-1); the sweep ends what expired with one
``...Expired`` event per grant and the normal consequences (R-TIME-2); what expires
soon is a query and reverse queries and reviews show each window (R-TIME-3); a window
is changed by a command with its event, never beyond the granter's own (R-TIME-4).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from teamaccess import Action, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    InvalidInput,
    MainContactRequired,
    MembershipNotFound,
    NotAMember,
)
from teamaccess.events import (
    EnrollmentExpired,
    MemberRemoved,
    MembershipExpired,
    MembershipWindowChanged,
    PoolLeaderChanged,
    RoleExpired,
    RoleWindowChanged,
    SeatWindowChanged,
    TagGrantExpired,
)
from teamaccess.testing import FrozenClock, dump
from teamaccess.testing.contract._helpers import make_team
from teamaccess.testing.contract._partner_helpers import partner_service
from teamaccess.testing.contract._seat_helpers import ADMIN, seat_service


def _events(ta: TeamAccess, kind: type) -> list:
    return [m.event for m in ta.outbox.pending(limit=1000) if isinstance(m.event, kind)]


def _later(clock: FrozenClock, days: float) -> datetime:
    return clock.now + timedelta(days=days)


def test_r_time_1_expired_membership_denies_at_once_naming_the_date(ta, clock) -> None:
    """R-TIME-1: at its expires_at the check denies with reason expired and the date, before any sweep; one instant earlier it allows."""
    team = make_team(ta)
    end = _later(clock, 30)
    ta.members.add("anna", team.id, "carl", expires_at=end)
    clock.now = end - timedelta(microseconds=1)
    assert ta.check("carl", team.id, Action.OPEN_BACKOFFICE).allowed
    clock.now = end
    denied = ta.check("carl", team.id, Action.OPEN_BACKOFFICE)
    assert (denied.allowed, denied.reason, denied.rule) == (False, "expired", "R-TIME-1")
    assert end.isoformat() in denied.detail
    assert [m.user_id for m in ta.members.list("anna", team.id)] == ["anna", "ben", "carl"]


def test_r_time_1_membership_counts_only_from_its_start(ta, clock) -> None:
    """R-TIME-1: before starts_at the check denies with not_yet_valid and the start; from it on it allows."""
    team = make_team(ta)
    start = _later(clock, 2)
    ta.members.add("anna", team.id, "carl", starts_at=start)
    denied = ta.check("carl", team.id, Action.VIEW_MEMBERS)
    assert (denied.reason, denied.rule) == ("not_yet_valid", "R-TIME-1")
    assert start.isoformat() in denied.detail
    clock.now = start
    assert ta.check("carl", team.id, Action.VIEW_MEMBERS).allowed


def test_r_time_1_expired_member_is_refused_by_every_command_gate(ta, clock) -> None:
    """R-TIME-1: an expired member can neither add colleagues, list members, ask who may act, read the inbox nor the leads: each command's gate denies with expired, and nothing changes."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 1))
    clock.advance(days=1)
    before = dump(ta.store)
    with pytest.raises(AccessDenied, match="expired"):
        ta.members.add("carl", team.id, "dora")
    with pytest.raises(AccessDenied, match="expired"):
        ta.members.list("carl", team.id)
    with pytest.raises(AccessDenied, match="expired"):
        ta.access.who_may("carl", team.id, Action.OPEN_BACKOFFICE)
    with pytest.raises(AccessDenied, match="expired"):  # the company gate (ServiceCore.gate)
        ta.inbox.list("carl", team.id)
    with pytest.raises(AccessDenied, match="expired"):
        ta.leads.pick("carl", team.id, "any-lead")
    assert dump(ta.store) == before


def test_r_time_1_expired_member_shows_as_no_public_contact(ta, clock) -> None:
    """R-TIME-1: the public contact list leaves out a membership outside its window."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 1))
    ta.members.add("anna", team.id, "dora", starts_at=_later(clock, 5))
    assert [m.user_id for m in ta.members.public_contacts(team.id)] == ["anna", "ben", "carl"]
    clock.advance(days=1)
    assert [m.user_id for m in ta.members.public_contacts(team.id)] == ["anna", "ben"]


def test_r_time_1_expired_leader_manages_the_pool_no_more(store, clock) -> None:
    """R-TIME-1, R-MEM-10: the leader of a company's pool whose membership expired is refused at once, as one who left, before any sweep."""
    ta = seat_service(store, clock)
    team = make_team(ta)
    ta.members.add("anna", team.id, "buyer", expires_at=_later(clock, 3))
    pool = ta.seats.purchase("buyer", "course", 3, "Sales", company_id=team.id)
    assert ta.seats.check_group("buyer", pool.id).allowed
    clock.advance(days=3)
    decision = ta.seats.check_group("buyer", pool.id)
    assert (decision.allowed, decision.rule) == (False, "R-MEM-10")
    with pytest.raises(AccessDenied):
        ta.seats.enroll("buyer", pool.id, "mallory@example.com")
    assert ta.seats.led_by("buyer") == []


def test_r_time_1_temporary_role_falls_back_at_its_end(ta, clock) -> None:
    """R-TIME-1: a role given until a date is held until then; from it on the check, and the right to hand out roles (R-MEM-9), see the role after it."""
    team = make_team(ta)
    end = _later(clock, 7)
    ta.members.change_role("anna", team.id, "ben", "admin", until=end, then="member")
    assert ta.check("ben", team.id, Action.INVITE).allowed
    clock.now = end
    denied = ta.check("ben", team.id, Action.INVITE)
    assert (denied.allowed, denied.rule) == (False, "R-INV-1")
    with pytest.raises(AccessDenied) as caught:
        ta.members.change_role("ben", team.id, "anna", "member")
    assert caught.value.decision.rule == "R-MEM-8"  # manage_team ended with the role
    with pytest.raises(AccessDenied) as giving:  # any member may add, but not an admin
        ta.members.add("ben", team.id, "carl", role="admin")
    assert (giving.value.decision.reason, giving.value.decision.rule) == (
        "role_above_actor",
        "R-MEM-9",
    )
    events = _events(ta, RoleWindowChanged)
    assert [(e.role, e.role_until, e.role_after) for e in events] == [("admin", end, "member")]


def test_r_time_1_windows_are_validated_and_nothing_changes(ta, clock) -> None:
    """R-TIME-1, R-ALL-6: a naive instant or a start not before the end is refused with InvalidInput on every store, and nothing is written."""
    team = make_team(ta)
    before = dump(ta.store)
    with pytest.raises(InvalidInput, match="aware"):
        ta.members.add("anna", team.id, "carl", expires_at=datetime(2030, 1, 1))
    with pytest.raises(InvalidInput, match="before"):
        ta.members.add(
            "anna", team.id, "carl", starts_at=_later(clock, 2), expires_at=_later(clock, 1)
        )
    with pytest.raises(InvalidInput, match="then needs until"):
        ta.members.change_role("anna", team.id, "ben", "admin", then="member")
    assert dump(ta.store) == before


def test_r_time_1_expired_partner_membership_gives_no_sight_below(store, clock) -> None:
    """R-TIME-1, R-ALL-9: a partner member whose membership expired sees no overview of an account below; they get not_a_member, as for an account that does not exist."""
    ta = partner_service(store, clock)
    ta.grants.set_window("paula", "lm", "piet", expires_at=_later(clock, 1))
    assert ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW).allowed
    clock.advance(days=1)
    below = ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW)
    missing = ta.check("piet", "no-such-account", Action.VIEW_OVERVIEW)
    assert (below.reason, missing.reason) == ("not_a_member", "not_a_member")


def test_r_time_2_sweep_ends_each_grant_once_with_its_expired_event(ta, clock) -> None:
    """R-TIME-2: the sweep removes an expired membership with MembershipExpired (not MemberRemoved) and ends a temporary role with RoleExpired; a second sweep writes nothing."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 1))
    ta.members.change_role("anna", team.id, "ben", "admin", until=_later(clock, 1))
    ta.members.add("anna", team.id, "dora", expires_at=_later(clock, 9))
    clock.advance(days=2)
    report = ta.grants.expire_due()
    assert sorted((g.kind, g.user_id) for g in report.expired) == [
        ("membership", "carl"),
        ("role", "ben"),
    ]
    assert (report.more, report.held, report.next_due) == (False, (), _later(clock, 7))
    assert [m.user_id for m in ta.members.list("anna", team.id)] == ["anna", "ben", "dora"]
    assert [(m.user_id, m.role) for m in ta.members.list("anna", team.id)][1] == ("ben", "member")
    (expired,) = _events(ta, MembershipExpired)
    assert (expired.user_id, expired.actor_id) == ("carl", None)
    assert _events(ta, MemberRemoved) == []
    (role,) = _events(ta, RoleExpired)
    assert (role.user_id, role.old_role, role.new_role) == ("ben", "admin", "member")
    before = dump(ta.store)
    again = ta.grants.expire_due()
    assert (again.expired, dump(ta.store)) == ((), before)


def test_r_time_2_expiry_passes_pool_leadership_on(store, clock) -> None:
    """R-TIME-2, R-MEM-10: a leader whose membership expires loses the company's pool to the main contact in the sweep, with PoolLeaderChanged."""
    ta = seat_service(store, clock)
    team = make_team(ta)
    ta.members.add("anna", team.id, "buyer", expires_at=_later(clock, 3))
    pool = ta.seats.purchase("buyer", "course", 3, "Sales", company_id=team.id)
    clock.advance(days=3)
    ta.grants.expire_due()
    assert ta.seats.get(pool.id).leader_id == "anna"
    (changed,) = _events(ta, PoolLeaderChanged)
    assert (changed.old_leader_id, changed.new_leader_id) == ("buyer", "anna")
    assert ta.seats.check_group(ADMIN, pool.id).allowed


def test_r_time_2_main_contact_membership_never_expires(ta, clock) -> None:
    """R-TIME-2, R-MC-4: the main contact's membership takes no window, and the role cannot pass to a member whose membership has one; nothing changes."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 5))
    before = dump(ta.store)
    with pytest.raises(MainContactRequired, match="R-MC-4"):
        ta.grants.set_window("anna", team.id, "anna", expires_at=_later(clock, 5))
    with pytest.raises(MainContactRequired, match="R-MC-4"):
        ta.members.transfer_main_contact("anna", team.id, "carl")
    assert dump(ta.store) == before
    ta.grants.set_window("anna", team.id, "carl")  # cleared: now it may pass
    assert ta.members.transfer_main_contact("anna", team.id, "carl").is_main_contact


def test_r_time_2_schedule_hint_says_when_to_sweep_next(ta, clock) -> None:
    """R-TIME-2: the report's next_due is the earliest end still to come, and sleep_for waits until then (capped), or not at all when the limit was hit."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 2))
    ta.members.add("anna", team.id, "dora", expires_at=_later(clock, 1))
    report = ta.grants.expire_due()
    assert (report.expired, report.next_due) == ((), _later(clock, 1))
    assert report.sleep_for(timedelta(days=5)) == timedelta(days=1)
    assert report.sleep_for(timedelta(hours=1)) == timedelta(hours=1)
    clock.advance(days=3)
    first = ta.grants.expire_due(limit=1)
    assert (len(first.expired), first.more, first.sleep_for()) == (1, True, timedelta(0))
    rest = ta.grants.expire_due(limit=1)
    assert (len(rest.expired), rest.next_due) == (1, None)


def test_r_time_3_what_expires_within_n_days(ta, clock) -> None:
    """R-TIME-3: per company (for its managers) and per user (for themselves) the grants ending within the horizon, soonest first; others are refused, an outsider as for a missing company."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 3))
    ta.members.change_role("anna", team.id, "ben", "admin", until=_later(clock, 2))
    ta.members.add("anna", team.id, "dora", expires_at=_later(clock, 40))
    soon = ta.grants.expiring("anna", team.id, within=timedelta(days=30))
    assert [(g.kind, g.user_id, g.ends_at) for g in soon] == [
        ("role", "ben", _later(clock, 2)),
        ("membership", "carl", _later(clock, 3)),
    ]
    mine = ta.grants.expiring_for_user("carl", "carl", within=timedelta(days=7))
    assert [(g.company_id, g.ends_at) for g in mine] == [(team.id, _later(clock, 3))]
    with pytest.raises(AccessDenied, match="R-TIME-3"):
        ta.grants.expiring("carl", team.id, within=timedelta(days=30))
    with pytest.raises(AccessDenied):
        ta.grants.expiring_for_user("carl", "dora", within=timedelta(days=30))
    ta.users.register("xaver", "xaver@example.com")
    with pytest.raises(NotAMember) as existing:
        ta.grants.expiring("xaver", team.id, within=timedelta(days=30))
    with pytest.raises(NotAMember) as missing:
        ta.grants.expiring("xaver", "no-such-company", within=timedelta(days=30))
    assert existing.value.decision.reason == missing.value.decision.reason == "not_a_member"
    with pytest.raises(InvalidInput):
        ta.grants.expiring("anna", team.id, within=timedelta(0))


def test_r_time_3_reverse_queries_and_review_show_windows(ta, clock) -> None:
    """R-TIME-3: who_may, where_may and the access review show each membership's window, and after its end they leave it out as the check denies it."""
    team = make_team(ta)
    end = _later(clock, 3)
    ta.members.add("anna", team.id, "carl", expires_at=end)
    holders = ta.access.who_may("anna", team.id, Action.OPEN_BACKOFFICE).items
    assert [(h.user_id, h.expires_at) for h in holders] == [
        ("anna", None),
        ("ben", None),
        ("carl", end),
    ]
    (where,) = ta.access.where_may("carl", "carl", Action.OPEN_BACKOFFICE).items
    assert (where.company_id, where.expires_at) == (team.id, end)
    rows = ta.access.review("anna", team.id).rows
    assert [r.until for r in rows if r.subject == "carl" and r.kind == "role"] == [end.isoformat()]
    clock.now = end
    holders = ta.access.who_may("anna", team.id, Action.OPEN_BACKOFFICE).items
    assert [h.user_id for h in holders] == ["anna", "ben"]
    assert ta.access.where_may("carl", "carl", Action.OPEN_BACKOFFICE).items == ()
    assert "carl" not in {r.subject for r in ta.access.review("anna", team.id).rows}


def test_r_time_3_who_may_pages_are_full_when_ended_members_lie_between(ta, clock) -> None:
    """R-TIME-3: members whose window ended (not yet swept) leave no short or empty page before the end."""
    team = make_team(ta)
    end = _later(clock, 3)
    for user in ("bea", "bert", "bob"):  # between anna and ben by id
        ta.users.register(user, f"{user}@example.com")
        ta.members.add("anna", team.id, user, expires_at=end)
    ta.members.add("anna", team.id, "carl")
    clock.now = end
    pages, after = [], None
    while True:
        page = ta.access.who_may("anna", team.id, Action.OPEN_BACKOFFICE, after=after, limit=1)
        pages.append([h.user_id for h in page.items])
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == [["anna"], ["ben"], ["carl"]]


def test_r_time_4_extend_and_shorten_are_commands_with_their_event(ta, clock) -> None:
    """R-TIME-4: a team manager moves a window with MembershipWindowChanged each time; the same window again emits nothing."""
    team = make_team(ta)
    first, longer, shorter = (_later(clock, d) for d in (3, 10, 1))
    ta.members.add("anna", team.id, "carl", expires_at=first)
    ta.grants.set_window("anna", team.id, "carl", expires_at=longer)
    ta.grants.set_window("anna", team.id, "carl", expires_at=shorter)
    ta.grants.set_window("anna", team.id, "carl", expires_at=shorter)
    changes = _events(ta, MembershipWindowChanged)
    assert [(e.old_expires_at, e.expires_at) for e in changes] == [
        (first, longer),
        (longer, shorter),
    ]
    clock.now = shorter
    assert ta.check("carl", team.id, Action.OPEN_BACKOFFICE).reason == "expired"


def test_r_time_4_only_who_may_hand_it_out_changes_a_window(ta, clock) -> None:
    """R-TIME-4, R-MEM-9, R-ALL-9, R-CO-8: a plain member is denied, an outsider gets not_a_member, a suspended company refuses; nothing changes."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 3))
    ta.users.register("xaver", "xaver@example.com")
    before = dump(ta.store)
    with pytest.raises(AccessDenied):
        ta.grants.set_window("ben", team.id, "carl", expires_at=_later(clock, 30))
    with pytest.raises(NotAMember):
        ta.grants.set_window("xaver", team.id, "carl", expires_at=_later(clock, 30))
    with pytest.raises(NotAMember):
        ta.grants.set_window("xaver", "no-such-company", "carl", expires_at=_later(clock, 30))
    assert dump(ta.store) == before


def test_r_time_4_suspended_company_refuses_window_changes(store, clock) -> None:
    """R-TIME-4, R-CO-8: while the company is suspended its windows cannot be changed; resumed, they can."""
    ta = seat_service(store, clock)
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 3))
    ta.companies.suspend(ADMIN, team.id, reason="unpaid")
    with pytest.raises(AccessDenied, match="company_suspended"):
        ta.grants.set_window("anna", team.id, "carl", expires_at=_later(clock, 30))
    ta.companies.resume(ADMIN, team.id)
    ta.grants.set_window("anna", team.id, "carl", expires_at=_later(clock, 30))


def test_r_time_4_nobody_hands_out_beyond_their_own_window(ta, clock) -> None:
    """R-TIME-4, R-MEM-9: an admin whose membership ends on a date may add or extend others only up to that date; beyond it (or with no end) is denied with window_above_actor."""
    team = make_team(ta)
    mine = _later(clock, 10)
    ta.members.change_role("anna", team.id, "ben", "admin")
    ta.grants.set_window("anna", team.id, "ben", expires_at=mine)
    before = dump(ta.store)
    with pytest.raises(AccessDenied, match="window_above_actor"):
        ta.members.add("ben", team.id, "carl")
    with pytest.raises(AccessDenied, match="window_above_actor"):
        ta.members.add("ben", team.id, "carl", expires_at=mine + timedelta(seconds=1))
    assert dump(ta.store) == before
    ta.members.add("ben", team.id, "carl", expires_at=mine)
    with pytest.raises(AccessDenied, match="window_above_actor"):
        ta.grants.set_window("ben", team.id, "carl", expires_at=_later(clock, 20))
    ta.grants.set_window("ben", team.id, "carl", expires_at=_later(clock, 5))


def test_r_time_1_instants_in_other_zones_are_stored_in_utc(ta, clock) -> None:
    """R-TIME-1: a window given in another time zone is the same instant, read back in UTC on every store."""
    team = make_team(ta)
    zone = timezone(timedelta(hours=2))
    end = (clock.now + timedelta(days=1)).astimezone(zone)
    added = ta.members.add("anna", team.id, "carl", expires_at=end)
    (stored,) = [m for m in ta.members.list("anna", team.id) if m.user_id == "carl"]
    assert stored.expires_at == added.expires_at == end
    assert stored.expires_at.utcoffset() == timedelta(0)


def test_r_time_2_first_member_of_an_empty_account_takes_no_window(store, clock) -> None:
    """R-TIME-2, R-MC-4: a partner's admin adding the first member of an empty account (who becomes its main contact) cannot give a window; without one they may."""
    ta = partner_service(store, clock)
    ta.members.leave("paula", "kunde-a")
    before = dump(ta.store)
    with pytest.raises(MainContactRequired, match="R-MC-4"):
        ta.members.add("paula", "kunde-a", "karl", role="admin", expires_at=_later(clock, 9))
    assert dump(ta.store) == before
    assert ta.members.add("paula", "kunde-a", "karl", role="admin").is_main_contact


def test_r_time_1_direct_tag_grant_opens_nothing_from_its_end(store, clock) -> None:
    """R-TIME-1, R-TIME-2, R-TIME-3, R-TAG-3: a direct tag grant with an end is listed as expiring and opens content until it, nothing from it on (before any sweep); the sweep ends it with TagGrantExpired saying another source still holds the tag, once."""
    ta = seat_service(store, clock)
    ta.users.register("zoe", "zoe@example.com")
    end = _later(clock, 2)
    ta.tags.grant(ADMIN, "zoe", "course-access", label="trial", expires_at=end)
    ta.tags.grant(ADMIN, "zoe", "course-access", label="forever")
    ta.tags.grant(ADMIN, "zoe", "webinar", label="trial", expires_at=end)
    assert ta.tags.can_access("zoe", "webinar").allowed
    soon = ta.grants.expiring_for_user("zoe", "zoe", within=timedelta(days=3))
    assert [(g.kind, g.role, g.ends_at) for g in soon] == [
        ("tag", "course-access", end),
        ("tag", "webinar", end),
    ]
    clock.now = end
    denied = ta.tags.can_access("zoe", "webinar")
    assert (denied.allowed, denied.reason) == (False, "missing_tag")
    assert ta.tags.can_access("zoe", "course-access").allowed  # another source (R-TAG-3)
    report = ta.grants.expire_due()
    assert sorted((g.kind, g.tag) for g in report.expired) == [
        ("tag", "course-access"),
        ("tag", "webinar"),
    ]
    assert report.next_due is None
    events = {e.tag: e.still_held for e in _events(ta, TagGrantExpired)}
    assert events == {"course-access": True, "webinar": False}
    assert ta.tags.of_user("zoe") == frozenset({"course-access"})
    assert ta.grants.expire_due().expired == ()
    assert len(_events(ta, TagGrantExpired)) == 2


def test_r_time_2_seat_with_an_end_is_taken_by_the_replacement_policy(store, clock) -> None:
    """R-TIME-1, R-TIME-2, R-TIME-3, R-TIME-4, R-SEAT-10: the leader gives a seat an end (SeatWindowChanged), the review shows it; from it on the seat's tag opens nothing; the sweep takes the seat once with EnrollmentExpired, freeing it (refill) or not (consume); a participant may not set it."""
    ta = seat_service(store, clock)
    end = _later(clock, 5)
    pools = {}
    for product in ("course", "consumed"):
        pool = ta.seats.purchase("buyer", product, 3, f"Group {product}")
        seat = ta.seats.enroll("buyer", pool.id, f"pia.{product}@example.com")
        ta.seats.set_window("buyer", pool.id, seat.user_id, expires_at=end)
        pools[product] = (pool.id, seat.user_id)
    pool_id, pia = pools["course"]
    with pytest.raises(AccessDenied, match="R-SEAT-4"):
        ta.seats.set_window(pia, pool_id, pia, expires_at=_later(clock, 50))
    (changed, _) = _events(ta, SeatWindowChanged)
    assert (changed.user_id, changed.old_expires_at, changed.expires_at) == (pia, None, end)
    team = make_team(ta)  # a company's pool: its review shows the seat's end (R-TIME-3)
    company_pool = ta.seats.purchase("anna", "course", 2, "Staff", company_id=team.id)
    staff = ta.seats.enroll("anna", company_pool.id, "ben@example.com")
    ta.seats.set_window("anna", company_pool.id, staff.user_id, expires_at=_later(clock, 9))
    rows = [r for r in ta.access.review("anna", team.id).rows if r.subject == "ben"]
    assert {r.kind: r.until for r in rows if r.kind in ("seat", "tag")} == {
        "seat": _later(clock, 9).isoformat(),
        "tag": _later(clock, 9).isoformat(),
    }
    assert ta.tags.can_access(pia, "course-access").allowed
    clock.now = end
    assert not ta.tags.can_access(pia, "course-access").allowed
    report = ta.grants.expire_due()
    assert sorted(g.kind for g in report.expired) == ["seat", "seat"]
    expired = {e.pool_id: e.seat_freed for e in _events(ta, EnrollmentExpired)}
    assert expired == {pools["course"][0]: True, pools["consumed"][0]: False}
    assert ta.seats.get(pools["course"][0]).used == 0
    assert ta.seats.get(pools["consumed"][0]).used == 1  # consumed for good (R-SEAT-10)
    assert ta.grants.expire_due().expired == ()
    assert len(_events(ta, EnrollmentExpired)) == 2


def test_r_time_1_invitation_gives_a_membership_that_ends(ta, clock) -> None:
    """R-TIME-1, R-TIME-4: an invitation with member_until gives a membership ending then (re-sent, it keeps it); an inviter whose own membership ends earlier cannot issue it, and one who lost that standing since cannot have it accepted."""
    team = make_team(ta)
    until = _later(clock, 20)
    issued = ta.invitations.send("anna", team.id, "carl@example.com", member_until=until)
    again = ta.invitations.resend("anna", team.id, issued.invitation.id)
    assert again.invitation.member_until == until
    joined = ta.invitations.accept("carl", again.token)
    assert joined.expires_at == until
    clock.now = until
    assert ta.check("carl", team.id, Action.OPEN_BACKOFFICE).reason == "expired"
    clock.now = until - timedelta(days=19)
    ta.members.change_role("anna", team.id, "ben", "admin")
    ta.grants.set_window("anna", team.id, "ben", expires_at=_later(clock, 5))
    with pytest.raises(AccessDenied, match="window_above_actor"):
        ta.invitations.send("ben", team.id, "dora@example.com", member_until=_later(clock, 6))
    late = ta.invitations.send("ben", team.id, "dora@example.com", member_until=_later(clock, 5))
    ta.grants.set_window("anna", team.id, "ben", expires_at=_later(clock, 4))
    with pytest.raises(AccessDenied, match=r"may no longer .* ending by"):
        ta.invitations.accept("dora", late.token)


def test_r_time_1_work_is_not_assigned_to_an_expired_member(ta, clock) -> None:
    """R-TIME-1, R-LEAD-5: an inbox request cannot be assigned to a member whose membership has ended (MembershipNotFound, as for a non-member); nothing changes."""
    team = make_team(ta)
    ta.members.add("anna", team.id, "carl", expires_at=_later(clock, 1))
    request = ta.inbox.send(team.id, "contact", "kunde@example.com", "Offer?")
    ta.inbox.assign("anna", team.id, request.id, "carl")
    ta.inbox.assign("anna", team.id, request.id, "ben")
    clock.advance(days=1)
    before = dump(ta.store)
    with pytest.raises(MembershipNotFound):
        ta.inbox.assign("anna", team.id, request.id, "carl")
    assert dump(ta.store) == before
