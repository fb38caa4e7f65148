"""A partner's sight of a child account in time, R-TIME-1..4, run against every adapter.

The link between a child account and its parent carries a window: members of the
parent (and of every ancestor above it) see the account's overview and manage its
team only inside it, and inside the window of every link between them (R-TIME-1); the
sweep records an ended sight once (R-TIME-2); what ends soon is a query, and reverse
queries and reviews agree with the check (R-TIME-3); the window is changed by a
command with its event, never beyond the actor's own (R-TIME-4).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from teamaccess import Action, TeamAccess
from teamaccess.errors import AccessDenied, InvalidInput, NotAMember
from teamaccess.events import PartnerSightExpired, PartnerSightWindowChanged
from teamaccess.testing import FrozenClock, dump
from teamaccess.testing.contract._partner_helpers import ADMIN, partner_service


def _events(ta: TeamAccess, kind: type) -> list:
    return [m.event for m in ta.outbox.pending(limit=1000) if isinstance(m.event, kind)]


def _later(clock: FrozenClock, days: float) -> datetime:
    return clock.now + timedelta(days=days)


def _tree(store, clock) -> TeamAccess:
    """The partner lm (paula admin, piet member) > kunde-a (paula, karl) > filiale (paula)."""
    ta = partner_service(store, clock)
    ta.members.add("paula", "kunde-a", "karl")
    ta.partners.create_child("paula", "kunde-a", "Filiale", company_id="filiale")
    return ta


def test_r_time_1_partner_sight_ends_at_its_expiry(store, clock) -> None:
    """R-TIME-1: at the sight window's end the check (and expand) denies a member of the parent with expired, naming the date, before any sweep; one instant earlier it allows."""
    ta = _tree(store, clock)
    end = _later(clock, 30)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=end)
    clock.now = end - timedelta(microseconds=1)
    assert ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW).allowed
    clock.now = end
    denied = ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW)
    assert (denied.allowed, denied.reason, denied.rule) == (False, "expired", "R-TIME-1")
    assert end.isoformat() in denied.detail
    assert ta.access.expand("piet", "piet", "kunde-a", Action.VIEW_OVERVIEW).decision == denied
    assert ta.partners.ancestors("kunde-a") == ["lm"]  # the link stays


def test_r_time_1_partner_sight_ended_refuses_overview_and_team_management(store, clock) -> None:
    """R-TIME-1, R-PART-2, R-PART-5: after the end, before any sweep, the parent's members get no account overview, no row in the partner overview, and cannot manage the account's team; nothing changes."""
    ta = _tree(store, clock)
    ta.users.register("dora", "dora@example.com")
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=_later(clock, 1))
    assert [a.id for a in ta.partners.overview("piet", "lm").accounts] == ["filiale", "kunde-a"]
    clock.advance(days=1)
    before = dump(ta.store)
    with pytest.raises(AccessDenied, match="expired"):
        ta.partners.account_overview("piet", "kunde-a")
    assert ta.partners.overview("piet", "lm").accounts == ()
    with pytest.raises(AccessDenied, match="expired"):
        ta.members.add("piet", "kunde-a", "dora")
    with pytest.raises(AccessDenied, match="expired"):
        ta.members.remove("piet", "kunde-a", "karl")
    assert dump(ta.store) == before


def test_r_time_1_partner_sight_pending_before_its_start(store, clock) -> None:
    """R-TIME-1: before the sight window's start the parent's members are denied with not_yet_valid and the start; from it on they see the overview."""
    ta = _tree(store, clock)
    start = _later(clock, 3)
    ta.partners.set_sight_window("paula", "kunde-a", starts_at=start)
    denied = ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW)
    assert (denied.reason, denied.rule) == ("not_yet_valid", "R-TIME-1")
    assert start.isoformat() in denied.detail
    clock.now = start
    assert ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW).allowed


