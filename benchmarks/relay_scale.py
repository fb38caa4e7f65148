"""Benchmark: events per second with 1, 2 and 4 relay processes sharing one outbox.

The outbox holds N events of C companies (``CompanyProfileUpdated``, company
``c<i mod C>``). Each relay is a process of its own running ``Relay.run`` with a sink
that takes ``--sink-ms`` per event (a ``time.sleep``: the wait for a webhook's answer)
and records what it delivered. The clock runs from the start of the processes until
the outbox is empty. Per company, the delivery order is asserted to be position order
(each company's events come from one relay at a time, so one file's order is theirs),
and every event is asserted delivered.

The machine this was written on has 2 CPUs: relays that only used CPU could not go
faster than 2 at once; a sink that waits on I/O is what makes N > CPUs meaningful.

Run: ``python benchmarks/relay_scale.py [--stores postgres,mariadb,sqlite]
[--events 4000] [--companies 400] [--sink-ms 2] [--relays 1,2,4]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from teamaccess.adapters.sql import SqlStore
from teamaccess.events import CompanyProfileUpdated, Event
from teamaccess.testing import in_transaction

URLS = {
    "postgres": os.environ.get(
        "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "TEAMACCESS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}
PREFIX = f"bscale{os.getpid()}_"
NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)

CHILD = """
import sys, threading, time
from datetime import timedelta
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.relay import Relay

url, prefix, out, pause, name = sys.argv[1:6]
pause = float(pause)
store = SqlStore(create_engine(url), prefix=prefix, fast_path_connections=0)
stop = threading.Event()
with open(out, "a", encoding="utf-8") as file:
    def sink(envelope):
        time.sleep(pause)
        file.write(f"{time.monotonic_ns()} {envelope.position} {envelope.company_id}\\n")
        file.flush()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)
    Relay(store, sink, name=name, lease=timedelta(seconds=10), batch=50).run(stop, idle=0.05)
"""


def make_events(count: int, companies: int) -> list[Event]:
    """``count`` events of ``companies`` companies, round robin."""
    return [
        CompanyProfileUpdated(
            occurred_at=NOW, actor_id=None, company_id=f"c{i % companies}", name=f"n{i}"
        )
        for i in range(count)
    ]


def run(
    store: SqlStore, url: str, relays: int, pause: float, folder: Path, events: list[Event]
) -> float:
    """Events per second with ``relays`` relay processes; asserts order and completeness.

    The relays start on an empty outbox; the clock starts when all of them are ready and
    the events commit, in one transaction, and stops when none is pending.
    """
    store.clear()
    outs = [folder / f"r{relays}-{i}.txt" for i in range(relays)]
    for out in outs:
        out.write_text("")
    children = [
        subprocess.Popen(  # noqa: S603 - our own child, our own arguments
            [sys.executable, "-c", CHILD, url, PREFIX, str(out), str(pause), f"r{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for i, out in enumerate(outs)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == b"ready\n", "a relay process did not start"
        began = time.perf_counter()
        in_transaction(store, lambda tx: tx.outbox.extend(events))
        expected = {m.position for m in in_transaction(store, lambda tx: tx.outbox.all())}
        while in_transaction(store, lambda tx: tx.outbox.count_pending()):
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
    finally:
        for child in children:
            child.communicate(b"")  # closing stdin stops the relay
    lines = sorted(
        (int(at), int(position), company)
        for out in outs
        for at, position, company in (line.split() for line in out.read_text().splitlines())
    )  # the order the sinks were called in, across processes (one monotonic clock)
    seen: dict[str, list[int]] = {}
    for _, position, company in lines:
        seen.setdefault(company, []).append(position)
    delivered = {position for _, position, _ in lines}
    assert delivered == expected, "an event was not delivered"
    for company, positions in seen.items():
        assert positions == sorted(positions), f"company {company} out of order"
    return len(expected) / elapsed


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="postgres")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--sink-ms", type=float, default=2.0)
    parser.add_argument("--relays", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.relays.split(",")]
    print(
        f"{args.events} events of {args.companies} companies, sink {args.sink_ms:g} ms "
        f"per event, {os.cpu_count()} CPUs"
    )
    print(f"{'store':9} {'relays':>6} {'events/s':>9} {'vs 1':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.stores.split(","):
            url = URLS.get(name) or f"sqlite:///{Path(tmp) / 'scale.sqlite'}"
            store = SqlStore.from_url(url, prefix=PREFIX)
            store.create_schema()
            try:
                first = 0.0
                for relays in counts:
                    events = make_events(args.events, args.companies)
                    rate = run(store, url, relays, args.sink_ms / 1000, Path(tmp), events)
                    first = first or rate
                    print(f"{name:9} {relays:6} {rate:9,.0f} {rate / first:6.2f}")
            finally:
                store.drop_schema()
                store.engine.dispose()


if __name__ == "__main__":
    main()
