"""SQLAlchemy's greenlet bridge: synchronous store code awaited on the host's event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import sqlalchemy as sa
from typing_extensions import ParamSpec

from teamaccess.errors import StorageError, TeamAccessError

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def run_sync(
    is_async: bool, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """Await ``fn(*args, **kwargs)``; over an async driver, inside ``greenlet_spawn``.

    Inside, SQLAlchemy's async adapters turn each driver call into an ``await`` on the
    running loop (the way ``AsyncConnection.run_sync`` works), so the store's
    synchronous code does no blocking I/O and needs no thread. A SQLAlchemy or
    connection error that escapes the store's own translation raises `StorageError`
    (R-ALL-10), never the driver's exception.
    """
    if not is_async:
        return fn(*args, **kwargs)
    from sqlalchemy.util import greenlet_spawn

    try:
        result: _T = await greenlet_spawn(partial(fn, *args, **kwargs))
    except TeamAccessError:
        raise
    except (sa.exc.SQLAlchemyError, ConnectionError, TimeoutError) as error:
        # The store translates what it sees; this is the net under the bridge itself
        # (a connection lost while SQLAlchemy awaits the driver outside a statement).
        raise StorageError(f"{type(error).__name__}: {error}") from error
    return result


def pause(seconds: float) -> None:
    """Wait ``seconds`` without blocking an event loop the caller may run on.

    Inside the greenlet bridge (a store over an ``AsyncEngine``, called through
    `run_sync`) this awaits ``asyncio.sleep`` on the running loop, so other tasks go on;
    anywhere else it is ``time.sleep``.
    """
    from sqlalchemy.util import await_only
    from sqlalchemy.util.concurrency import in_greenlet

    if in_greenlet():
        await_only(asyncio.sleep(seconds))
    else:
        time.sleep(seconds)
