"""Where a command's consistency token goes, and which reads demand it (R-ALL-12).

Every command returns its usual value; its token goes to a context variable,
[last_token][teamaccess.consistency.last_token], so no return type changes. Context variables are
per thread and per asyncio task (SQLAlchemy's greenlet bridge runs in the caller's
context), so two requests never see each other's tokens.

A web request wants more: the token of the user's last write (from a cookie or a
header) must govern every read of the request, and the tokens its commands issue must
reach the response, even when the framework runs the handler in a thread pool with a
copy of the context. [consistency_scope][teamaccess.consistency.consistency_scope] gives that: a
mutable [TokenScope][teamaccess.consistency.TokenScope] shared by every copy of the context made
inside it. Reads in a scope that holds a token, and that name no ``consistency`` of
their own, read ``at_least`` that token.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from teamaccess.domain.consistency import Consistency, ConsistencyToken
from teamaccess.errors import InvalidToken

__all__ = [
    "TokenScope",
    "consistency_scope",
    "current_scope",
    "issued",
    "keep_last",
    "last_token",
    "scoped",
]

_LAST: ContextVar[ConsistencyToken | None] = ContextVar("teamaccess_last_token", default=None)
_SCOPE: ContextVar[TokenScope | None] = ContextVar("teamaccess_token_scope", default=None)


class TokenScope:
    """The tokens of one unit of the host's work (a web request), shared across threads.

    Attributes:
        token: The newest token known in the scope: the one it began with, or one a
            command in it issued since; ``None`` if neither.
        issued: The newest token a command inside the scope issued, else ``None``:
            what a web response sends back.
        pending: Whether a command ran inside a host's transaction: its token exists
            only after the host's COMMIT (ask ``ta.current_token()`` then).
        consistency: What reads in the scope that name no mode demand: ``at_least``
            its token, or ``None`` without one.
    """

    __slots__ = ("_lock", "consistency", "issued", "pending", "token")

    def __init__(self, token: ConsistencyToken | None = None) -> None:
        self.token = token
        self.issued: ConsistencyToken | None = None
        self.pending = False
        self.consistency = None if token is None else Consistency.at_least(token)
        self._lock = threading.Lock()

    def record(self, token: ConsistencyToken) -> None:
        """Note a token a command issued: it becomes the scope's token if newer."""
        with self._lock:
            self.issued = _newest(self.issued, token)
            newest = _newest(self.token, token)
            if newest is not self.token:
                self.token = newest
                self.consistency = Consistency.at_least(newest)

    def __repr__(self) -> str:
        return f"<TokenScope token={self.token} issued={self.issued}>"


def _newest(old: ConsistencyToken | None, new: ConsistencyToken) -> ConsistencyToken:
    """``new`` unless ``old`` is of the same kind and further (a token of another kind loses)."""
    if old is None or old.kind != new.kind or new.position >= old.position:
        return new
    return old


current_scope = _SCOPE.get
"""The enclosing [TokenScope][teamaccess.consistency.TokenScope], or ``None``."""


def last_token() -> ConsistencyToken | None:
    """The consistency token of the last command run in this thread or task (R-ALL-12).

    ``None`` before any command, and after a command that ran inside a host's
    transaction (``ta.bind(connection)``): its position exists only once the host
    commits; ask ``ta.current_token()`` after that commit. Pass the token to a later
    read as ``consistency=Consistency.at_least(token)`` (or its ``str()`` through a
    cookie) to read that command's writes, on the primary or on a replica that has
    applied it.
    """
    return _LAST.get()


def issued(token: ConsistencyToken | None) -> None:
    """Record the token of a command that just committed (``None``: it has none)."""
    _LAST.set(token)
    scope = _SCOPE.get()
    if scope is not None:
        if token is None:
            scope.pending = True
        else:
            scope.record(token)


def keep_last(token: ConsistencyToken | None) -> None:
    """Make ``token`` this context's last token (a call run in a copy of the context)."""
    _LAST.set(token)


def scoped() -> Consistency | None:
    """The consistency a read without its own gets: ``at_least`` the scope's token."""
    scope = _SCOPE.get()
    return None if scope is None else scope.consistency


@contextmanager
def consistency_scope(token: ConsistencyToken | str | None = None) -> Iterator[TokenScope]:
    """Read your own writes inside the block: the scope of a web request.

    ``token`` (a token, its text, or ``None``) is the newest write the reader has
    made so far, e.g. from a request's cookie; a malformed text is ignored, as a
    stale cookie should be. Inside, reads and checks that pass no ``consistency``
    read ``at_least`` the scope's token, and every command's token is recorded in the
    scope (``scope.issued``), also from threads the block hands work to with a copy
    of its context (``contextvars.copy_context``, Starlette's thread pool, asgiref).
    The web integrations (``teamaccess.contrib.fastapi.TokenMiddleware``,
    ``teamaccess.contrib.django.TokenMiddleware``) wrap each request in one.
    """
    if isinstance(token, str):
        try:
            token = ConsistencyToken.parse(token)
        except InvalidToken:
            token = None
    scope = TokenScope(token if isinstance(token, ConsistencyToken) else None)
    reset = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(reset)