def test_r_time_1_partner_sight_window_leaves_the_accounts_own_members_alone(store, clock) -> None:
    """R-TIME-1: the account's own members (karl, and paula who is a member of both) keep their access after the sight window ended."""
    ta = _tree(store, clock)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=_later(clock, 1))
    clock.advance(days=2)
    assert ta.check("karl", "kunde-a", Action.OPEN_BACKOFFICE).allowed
    assert ta.check("paula", "kunde-a", Action.MANAGE_TEAM).allowed
    assert [m.user_id for m in ta.members.list("karl", "kunde-a")] == ["karl", "paula"]


def test_r_time_1_partner_sight_ending_higher_up_ends_sight_further_down(store, clock) -> None:
    """R-TIME-1: when the window of the link kunde-a > lm ends, lm's members lose sight of filiale below it too, while kunde-a's members keep theirs."""
    ta = _tree(store, clock)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=_later(clock, 1))
    assert ta.check("piet", "filiale", Action.VIEW_OVERVIEW).allowed
    clock.advance(days=1)
    denied = ta.check("piet", "filiale", Action.VIEW_OVERVIEW)
    assert (denied.reason, denied.rule) == ("expired", "R-TIME-1")
    assert ta.check("karl", "filiale", Action.VIEW_OVERVIEW).allowed
    with pytest.raises(AccessDenied, match="expired"):
        ta.partners.account_overview("piet", "filiale")


def test_r_time_4_partner_sight_window_needs_manage_team_in_the_parent(store, clock) -> None:
    """R-TIME-4, R-PART-5: a plain member of the parent, or an admin of the account itself, may not set the parent's sight window; nothing changes."""
    ta = _tree(store, clock)
    before = dump(ta.store)
    with pytest.raises(AccessDenied):
        ta.partners.set_sight_window("piet", "kunde-a", expires_at=_later(clock, 5))
    with pytest.raises(NotAMember):  # karl is no member of lm
        ta.partners.set_sight_window("karl", "kunde-a", expires_at=_later(clock, 5))
    assert dump(ta.store) == before


def test_r_time_4_partner_sight_window_outsider_learns_nothing(store, clock) -> None:
    """R-TIME-4, R-ALL-9: an outsider gets the same NotAMember for an existing account and a missing one."""
    ta = _tree(store, clock)
    with pytest.raises(NotAMember) as existing:
        ta.partners.set_sight_window("xaver", "kunde-a", expires_at=_later(clock, 5))
    with pytest.raises(NotAMember) as missing:
        ta.partners.set_sight_window("xaver", "no-such", expires_at=_later(clock, 5))
    assert str(existing.value).replace("kunde-a", "X") == str(missing.value).replace("no-such", "X")


def test_r_time_4_partner_sight_window_not_beyond_the_actors_own(store, clock) -> None:
    """R-TIME-4: an admin of the parent whose membership ends in 10 days may not give sight ending later, nor without end; within it they may."""
    ta = _tree(store, clock)
    ta.users.register("vera", "vera@example.com")
    ta.members.add("paula", "lm", "vera", role="admin", expires_at=_later(clock, 10))
    with pytest.raises(AccessDenied) as beyond:
        ta.partners.set_sight_window("vera", "kunde-a", expires_at=_later(clock, 20))
    assert beyond.value.decision.reason == "window_above_actor"
    with pytest.raises(AccessDenied):
        ta.partners.set_sight_window("vera", "kunde-a")
    ta.partners.set_sight_window("vera", "kunde-a", expires_at=_later(clock, 10))


