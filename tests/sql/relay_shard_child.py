"""A relay process for the shard tests: ``python relay_shard_child.py URL PREFIX OUT NAME``.

Prints ``ready`` once it runs; appends ``<monotonic ns> <position> <company>`` to OUT for
each delivery (flushed), the sink taking 1 ms like a webhook; stops when its stdin
closes, or is killed.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.relay import Relay


def main() -> None:
    url, prefix, out, name = sys.argv[1:5]
    store = SqlStore(create_engine(url), prefix=prefix, fast_path_connections=0)
    stop = threading.Event()
    with open(out, "a", encoding="utf-8") as file:

        def sink(envelope) -> None:
            time.sleep(0.001)
            file.write(f"{time.monotonic_ns()} {envelope.position} {envelope.company_id}\n")
            file.flush()

        def wait_for_stdin() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=wait_for_stdin, daemon=True).start()
        relay = Relay(store, sink, name=name, lease=timedelta(seconds=2), batch=25)
        print("ready", flush=True)
        relay.run(stop, idle=0.02)


if __name__ == "__main__":
    main()
