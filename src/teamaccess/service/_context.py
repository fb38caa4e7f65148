"""The web request a command comes from, carried into its events (the audit trail).

A host (or the contrib middlewares) opens `request_context` around a request; every
command inside, also in threads that got a copy of the context (Starlette's thread
pool, asgiref), stamps its events with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from teamaccess.domain.events import RequestContext
from teamaccess.errors import InvalidInput

__all__ = ["current_request", "request_context"]

_CONTEXT: ContextVar[RequestContext | None] = ContextVar("teamaccess_request", default=None)


@contextmanager
def request_context(
    *, ip: str | None = None, user_agent: str | None = None, request_id: str | None = None
) -> Iterator[RequestContext]:
    """Stamp the events of the commands inside the block with where they came from.

    >>> from teamaccess import MemoryStore, TeamAccess
    >>> from teamaccess.events import request_context
    >>> ta = TeamAccess(MemoryStore())
    >>> with request_context(ip="203.0.113.9", request_id="req-1"):
    ...     _ = ta.users.register("anna", "anna@example.com")
    >>> ta.outbox.pending()[0].event.context.ip
    '203.0.113.9'

    The values are the client's to choose: they are kept as text without control
    characters, cut at their length (`RequestContext`).

    Raises:
        InvalidInput: A value is neither text nor ``None``.
    """
    try:
        context = RequestContext(ip=ip, user_agent=user_agent, request_id=request_id)
    except TypeError as error:
        raise InvalidInput(f"request context: {error}") from None
    reset = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(reset)


def current_request() -> RequestContext | None:
    """The request context of the enclosing `request_context` block, or ``None``."""
    return _CONTEXT.get()
