"""Seat pools and groups, R-SEAT-1..11, run against every adapter."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import (
    AccessDenied,
    AlreadyEnrolled,
    CsvImportError,
    InvalidInput,
    NotEnrolled,
    SeatsExhausted,
    SeatsInUse,
    UnknownGroup,
)
from teamaccess.events import EnrollmentNotificationRequested, ParticipantEnrolled
from teamaccess.testing import dump
from teamaccess.testing.contract._seat_helpers import ADMIN, seat_service


@pytest.fixture
def sta(store, clock) -> TeamAccess:
    return seat_service(store, clock)


def _events(ta: TeamAccess, kind: type) -> list:
    return [m.event for m in ta.outbox.pending(limit=10_000) if isinstance(m.event, kind)]


def test_r_seat_1_buyer_purchases_pool_and_leads_group(sta: TeamAccess) -> None:
    """R-SEAT-1: a pool of N seats with a chosen title; the buyer is the group leader."""
    pool = sta.seats.purchase("buyer", "course", 10, "Mitarbeiter der Spreadmind GmbH")
    assert (pool.seats, pool.title, pool.leader_id, pool.used) == (
        10,
        "Mitarbeiter der Spreadmind GmbH",
        "buyer",
        0,
    )
    assert sta.seats.check_group("buyer", pool.id).reason == "is_group_leader"


@pytest.mark.parametrize("seats", [0, -1, 2.5, "10", True])
def test_r_seat_1_pool_needs_at_least_one_whole_seat(sta: TeamAccess, store, seats) -> None:
    """R-SEAT-1: N must be a whole number >= 1; anything else is refused and changes nothing."""
    before = dump(store)
    with pytest.raises(InvalidInput, match="seats"):
        sta.seats.purchase("buyer", "course", seats, "Group")
    assert dump(store) == before


def test_r_seat_2_buyer_seat_counts_against_pool(sta: TeamAccess) -> None:
    """R-SEAT-2: a buyer who occupies a seat uses one of N and gets access."""
    pool = sta.seats.purchase("buyer", "course", 10, "Team", occupy_seat=True)
    assert (pool.used, pool.usage) == (1, "9/10 free")
    assert sta.tags.can_access("buyer", ["course-access"])


def test_r_seat_2_buyer_without_seat_has_no_access(sta: TeamAccess) -> None:
    """R-SEAT-2: a buyer who does not occupy a seat gets no content access through the group."""
    sta.seats.purchase("buyer", "course", 10, "Team")
    decision = sta.tags.can_access("buyer", ["course-access"])
    assert (decision.allowed, decision.reason) == (False, "missing_tag")


def test_r_seat_3_single_access_creates_no_group(sta: TeamAccess, store) -> None:
    """R-SEAT-3: a single-access purchase grants the buyer alone, with no pool."""
    sta.seats.purchase_single_access("buyer", "course")
    assert dump(store).pools == ()
    assert sta.tags.can_access("buyer", ["course-access"]).allowed


def test_r_seat_4_only_leader_or_platform_admin_manage(sta: TeamAccess) -> None:
    """R-SEAT-4: participants are denied the management view; the leader and an admin are not."""
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    sta.seats.enroll("buyer", pool.id, "eva@spreadmind.example")
    eva = sta.users.find_by_email("eva@spreadmind.example")
    assert str(sta.seats.check_group(eva.id, pool.id)) == "denied: not_group_leader (R-SEAT-4)"
    with pytest.raises(AccessDenied):
        sta.seats.group(eva.id, pool.id)
    with pytest.raises(AccessDenied):
        sta.seats.enroll(eva.id, pool.id, "max@spreadmind.example")
    assert [p.user_id for p in sta.seats.group(ADMIN, pool.id).participants] == [eva.id]
    assert sta.seats.check_group(ADMIN, pool.id).reason == "is_platform_admin"
    with pytest.raises(UnknownGroup):
        sta.seats.group("buyer", "no-such-pool")


def test_r_seat_4_a_buyer_finds_the_groups_they_lead(sta: TeamAccess) -> None:
    """R-SEAT-4: led_by lists every group the buyer leads (with and without a company), none of others'."""
    first = sta.seats.purchase("buyer", "course", 5, "Team A")
    second = sta.seats.purchase("buyer", "consumed", 2, "Team B")
    sta.users.register("other", "other@spreadmind.example")
    sta.seats.purchase("other", "course", 3, "Not theirs")
    led = sta.seats.led_by("buyer")
    assert [p.id for p in led] == sorted([first.id, second.id])
    assert all(p.leader_id == "buyer" for p in led)
    assert sta.seats.led_by("nobody") == []
    for pool in led:  # each one the buyer may manage
        assert sta.seats.check_group("buyer", pool.id).allowed


