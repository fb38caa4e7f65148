"""The processes of the check cache's differential test (issue 29), started by multiprocessing.

``write(...)``: changes ben's standing in acme (membership, role, company suspension)
``rounds`` times, ``spacing`` seconds apart; after each command it puts ``(started, ended, token, allowed)`` on
``out``: when the command began and returned (``time.monotonic``, one clock for every
process of the machine), its consistency token, and the true answer from then on.

``ask(...)``: checks ben in acme through its own cache, alternating
``minimize_latency(bound)`` and ``at_least`` the newest token the writer published,
and sends ``(mode, started, ended, token, allowed)`` for each to ``out``, in lists of
up to 50,000. It pauses 0.3 ms between checks, so that 10,000 rounds keep a few
million answers, not the hundred million an unpaused SQLite checker would.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.consistency import Consistency, ConsistencyToken, last_token
from teamaccess.testing import make_service

ACTION = "open_backoffice"  # members may, and only while the company is not suspended
_PAUSE = 0.0003  # seconds between two checks: about 2,000 answers a second per checker
_CHUNK = 50_000  # answers sent to the parent at once


def _service(url: str, prefix: str, refresh: float | None) -> Any:
    options = {} if refresh is None else {"cache_refresh": timedelta(seconds=refresh)}
    store = SqlStore(create_engine(url), prefix=prefix, **options)
    return make_service(store, platform_admins={"admin"}, retries=20), store


def write(
    url: str, prefix: str, rounds: int, spacing: float, ready: Any, latest: Any, out: Any
) -> None:
    ta, store = _service(url, prefix, None)
    ready.wait(timeout=120)
    try:
        member, suspended = True, False
        for n in range(rounds):
            time.sleep(spacing)
            started = time.monotonic()
            step = n % 4  # membership, role, suspend, resume: members change while active
            if step == 0 or (step == 1 and not member):
                if member:
                    ta.members.remove("anna", "acme", "ben")
                else:
                    ta.members.add("anna", "acme", "ben")
                member = not member
            elif step == 1:
                role = "admin" if n % 8 == 1 else "member"
                ta.members.change_role("anna", "acme", "ben", role)
            elif step == 2:
                ta.companies.suspend("admin", "acme", reason="test")
                suspended = True
            else:
                ta.companies.resume("admin", "acme")
                suspended = False
            token = str(last_token())
            ended = time.monotonic()
            latest.value = token.encode()
            out.put((started, ended, token, member and not suspended))
    finally:
        out.put(None)
        store.engine.dispose()


def ask(
    url: str, prefix: str, refresh: float, bound: float, ready: Any, latest: Any, out: Any,
    stop: Any,
) -> None:  # fmt: skip
    ta, store = _service(url, prefix, refresh)
    ready.wait(timeout=120)
    staleness = Consistency.minimize_latency(timedelta(seconds=bound))
    answers: list[tuple[str, float, float, str, bool]] = []
    try:
        n = 0
        while not stop.is_set():
            n += 1
            text = latest.value.decode()
            if n % 2 or not text:
                mode, consistency, token = "latency", staleness, ""
            else:
                mode, token = "token", text
                consistency = Consistency.at_least(ConsistencyToken.parse(text))
            started = time.monotonic()
            allowed = ta.check("ben", "acme", ACTION, consistency=consistency).allowed
            answers.append((mode, started, time.monotonic(), token, allowed))
            if len(answers) == _CHUNK:
                out.put(answers)
                answers = []
            time.sleep(_PAUSE)
    finally:
        out.put(answers)
        out.put(None)
        store.engine.dispose()
