"""How a command is retried after a serialization failure or deadlock (R-ALL-12).

Each command is one transaction; when the database refuses it as a whole with a
transient error (PostgreSQL 40001/40P01/55P03, MariaDB 1213/1205, a locked SQLite file,
a Galera certification conflict, which arrives as 1213 at COMMIT) nothing was written,
and the service runs the whole command again. Retrying at once makes the same racers
collide again; `RetryPolicy` spaces the attempts out with exponential backoff and full
jitter (each delay drawn uniformly from zero to a cap that doubles per retry, as in
"Exponential Backoff And Jitter", AWS Architecture Blog, 2015), bounded by a number of
attempts and a time budget. Which errors count as transient is the SQL adapter's
decision (``adapters/sql/_repo.py``), not the policy's.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import attrs

from teamaccess.errors import InvalidInput

__all__ = ["DEFAULT_RETRY_POLICY", "RetryPolicy"]


def _attempts(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"RetryPolicy attempts must be an integer >= 1: {value!r}")


def _seconds(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "deadline":
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidInput(f"RetryPolicy {attribute.name} must be seconds >= 0: {value!r}")


@attrs.frozen
class RetryPolicy:
    """How often, and how far apart, a command is retried after a transient failure.

    Pass one to [TeamAccess][teamaccess.TeamAccess] or
    [AsyncTeamAccess][teamaccess.AsyncTeamAccess] as ``retry_policy``. Retry ``n``
    (``n = 1`` after the first failure) waits a random time between 0 and
    ``min(max_delay, base_delay * 2 ** (n - 1))`` (full jitter). No retry starts once
    ``attempts`` tries are used, or when its delay would end later than ``deadline``
    seconds after the first try began; the last `TransientStorageError
    <teamaccess.errors.TransientStorageError>` is raised then. Each retry is logged
    at WARNING on ``teamaccess.storage`` with the attempt and the delay.

    Attributes:
        attempts: Tries of one command in all, the first included; 1 never retries.
        base_delay: The cap of the first retry's delay, in seconds.
        max_delay: The largest cap, in seconds (not smaller than ``base_delay``).
        deadline: Seconds from the first try after which no retry starts; ``None``
            leaves only ``attempts`` as the bound.
    """

    attempts: int = attrs.field(default=6, validator=_attempts)
    base_delay: float = attrs.field(default=0.005, validator=_seconds)
    max_delay: float = attrs.field(default=0.25, validator=_seconds)
    deadline: float | None = attrs.field(default=5.0, validator=_seconds)

    def __attrs_post_init__(self) -> None:
        if self.max_delay < self.base_delay:
            raise InvalidInput(
                f"RetryPolicy max_delay {self.max_delay!r} is below base_delay {self.base_delay!r}"
            )

    def cap(self, retry: int) -> float:
        """The largest delay before retry number ``retry`` (1 for the first retry)."""
        if retry < 1:
            raise InvalidInput(f"retry numbers start at 1: {retry!r}")
        if self.base_delay == 0:
            return 0.0
        doublings = min(retry - 1, 64)  # 2 ** 64 times any base is past every max_delay
        return float(min(self.max_delay, self.base_delay * 2.0**doublings))

    def delay(self, retry: int, uniform: Callable[[], float] = random.random) -> float:
        """A delay before retry ``retry``: ``uniform()`` (in [0, 1)) times `cap` (full jitter)."""
        return uniform() * self.cap(retry)

    @classmethod
    def from_retries(cls, retries: int) -> RetryPolicy:
        """The default policy with ``retries`` retries, i.e. ``retries + 1`` attempts."""
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InvalidInput(f"retries must be an integer >= 0: {retries!r}")
        return cls(attempts=retries + 1)


DEFAULT_RETRY_POLICY = RetryPolicy()
"""Six tries, delays capped at 5, 10, 20, 40, 80 ms, within 5 seconds."""