def test_r_seat_5_enroll_existing_user_by_normalized_email(sta: TeamAccess) -> None:
    """R-SEAT-5: an existing user with that normalized e-mail is enrolled, not duplicated."""
    sta.users.register("eva", "eva@spreadmind.example")
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    enrollment = sta.seats.enroll("buyer", pool.id, "  EVA@Spreadmind.example ")
    assert enrollment.user_id == "eva"


def test_r_seat_5_enroll_registers_new_user_through_directory(store, clock) -> None:
    """R-SEAT-5: an unknown e-mail is registered through the host's user directory, then enrolled."""
    asked: list[str] = []

    def directory(email: str) -> str:
        asked.append(email)
        return f"host-{len(asked)}"

    ta = seat_service(store, clock, directory=directory)
    pool = ta.seats.purchase("buyer", "course", 5, "Team")
    enrollment = ta.seats.enroll("buyer", pool.id, "New.Person@Example.com")
    assert asked == ["new.person@example.com"]
    assert enrollment.user_id == "host-1"
    assert ta.users.get("host-1").email == "new.person@example.com"


def test_r_seat_5_second_enrollment_is_refused(sta: TeamAccess) -> None:
    """R-SEAT-5: enrolling someone already enrolled raises AlreadyEnrolled; no second seat."""
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    sta.seats.enroll("buyer", pool.id, "eva@spreadmind.example")
    with pytest.raises(AlreadyEnrolled):
        sta.seats.enroll("buyer", pool.id, "Eva@Spreadmind.example")
    assert sta.seats.get(pool.id).used == 1


def test_r_seat_6_seats_never_exceed_pool_and_usage_is_reported(sta: TeamAccess) -> None:
    """R-SEAT-6: the (N+1)-th enrollment raises SeatsExhausted; usage reads "0/2 free"."""
    pool = sta.seats.purchase("buyer", "course", 2, "Team")
    sta.seats.enroll("buyer", pool.id, "a@example.com")
    sta.seats.enroll("buyer", pool.id, "b@example.com")
    with pytest.raises(SeatsExhausted, match="0/2 free"):
        sta.seats.enroll("buyer", pool.id, "c@example.com")
    assert sta.seats.get(pool.id).usage == "0/2 free"
    assert sta.users.find_by_email("c@example.com") is None


def test_r_seat_7_csv_with_bad_rows_enrolls_nobody_and_reports_each(sta: TeamAccess, store) -> None:
    """R-SEAT-7: 10 good rows and 3 bad ones: nobody enrolled, exactly the 3 rows reported."""
    pool = sta.seats.purchase("buyer", "course", 20, "Team")
    good = [f"person{i}@example.com" for i in range(10)]
    lines = ["email;name", *[f"{e};P {i}" for i, e in enumerate(good[:5])],
             "not-an-address;Bad", *[f"{e};P" for e in good[5:]], "PERSON0@example.com;Dup", ";Empty"]  # fmt: skip
    before = dump(store)
    with pytest.raises(CsvImportError) as caught:
        sta.seats.enroll_csv("buyer", pool.id, "\n".join(lines).encode())
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (7, "email"),
        (13, "email"),
        (14, "email"),
    ]
    assert "duplicate of row 2" in caught.value.errors[1].reason
    assert dump(store) == before


