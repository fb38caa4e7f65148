"""Seed 002: a company buys course seats for its staff and fills them from a CSV file.

An online-course author sells "group access": a buyer purchases N seats, becomes the
group leader, enrolls colleagues (one by one or from a CSV file, all or nothing) and
replaces people who leave. Access to the courses follows a tag that the seat grants.
Run it: ``python examples/course_seats.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from teamaccess import MemoryStore, ReplacementPolicy, TeamAccess
from teamaccess.errors import AccessDenied, CsvImportError, SeatsExhausted
from teamaccess.events import ParticipantEnrolled


def user_id_for(email: str) -> str:
    """The host's id for a person enrolled by address: here, the address's local part."""
    return email.partition("@")[0]


ta = TeamAccess(MemoryStore(), platform_admins={"author"}, directory=user_id_for)
ta.users.register("author", "author@spreadmind.example")
ta.users.register("greta", "greta@firma.example")
# --8<-- [end:setup]


def main() -> None:
    """Buy, enroll, import, replace; then ask who may open the course."""
    # --8<-- [start:product]
    ta.seats.create_product(
        "author", "seo-course", "SEO course", tag="seo-course", replacement=ReplacementPolicy.REFILL
    )
    pool = ta.seats.purchase("greta", "seo-course", 4, "Marketing team of Firma GmbH")
    print(f"greta leads {pool.title!r}: {pool.usage}")  # 4/4 free
    print("greta opens the course:", ta.tags.can_access("greta", "seo-course"))  # no seat for her
    # --8<-- [end:product]

    # --8<-- [start:enroll]
    hans = ta.seats.enroll("greta", pool.id, "Hans@Firma.example")  # registers hans if needed
    print("hans opens the course:", ta.tags.can_access(hans.user_id, "seo-course"))
    print("hans manages the group:", ta.seats.check_group(hans.user_id, pool.id))
    # --8<-- [end:enroll]

    # --8<-- [start:csv]
    bad = "email;name\nida@firma.example;Ida\nnot-an-address;Bad\nhans@firma.example;Hans\n"
    try:
        ta.seats.enroll_csv("greta", pool.id, bad)
    except CsvImportError as refused:
        for row in refused.errors:
            print("  refused:", row)  # row 3 malformed, row 4 already enrolled
    print("after the bad file:", ta.seats.get(pool.id).usage)  # unchanged: 3/4 free

    good = "email\nida@firma.example\njan@firma.example\n"
    print("rows that would be enrolled:", ta.seats.validate_csv("greta", pool.id, good))
    ta.seats.enroll_csv(
        "greta",
        pool.id,
        good,
        progress=lambda done, total, phase: print(f"  {phase} {done}/{total}"),
    )
    print("after the good file:", ta.seats.get(pool.id).usage)  # 1/4 free
    # --8<-- [end:csv]

    # --8<-- [start:replace]
    ta.seats.remove("greta", pool.id, hans.user_id)
    print("hans after removal:", ta.tags.can_access(hans.user_id, "seo-course"))
    ta.seats.enroll("greta", pool.id, "kim@firma.example")  # the refilled seat
    ta.seats.enroll("greta", pool.id, "lou@firma.example")
    try:
        ta.seats.enroll("greta", pool.id, "mo@firma.example")
    except SeatsExhausted as full:
        print("mo:", full)
    ta.seats.resize("greta", pool.id, 5)  # buy one more seat
    ta.seats.enroll("greta", pool.id, "mo@firma.example")
    view = ta.seats.group("greta", pool.id)
    print(view.pool.usage, [e.user_id for e in view.participants])
    assert [e.user_id for e in view.participants] == ["ida", "jan", "kim", "lou", "mo"]
    # --8<-- [end:replace]

    # --8<-- [start:leader-only]
    try:
        ta.seats.enroll(hans.user_id, pool.id, "nina@firma.example")
    except AccessDenied as denied:
        print("hans enrolls nina:", denied.decision)
    # --8<-- [end:leader-only]

    # --8<-- [start:events]
    enrolled = [
        m.event for m in ta.outbox.pending(1000) if isinstance(m.event, ParticipantEnrolled)
    ]
    print("enrolment e-mails to send:", len(enrolled))
    assert len(enrolled) == 6
    # --8<-- [end:events]


if __name__ == "__main__":
    main()
