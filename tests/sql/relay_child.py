"""A relay process for the kill -9 test: ``python relay_child.py URL PREFIX OUT``.

Appends each delivered position to OUT (one line, flushed) and runs until killed.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.relay import Relay


def main() -> None:
    url, prefix, out = sys.argv[1:4]
    store = SqlStore(create_engine(url), prefix=prefix, fast_path_connections=0)
    with open(out, "a", encoding="utf-8") as file:

        def sink(envelope) -> None:
            file.write(f"{envelope.position}\n")
            file.flush()
            time.sleep(0.0005)  # a receiver that takes a moment: kills land mid-batch

        Relay(store, sink, lease=timedelta(seconds=1), batch=50).run(threading.Event(), idle=0.05)


if __name__ == "__main__":
    main()
