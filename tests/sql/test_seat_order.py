"""R-ALL-8: a seat command of a company's pool takes the company's lock first (PostgreSQL, MariaDB).

A pool enroll runs in a host transaction held open; meanwhile ``members.add`` on the
same company starts. Were the pool locked without its company, ``members.add`` would
commit first with later positions, and a relay polling in between would deliver the
company's events out of position order (13, 10, 11, 12). With the company's lock it
waits for the enroll to commit, and the company's events arrive in position order.
"""

from __future__ import annotations

import threading

import pytest

from teamaccess.adapters.sql import SqlStore
from teamaccess.relay import Relay
from teamaccess.testing import make_service

from ..backends import MARIADB, POSTGRES

SERVERS = [pytest.param(POSTGRES, id="postgres"), pytest.param(MARIADB, id="mariadb")]
ADMIN = "admin"


def _store(backend) -> SqlStore:
    store = backend.store()
    store.clear()
    return store


@pytest.mark.parametrize("command", ["enroll", "enroll_csv", "resize", "remove", "reinvite"])
@pytest.mark.parametrize("backend", SERVERS)
def test_r_all_8_a_held_seat_command_keeps_its_company_events_in_position_order(
    backend, command: str
) -> None:
    """R-ALL-8: members.add waits for an open pool command of the same company; acme's events arrive in position order."""
    store = _store(backend)
    ta = make_service(store, platform_admins={ADMIN})
    for user in (ADMIN, "anna", "ben", "eva"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.seats.create_product(ADMIN, "course", "Course", tag="course-access")
    pool = ta.seats.purchase("anna", "course", 5, "ACME team", company_id="acme").id
    if command in {"remove", "reinvite"}:
        ta.seats.enroll("anna", pool, "eva@example.com")
    delivered: list[tuple[int, str | None]] = []
    relay = Relay(
        store, lambda envelope: delivered.append((envelope.position, envelope.company_id))
    )
    relay.drain()
    delivered.clear()
    added = threading.Thread(target=lambda: ta.members.add("anna", "acme", "ben"))
    with store.engine.connect() as slow:
        slow.begin()
        held = ta.bind(slow).seats
        {
            "enroll": lambda: held.enroll("anna", pool, "zoe@example.com"),
            "enroll_csv": lambda: held.enroll_csv("anna", pool, "email\nzoe@example.com\n"),
            "resize": lambda: held.resize("anna", pool, 9),
            "remove": lambda: held.remove("anna", pool, "eva"),
            "reinvite": lambda: held.reinvite("anna", pool, "eva"),
        }[command]()
        added.start()
        added.join(timeout=1.0)  # with the company's lock it is still waiting
        relay.drain()
        slow.commit()
    added.join()
    relay.drain()
    acme = [position for position, company in delivered if company == "acme"]
    assert len(acme) >= 2
    assert acme == sorted(acme), acme
