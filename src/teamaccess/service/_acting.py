"""The one seam that names a support grant and the request in every event of a command.

`ServiceCore.command` hands each unit of work an [Acting][teamaccess.service._acting.Acting]
view of its transaction when the service has platform staff. When
``ServiceCore.decide`` allows an action under a support grant it records the grant on
that view, and from then on the view's outbox stamps every event the command appends
with ``acting_as`` (the grant's id; the event's ``actor_id`` is the staff member). No
command names the grant itself, so none can forget it (R-SUP-2). The web request of
an enclosing ``request_context`` is stamped the same way, for the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import attrs

from teamaccess.domain.events import Event, RequestContext
from teamaccess.ports import Transaction

__all__ = ["Acting", "acting_view", "record_acting"]


class _StampingOutbox:
    """The transaction's outbox; appends are stamped with the view's grant, if any."""

    __slots__ = ("_inner", "_view")

    def __init__(self, inner: Any, view: Acting) -> None:
        self._inner = inner
        self._view = view

    def append(self, event: Event) -> None:
        self._inner.append(self._stamped(event))

    def extend(self, events: Sequence[Event]) -> None:
        self._inner.extend([self._stamped(event) for event in events])

    def _stamped(self, event: Event) -> Event:
        grant = self._view.acting_as
        context = self._view.context
        changes: dict[str, Any] = {}
        if grant is not None and event.acting_as is None:
            changes["acting_as"] = grant
        if context is not None and event.context is None:
            changes["context"] = context
        return attrs.evolve(event, **changes) if changes else event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class Acting:
    """A transaction seen by one command: every repository of it, an outbox that stamps.

    Attributes:
        acting_as: The support grant the command runs under, once a decision allowed an
            action under it; ``None`` until then.
    """

    __slots__ = ("_tx", "acting_as", "context", "outbox")

    def __init__(self, tx: Transaction, context: RequestContext | None = None) -> None:
        self._tx = tx
        self.acting_as: str | None = None
        self.context = context
        self.outbox = _StampingOutbox(tx.outbox, self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def commit(self) -> None:
        """Commit the transaction underneath."""
        self._tx.commit()


def acting_view(tx: Transaction, context: RequestContext | None = None) -> Transaction:
    """``tx`` as a command sees it: its events stamped with a support grant and the request."""
    return cast(Transaction, Acting(tx, context))


def record_acting(tx: Transaction, grant_id: str) -> None:
    """Stamp the command's later events with ``grant_id`` (a read's view is left alone)."""
    if isinstance(tx, Acting) and tx.acting_as is None:
        tx.acting_as = grant_id
