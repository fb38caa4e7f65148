"""What consistency tokens (R-ALL-12) cost: per command, and per check that names a mode.

A command reads its token once: inside the write transaction on SQLite and MariaDB
(the outbox's top), after COMMIT on PostgreSQL (one more round trip). This times a
command (a member's "show as contact" flag, toggled) with the token read and with it
left out, and a check without a mode, with ``at_least`` and inside a
``consistency_scope`` on a store without replicas (which reads its one database).

    python benchmarks/tokens.py [--url sqlite:///... | postgresql+psycopg://...] [--calls 500]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.consistency import Consistency, consistency_scope, last_token


def main() -> None:
    """Print microseconds per command and per check, with and without tokens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a database URL; default: a SQLite file")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'tokens.sqlite'}"
    store = SqlStore.from_url(url, prefix="tabench_tok_")
    store.create_schema()
    store.clear()
    try:
        measure(store, args.calls)
    finally:
        store.drop_schema()
        store.engine.dispose()


def per_call(fn: Callable[[], object], calls: int) -> float:
    """The median of five runs of ``calls`` calls, in microseconds per call."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        runs.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(runs)


def measure(store: SqlStore, calls: int) -> None:
    """Time commands and checks on ``store``."""
    ta = TeamAccess(store)
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    flag = [False]

    def toggle() -> None:
        flag[0] = not flag[0]
        ta.members.set_show_as_contact("ben", "acme", "ben", flag[0])

    command_calls = max(calls // 10, 10)
    issue = store._issue
    timed: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(5):  # interleaved, so that the machine's load falls on both alike
        for tokens in (True, False):
            store._issue = issue if tokens else (lambda *_a, **_k: None)  # type: ignore[method-assign]
            timed[tokens].append(per_call(toggle, command_calls))
    store._issue = issue  # type: ignore[method-assign]
    with_token, without = statistics.median(timed[True]), statistics.median(timed[False])
    toggle()
    token = last_token()
    assert token is not None
    mine = Consistency.at_least(token)

    def plain() -> object:
        return ta.check("ben", "acme", "open_backoffice")

    def at_least() -> object:
        return ta.check("ben", "acme", "open_backoffice", consistency=mine)

    def scoped() -> object:
        with consistency_scope(token):
            return ta.check("ben", "acme", "open_backoffice")

    print(f"store: {store.dialect} ({store.token_kind} tokens), {calls} calls")
    print(f"command, token read:      {with_token:8.1f} us")
    print(f"command, no token:        {without:8.1f} us")
    print(f"check, no mode:           {per_call(plain, calls):8.1f} us")
    print(f"check, at_least(token):   {per_call(at_least, calls):8.1f} us")
    print(f"check in a scope:         {per_call(scoped, calls):8.1f} us")


if __name__ == "__main__":
    main()
