"""Synchronous tests of the asynchronous facade: ``BlockingTeamAccess`` and ``run_blocking``.

The contract suite is written as plain functions calling ``ta.members.add(...)``. To
run it through [AsyncTeamAccess][teamaccess.AsyncTeamAccess] unchanged,
[make_service][teamaccess.testing.make_service] wraps the asynchronous facade of a
store over an ``AsyncEngine`` in a view whose every call runs the awaitable to its end
on one event loop per thread (`run_blocking`). Tests that are coroutines themselves
(pytest-asyncio, anyio) await ``AsyncTeamAccess`` directly instead.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from teamaccess.domain.consistency import ConsistencyToken
from teamaccess.service._tokens import keep_last, last_token
from teamaccess.service.async_facade import AsyncTeamAccess
from teamaccess.service.async_namespaces import _Namespace

__all__ = ["BlockingTeamAccess", "run_blocking"]

_T = TypeVar("_T")
_loops = threading.local()


def run_blocking(awaitable: Awaitable[_T]) -> _T:
    """Run ``awaitable`` to its end on this thread's test event loop, and return its value.

    The loop is made on first use and kept, so an async engine's connections, which
    belong to the loop they were opened on, are reused across calls and tests. Not
    for use inside a running event loop.
    """
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()

    async def wrapped() -> tuple[_T, ConsistencyToken | None]:
        return await awaitable, last_token()

    # The loop runs the call in a task with a copy of this thread's context: the token
    # the call's command issued comes back to this context, as if awaited here.
    value, token = loop.run_until_complete(wrapped())
    keep_last(token)
    return value


def _blocking(value: Any) -> Any:
    if isinstance(value, AsyncTeamAccess):
        return BlockingTeamAccess(value)
    if isinstance(value, _Namespace):
        return _BlockingNamespace(value)
    if inspect.iscoroutinefunction(value):
        return _call_blocking(value)
    return value


def _call_blocking(method: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return _blocking(run_blocking(method(*args, **kwargs)))

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


class _BlockingNamespace:
    """One namespace of an ``AsyncTeamAccess``, each method run to its end."""

    def __init__(self, namespace: _Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        return _blocking(getattr(self._namespace, name))


class BlockingTeamAccess:
    """An [AsyncTeamAccess][teamaccess.AsyncTeamAccess] called like a ``TeamAccess``.

    ``BlockingTeamAccess(ata).members.add(...)`` awaits ``ata.members.add(...)`` with
    `run_blocking` and returns its value; errors propagate unchanged. Only for tests:
    it proves the asynchronous facade gives the same answers as the synchronous one.
    """

    def __init__(self, service: AsyncTeamAccess) -> None:
        self.service = service
        """The asynchronous facade every call goes to."""

    def __getattr__(self, name: str) -> Any:
        return _blocking(getattr(self.service, name))

    def __repr__(self) -> str:
        return f"<BlockingTeamAccess {self.service!r}>"