def test_r_time_4_partner_sight_window_change_is_a_command_with_its_event(store, clock) -> None:
    """R-TIME-4: setting, extending and clearing the window each emit PartnerSightWindowChanged with old and new ends; an unchanged window emits nothing; a root account has no window; a platform admin may set it."""
    ta = _tree(store, clock)
    first, second = _later(clock, 5), _later(clock, 50)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=first)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=first)
    ta.partners.set_sight_window(ADMIN, "kunde-a", expires_at=second)
    ta.partners.set_sight_window("paula", "kunde-a")
    changes = _events(ta, PartnerSightWindowChanged)
    assert [(e.old_expires_at, e.expires_at) for e in changes] == [
        (None, first), (first, second), (second, None)
    ]  # fmt: skip
    assert {(e.company_id, e.parent_id) for e in changes} == {("kunde-a", "lm")}
    with pytest.raises(InvalidInput):
        ta.partners.set_sight_window("paula", "lm", expires_at=first)
    with pytest.raises(InvalidInput):
        ta.partners.set_sight_window("paula", "kunde-a", starts_at=second, expires_at=first)


def test_r_time_2_partner_sight_expiry_is_swept_once(store, clock) -> None:
    """R-TIME-2: the sweep writes one PartnerSightExpired per ended sight; a second sweep none; the link and the ended window stay, so the check still denies; a new window restores sight."""
    ta = _tree(store, clock)
    end = _later(clock, 1)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=end)
    assert ta.grants.expire_due().next_due == end
    clock.advance(days=1)
    report = ta.grants.expire_due()
    assert [(g.kind, g.company_id, g.parent_id) for g in report.expired] == [
        ("sight", "kunde-a", "lm")
    ]
    assert ta.grants.expire_due().expired == ()
    (event,) = _events(ta, PartnerSightExpired)
    assert (event.company_id, event.parent_id, event.expired_at, event.actor_id) == (
        "kunde-a", "lm", end, None,
    )  # fmt: skip
    assert ta.partners.ancestors("kunde-a") == ["lm"]
    assert ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW).reason == "expired"
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=_later(clock, 5))
    assert ta.check("piet", "kunde-a", Action.VIEW_OVERVIEW).allowed


def test_r_time_3_partner_sight_expiring_is_listed(store, clock) -> None:
    """R-TIME-3: expiring lists a sight window ending within the horizon, for the parent and for the account, and not one ending later."""
    ta = _tree(store, clock)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=_later(clock, 10))
    ta.partners.set_sight_window("paula", "filiale", expires_at=_later(clock, 90))
    for company in ("lm", "kunde-a"):
        rows = [g for g in ta.grants.expiring("paula", company) if g.kind == "sight"]
        assert [(g.company_id, g.parent_id, g.ends_at) for g in rows] == [
            ("kunde-a", "lm", _later(clock, 10))
        ]


def test_r_time_3_partner_sight_reverse_queries_and_review_agree_with_the_check(
    store, clock
) -> None:
    """R-TIME-3: who_may, where_may and the access review list the parent's members with the sight's window while it lasts, and leave them out once it ended, as the check does."""
    ta = _tree(store, clock)
    end = _later(clock, 3)
    ta.partners.set_sight_window("paula", "kunde-a", expires_at=end)
    overview = Action.VIEW_OVERVIEW

    def who() -> dict[str, object]:
        page = ta.access.who_may(ADMIN, "filiale", overview, limit=100)
        return {h.user_id: h.expires_at for h in page.items}

    def where() -> set[str]:
        return {h.company_id for h in ta.access.where_may("piet", "piet", overview).items}

    def reviewed() -> list[str]:
        rows = ta.access.review("paula", "kunde-a").rows
        return [r.until for r in rows if r.subject == "piet" and r.kind == "overview"]

    assert who()["piet"] == end
    assert where() == {"lm", "kunde-a", "filiale"}
    assert reviewed() == [end.isoformat()]
    for user in ("piet", "karl", "paula"):
        assert ta.check(user, "filiale", overview).allowed
    clock.now = end
    assert "piet" not in who()
    assert where() == {"lm"}
    assert reviewed() == []
    for user, company in (("piet", "filiale"), ("piet", "kunde-a")):
        assert not ta.check(user, company, overview).allowed
    assert set(who()) == {"karl", "paula"}