def test_r_seat_7_csv_with_more_rows_than_free_seats_fails_whole(sta: TeamAccess, store) -> None:
    """R-SEAT-7: rows beyond the free seats are each reported; nothing is enrolled."""
    pool = sta.seats.purchase("buyer", "course", 3, "Team", occupy_seat=True)
    data = "\ufeffemail\n" + "".join(f"p{i}@example.com\n" for i in range(4))
    before = dump(store)
    with pytest.raises(CsvImportError) as caught:
        sta.seats.enroll_csv("buyer", pool.id, data)
    assert [e.row for e in caught.value.errors] == [4, 5]
    assert "no free seat" in caught.value.errors[0].reason
    assert dump(store) == before


def test_r_seat_7_csv_reports_format_and_seat_errors_together(sta: TeamAccess, store) -> None:
    """R-SEAT-7: a malformed row, an enrolled person and an overflow are all reported at once."""
    pool = sta.seats.purchase("buyer", "course", 2, "Team")
    sta.seats.enroll("buyer", pool.id, "eva@example.com")
    data = "email\nnew@example.com\nbroken\nEVA@example.com\nlate@example.com\n"
    before = dump(store)
    with pytest.raises(CsvImportError) as caught:
        sta.seats.enroll_csv("buyer", pool.id, data)
    assert [(e.row, e.reason.split(":")[0]) for e in caught.value.errors] == [
        (3, "invalid e-mail address"),
        (4, "already enrolled"),
        (5, "no free seat"),
    ]
    assert dump(store) == before


def test_r_seat_7_good_csv_enrolls_everyone(sta: TeamAccess) -> None:
    """R-SEAT-7: a valid file (BOM, commas, quotes, blank lines) enrolls every row at once."""
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    data = '\ufeff"Name","E-Mail"\r\n"Berg, Anna","anna@example.com"\r\n\r\nBen,BEN@example.com\r\n'
    enrolled = sta.seats.enroll_csv("buyer", pool.id, data.encode())
    assert len(enrolled) == 2
    assert sta.seats.get(pool.id).usage == "3/5 free"


def test_r_seat_8_enrollment_emits_notification_and_reinvite_again(sta: TeamAccess) -> None:
    """R-SEAT-8: each enrollment asks the host to notify; a re-invite asks again."""
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    enrollment = sta.seats.enroll("buyer", pool.id, "eva@example.com")
    sta.seats.reinvite("buyer", pool.id, enrollment.user_id)
    notes = _events(sta, EnrollmentNotificationRequested)
    assert [(n.email, n.reinvite) for n in notes] == [
        ("eva@example.com", False),
        ("eva@example.com", True),
    ]
    with pytest.raises(NotEnrolled):
        sta.seats.reinvite("buyer", pool.id, "buyer")


def test_r_seat_8_notifications_switchable_per_product(store, clock) -> None:
    """R-SEAT-8: a product with notify_on_enroll=False enrolls without a notification event."""
    ta = seat_service(store, clock)
    ta.seats.create_product(ADMIN, "quiet", "Quiet course", tag="quiet", notify_on_enroll=False)
    pool = ta.seats.purchase("buyer", "quiet", 5, "Team")
    ta.seats.enroll("buyer", pool.id, "eva@example.com")
    assert _events(ta, EnrollmentNotificationRequested) == []
    assert len(_events(ta, ParticipantEnrolled)) == 1


def test_r_seat_9_removal_ends_access_at_once(sta: TeamAccess) -> None:
    """R-SEAT-9: a removed participant is denied content immediately."""
    pool = sta.seats.purchase("buyer", "course", 5, "Team")
    eva = sta.seats.enroll("buyer", pool.id, "eva@example.com").user_id
    assert sta.tags.can_access(eva, ["course-access"])
    sta.seats.remove("buyer", pool.id, eva)
    assert not sta.tags.can_access(eva, ["course-access"])
    with pytest.raises(NotEnrolled):
        sta.seats.remove("buyer", pool.id, eva)


