"""SQLAlchemy's greenlet bridge: synchronous store code awaited on the host's event loop."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from typing_extensions import ParamSpec

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def run_sync(
    is_async: bool, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """Await ``fn(*args, **kwargs)``; over an async driver, inside ``greenlet_spawn``.

    Inside, SQLAlchemy's async adapters turn each driver call into an ``await`` on the
    running loop (the way ``AsyncConnection.run_sync`` works), so the store's
    synchronous code does no blocking I/O and needs no thread.
    """
    if not is_async:
        return fn(*args, **kwargs)
    from sqlalchemy.util import greenlet_spawn

    result: _T = await greenlet_spawn(partial(fn, *args, **kwargs))
    return result
