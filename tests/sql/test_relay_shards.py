"""Relay processes that share the outbox by shard (R-ALL-8), on PostgreSQL, MariaDB, SQLite.

- 3 relay processes over 3,000 events of 20 companies: every event delivered, none
  twice, each company's events in position order across the processes (one monotonic
  clock orders their deliveries), and every relay delivered a share of the work.
- 3 relay processes, one killed with SIGKILL while it holds a lease: the two others
  deliver everything (its batch again once its lease ends, its shards once it drops
  out); nothing lost, and no event of a company went out before an earlier one had.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.events import CompanyProfileUpdated
from teamaccess.testing import in_transaction

from ..backends import MARIADB, POSTGRES, SQLITE

BACKENDS = [
    pytest.param(POSTGRES, id="postgres"),
    pytest.param(MARIADB, id="mariadb"),
    pytest.param(SQLITE, id="sqlite"),
]
NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
CHILD = Path(__file__).with_name("relay_shard_child.py")


def _start(
    store: SqlStore, tmp_path: Path, count: int
) -> list[tuple[subprocess.Popen[bytes], Path]]:
    url = store.engine.url.render_as_string(hide_password=False)
    relays = []
    for i in range(count):
        out = tmp_path / f"r{i}.txt"
        out.touch()
        process = subprocess.Popen(
            [sys.executable, str(CHILD), url, store.tables.prefix, str(out), f"r{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        relays.append((process, out))
    for process, _ in relays:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
    return relays


def _leased(store: SqlStore) -> dict[str | None, int]:
    """How many pending events each relay holds."""
    outbox = store.tables.outbox
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.leased_by, sa.func.count())
            .where(outbox.c.delivered_at.is_(None))
            .group_by(outbox.c.leased_by)
        ).all()
    return {name: int(count) for name, count in rows}


def _fill(store: SqlStore, count: int, companies: int) -> set[int]:
    events = [
        CompanyProfileUpdated(
            occurred_at=NOW, actor_id=None, company_id=f"c{i % companies}", name=f"n{i}"
        )
        for i in range(count)
    ]
    in_transaction(store, lambda tx: tx.outbox.extend(events))
    return {m.position for m in in_transaction(store, lambda tx: tx.outbox.all())}


def _wait_until_empty(store: SqlStore, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while in_transaction(store, lambda tx: tx.outbox.count_pending()):
        assert time.monotonic() < deadline, "the relays did not deliver everything"
        time.sleep(0.05)


def _deliveries(outs: list[Path]) -> list[tuple[int, int, str, int]]:
    """Every delivery as (time, position, company, relay), in the order they were made."""
    return sorted(
        (int(at), int(position), company, relay)
        for relay, out in enumerate(outs)
        for at, position, company in (line.split() for line in out.read_text().splitlines())
    )


def _in_company_order(deliveries: list[tuple[int, int, str, int]]) -> None:
    """No event went out before every earlier event of its company had gone out once."""
    sent: dict[str, set[int]] = {}
    positions: dict[str, list[int]] = {}
    for _, position, company, _ in deliveries:
        positions.setdefault(company, []).append(position)
    for company, seen in positions.items():
        positions[company] = sorted(set(seen))
    for _, position, company, _ in deliveries:
        earlier = [p for p in positions[company] if p < position]
        assert set(earlier) <= sent.setdefault(company, set()), (company, position)
        sent[company].add(position)


@pytest.mark.xdist_group("relay_shards")
@pytest.mark.parametrize("backend", BACKENDS)
def test_r_all_8_three_relay_processes_share_the_work_in_company_order(backend, tmp_path) -> None:
    """R-ALL-8: 3 relay processes, 3,000 events of 20 companies: all delivered once, per company in order, each relay a share."""
    store = backend.store()
    store.clear()
    relays = _start(store, tmp_path, 3)
    try:
        expected = _fill(store, 3000, 20)  # fewer companies than a batch holds
        _wait_until_empty(store)
    finally:
        for process, _ in relays:
            process.communicate(b"")
    deliveries = _deliveries([out for _, out in relays])
    positions = [position for _, position, _, _ in deliveries]
    assert sorted(positions) == sorted(expected)  # every event, none twice
    _in_company_order(deliveries)
    per_relay = [sum(1 for d in deliveries if d[3] == i) for i in range(3)]
    print(f"deliveries per relay: {per_relay}")
    assert min(per_relay) >= 3000 // 10, per_relay  # each took a share (a third when even)
    assert in_transaction(store, lambda tx: tx.outbox.count_pending()) == 0


@pytest.mark.xdist_group("relay_shards")
@pytest.mark.parametrize("backend", BACKENDS)
def test_r_all_8_a_relay_killed_mid_lease_loses_nothing_and_keeps_order(backend, tmp_path) -> None:
    """R-ALL-8: one of 3 relay processes is killed with SIGKILL holding a lease; the others deliver every event, per company in order."""
    store = backend.store()
    store.clear()
    relays = _start(store, tmp_path, 3)
    victim, victim_out = relays[0]
    try:
        expected = _fill(store, 3000, 60)
        deadline = time.monotonic() + 30
        while True:  # stop it when it holds a lease (it has delivered some of a batch), kill it
            assert time.monotonic() < deadline, "the relay never held a lease"
            if victim_out.stat().st_size:
                victim.send_signal(signal.SIGSTOP)
                held = _leased(store).get("r0", 0)
                if held:
                    break
                victim.send_signal(signal.SIGCONT)
            time.sleep(0.005)
        victim.kill()
        victim.communicate()  # waits, closes its pipes
        assert held > 0  # killed in the middle of its lease
        _wait_until_empty(store)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.communicate()
        for process, _ in relays[1:]:
            process.communicate(b"")
    deliveries = _deliveries([out for _, out in relays])
    assert {position for _, position, _, _ in deliveries} == expected  # nothing lost
    _in_company_order(deliveries)
    survivors = {d[1] for d in deliveries if d[3] != 0}
    print(f"killed holding {held}; {len(deliveries)} deliveries of {len(expected)} events")
    assert len(survivors) > len(expected) // 2  # the others took over its share
