"""A racing process of the Galera tests: one service on one node, commands on demand.

`serve` runs in a spawned process. It builds a service on its node's URL, then for
each task from ``tasks``: says it is ready, waits for ``go`` (all racers of a round
are released together), runs the call, and answers with its outcome and how often
the service retried it (counted from the ``teamaccess.storage`` log).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.errors import TeamAccessError, TransientStorageError
from teamaccess.testing import make_service
from teamaccess.values import RetryPolicy

RETRY_POLICY = RetryPolicy(
    attempts=int(os.environ.get("TEAMACCESS_GALERA_ATTEMPTS", "6")),
    base_delay=float(os.environ.get("TEAMACCESS_GALERA_BASE_DELAY", "0.005")),
    max_delay=0.25,
)
"""The library's default; ``TEAMACCESS_GALERA_BASE_DELAY=0 ..._ATTEMPTS=4`` is the old
three immediate retries."""

SYNC_WAIT = {"init_command": "SET SESSION wsrep_sync_wait = 1"}
"""Reads on a node wait until it has applied what the cluster committed before them."""


class _Retries(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying"):
            self.count += 1


def service(url: str, prefix: str, *, lock_writes: bool = True, pool_size: int = 4) -> Any:
    """The service the tests use on one node (directory: ``x@example.com`` is user ``x``)."""
    engine = create_engine(url, pool_size=pool_size, connect_args=SYNC_WAIT)
    store = SqlStore(engine, prefix=prefix, lock_writes=lock_writes, fast_path_connections=2)
    return make_service(
        store,
        platform_admins={"admin"},
        directory=lambda email: email.split("@")[0],
        retry_policy=RETRY_POLICY,
    )


def serve(url: str, prefix: str, lock_writes: bool, tasks: Any, answers: Any, go: Any) -> None:
    """Answer tasks ``(method, args)`` with ``(kind, detail, retries)`` until ``None``."""
    logging.basicConfig(level=logging.CRITICAL)
    counter = _Retries()
    storage_log = logging.getLogger("teamaccess.storage")
    storage_log.addHandler(counter)
    storage_log.setLevel(logging.INFO)
    storage_log.propagate = False
    ta = service(url, prefix, lock_writes=lock_writes)
    while (task := tasks.get()) is not None:
        method, args = task
        target: Any = ta
        for name in method.split("."):
            target = getattr(target, name)
        before = counter.count
        answers.put(("ready", None, 0))
        go.wait()
        try:
            result = target(*args)
        except TransientStorageError as error:
            outcome = ("transient", str(error)[:200])
        except TeamAccessError as error:
            outcome = (type(error).__name__, str(error)[:200])
        except Exception as error:  # reported, the test fails on it
            outcome = ("crash", repr(error)[:300])
        else:
            outcome = ("won", getattr(result, "id", None) or getattr(result, "user_id", None))
        answers.put((*outcome, counter.count - before))
