"""Consistency tokens and read consistency modes (R-ALL-12, read-your-writes).

A [ConsistencyToken][teamaccess.consistency.ConsistencyToken] is a store's commit position: every
command issues one (``teamaccess.consistency.last_token()``), and a read that asks for
``Consistency.at_least(token)`` sees that command's writes. Its text form is short
and opaque (``ta1.p.3000060``), for a cookie or a header. Tokens of one store are
ordered: ``a >= b`` means that whatever ``b``'s command wrote is visible at ``a``.

The kinds, one per store kind:

- ``m``: the in-memory store's generation (committed changes so far);
- ``s``: SQLite, the outbox's highest position after the commit;
- ``y``: MariaDB/MySQL, the outbox's highest position after the commit;
- ``p``: PostgreSQL, the WAL insert position read after COMMIT on the command's
  own connection (``pg_current_wal_insert_lsn()``), which lies past the commit
  record; a replica whose replay position reached it has applied the commit.

A [Consistency][teamaccess.consistency.Consistency] says where a read may run, in the spirit of
SpiceDB's modes: ``fully_consistent()`` (the primary; what a read without a mode
does), ``at_least(token)`` (any node that has applied the token), and
``minimize_latency(max_staleness)`` (a replica that is at most that far behind).
"""

from __future__ import annotations

import enum
import re
from datetime import timedelta
from typing import Any

import attrs

from teamaccess.errors import InvalidInput, InvalidToken

__all__ = ["KINDS", "Consistency", "ConsistencyToken", "Mode"]

KINDS = {
    "m": "the in-memory store",
    "s": "SQLite",
    "y": "MariaDB/MySQL",
    "p": "PostgreSQL",
}
"""The token kinds and the stores that issue them."""

_PREFIX = "ta1"
_TEXT = re.compile(r"ta1\.([a-z])\.([0-9a-f]{1,16})")
_MAX = 2**64 - 1


def _position(_instance: Any, _attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX:
        raise InvalidToken(f"a token's position must be an integer in 0..2**64-1: {value!r}")


def _kind(_instance: Any, _attribute: Any, value: str) -> None:
    if value not in KINDS:
        raise InvalidToken(f"unknown token kind {value!r}; known: {', '.join(KINDS)}")


@attrs.frozen(order=False)
class ConsistencyToken:
    """A commit position of one store: what a read must have seen (R-ALL-12).

    ``str(token)`` is its short text (``ta1.<kind>.<hex position>``), ``parse`` its
    inverse. Tokens of one kind compare by position (``a >= b``: ``b``'s writes are
    visible at ``a``); comparing tokens of different kinds raises `InvalidToken`.

    Attributes:
        kind: Which store kind issued it (`KINDS`): ``m``, ``s``, ``y`` or ``p``.
        position: The position in that store: a generation, an outbox position, or a
            PostgreSQL LSN as a 64-bit integer.
    """

    kind: str = attrs.field(validator=_kind)
    position: int = attrs.field(validator=_position)

    def __str__(self) -> str:
        return f"{_PREFIX}.{self.kind}.{self.position:x}"

    @classmethod
    def parse(cls, text: object) -> ConsistencyToken:
        """The token whose text is ``text``; raise `InvalidToken` for anything else."""
        if not isinstance(text, str):
            raise InvalidToken(f"a consistency token is a string, not {type(text).__name__}")
        found = _TEXT.fullmatch(text)
        if found is None:
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise InvalidToken(
                f"not a teamaccess consistency token: {shown!r} (expected 'ta1.<kind>.<hex>')"
            )
        return cls(found[1], int(found[2], 16))

    @classmethod
    def of_lsn(cls, lsn: str) -> ConsistencyToken:
        """A PostgreSQL token of an LSN's text (``'16/B374D848'``)."""
        high, _, low = lsn.partition("/")
        return cls("p", (int(high, 16) << 32) | int(low, 16))

    @property
    def lsn(self) -> str:
        """The position as PostgreSQL writes an LSN (``'16/B374D848'``)."""
        return f"{self.position >> 32:X}/{self.position & 0xFFFFFFFF:X}"

    def _other(self, other: object) -> int:
        if not isinstance(other, ConsistencyToken):
            raise TypeError(f"cannot compare a consistency token with {type(other).__name__}")
        if other.kind != self.kind:
            raise InvalidToken(
                f"tokens of {KINDS[self.kind]} and {KINDS[other.kind]} do not compare"
            )
        return other.position

    def __lt__(self, other: object) -> bool:
        return self.position < self._other(other)

    def __le__(self, other: object) -> bool:
        return self.position <= self._other(other)

    def __gt__(self, other: object) -> bool:
        return self.position > self._other(other)

    def __ge__(self, other: object) -> bool:
        return self.position >= self._other(other)


class Mode(str, enum.Enum):
    """How consistent a read must be."""

    FULLY_CONSISTENT = "fully_consistent"
    AT_LEAST = "at_least"
    MINIMIZE_LATENCY = "minimize_latency"


def _staleness(_instance: Any, _attribute: Any, value: object) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
        raise InvalidInput(f"max_staleness must be a timedelta >= 0: {value!r}")


@attrs.frozen
class Consistency:
    """Where a read may run: build it with one of the three class methods (R-ALL-12).

    Reads and checks that take ``consistency=`` default to the primary, as before.
    On a store without replicas every mode reads the one database, which is always
    consistent.

    Attributes:
        mode: The mode: ``FULLY_CONSISTENT``, ``AT_LEAST`` or ``MINIMIZE_LATENCY``.
        token: For ``at_least``: the position the read must have seen.
        max_staleness: For ``minimize_latency``: how far behind a replica may be.
    """

    mode: Mode
    token: ConsistencyToken | None = None
    max_staleness: timedelta | None = attrs.field(default=None, validator=_staleness)

    @classmethod
    def fully_consistent(cls) -> Consistency:
        """Read on the primary: everything committed before the read is seen."""
        return cls(Mode.FULLY_CONSISTENT)

    @classmethod
    def at_least(cls, token: ConsistencyToken | str) -> Consistency:
        """Read on any node that has applied ``token`` (a token or its text)."""
        if isinstance(token, str):
            token = ConsistencyToken.parse(token)
        if not isinstance(token, ConsistencyToken):
            raise InvalidToken(f"at_least takes a ConsistencyToken, not {type(token).__name__}")
        return cls(Mode.AT_LEAST, token)

    @classmethod
    def minimize_latency(cls, max_staleness: timedelta = timedelta(seconds=1)) -> Consistency:
        """Read on a replica at most ``max_staleness`` behind the primary, else the primary."""
        if max_staleness is None:
            raise InvalidInput("max_staleness must be a timedelta >= 0: None")
        return cls(Mode.MINIMIZE_LATENCY, max_staleness=max_staleness)