def test_r_seat_10_refill_frees_the_seat(sta: TeamAccess) -> None:
    """R-SEAT-10: under the default refill policy a removed participant's seat is free again."""
    pool = sta.seats.purchase("buyer", "course", 1, "Team")
    eva = sta.seats.enroll("buyer", pool.id, "eva@example.com").user_id
    sta.seats.remove("buyer", pool.id, eva)
    assert sta.seats.get(pool.id).usage == "1/1 free"
    sta.seats.enroll("buyer", pool.id, "max@example.com")


def test_r_seat_10_consume_keeps_the_seat_used(sta: TeamAccess) -> None:
    """R-SEAT-10: under consume the seat stays used and the pool shrinks for good."""
    pool = sta.seats.purchase("buyer", "consumed", 1, "Team")
    eva = sta.seats.enroll("buyer", pool.id, "eva@example.com").user_id
    sta.seats.remove("buyer", pool.id, eva)
    after = sta.seats.get(pool.id)
    assert (after.used, after.consumed, after.usage) == (1, 1, "0/1 free")
    with pytest.raises(SeatsExhausted):
        sta.seats.enroll("buyer", pool.id, "max@example.com")


def test_r_seat_11_grow_allowed_shrink_below_use_refused(sta: TeamAccess) -> None:
    """R-SEAT-11: a pool grows; shrinking below the seats in use raises SeatsInUse."""
    pool = sta.seats.purchase("buyer", "course", 2, "Team")
    sta.seats.enroll("buyer", pool.id, "a@example.com")
    sta.seats.enroll("buyer", pool.id, "b@example.com")
    assert sta.seats.resize("buyer", pool.id, 5).usage == "3/5 free"
    with pytest.raises(SeatsInUse, match="2 in use"):
        sta.seats.resize("buyer", pool.id, 1)
    assert sta.seats.resize("buyer", pool.id, 2).usage == "0/2 free"


def test_r_seat_7_dry_run_reports_like_the_import_and_writes_nothing(
    sta: TeamAccess, store
) -> None:
    """R-SEAT-7: validate_csv counts a good file's people and lists a bad file's rows exactly as enroll_csv does, changing nothing."""
    pool = sta.seats.purchase("buyer", "course", 5, "Group")
    sta.seats.enroll("buyer", pool.id, "taken@example.com")
    good = "email\na@example.com\nb@example.com\n"
    bad = "email\nnot-an-address\ntaken@example.com\nc@example.com\n"
    before = dump(store)
    assert sta.seats.validate_csv("buyer", pool.id, good) == 2
    with pytest.raises(CsvImportError) as dry:
        sta.seats.validate_csv("buyer", pool.id, bad)
    assert dump(store) == before
    with pytest.raises(CsvImportError) as real:
        sta.seats.enroll_csv("buyer", pool.id, bad)
    assert dry.value.errors == real.value.errors
    assert [e.row for e in dry.value.errors] == [2, 3]
    with pytest.raises(AccessDenied):
        sta.seats.validate_csv("platform-admin-not", pool.id, good)
    assert len(sta.seats.enroll_csv("buyer", pool.id, good)) == 2


def test_r_seat_7_progress_names_the_phase_and_advances_while_writing(sta: TeamAccess) -> None:
    """R-SEAT-7: an import reports checking, then writing in batches of 1,000, then the committed total."""
    pool = sta.seats.purchase("buyer", "course", 2500, "Big group")
    data = "email\n" + "".join(f"p{i}@example.com\n" for i in range(2500))
    calls: list[tuple[int, int, str]] = []
    sta.seats.enroll_csv("buyer", pool.id, data, progress=lambda *call: calls.append(call))
    phases = [phase for _, _, phase in calls]
    assert phases == sorted(phases)  # every "checking" report comes before the "writing" ones
    assert calls[phases.index("writing") - 1] == (2500, 2500, "checking")
    writing = [(done, total) for done, total, phase in calls if phase == "writing"]
    assert writing == [(1000, 2500), (2000, 2500), (2500, 2500), (2500, 2500)]
    assert sta.seats.get(pool.id).usage == "0/2500 free"
