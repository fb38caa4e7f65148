"""teamaccess in FastAPI: decisions as dependencies, errors as RFC 9457 problems, the relay.

- [require][teamaccess.contrib.fastapi.require]: a dependency that decides an action for
  the acting user and company your own dependencies resolve, and returns the
  [Decision][teamaccess.Decision] or raises ``AccessDenied``; for ``TeamAccess`` (run in
  the thread pool) and ``AsyncTeamAccess`` (awaited) alike.
- [add_problem_handlers][teamaccess.contrib.fastapi.add_problem_handlers]: every
  [teamaccess.errors][] exception answered as ``application/problem+json`` (RFC 9457)
  with its status, title, detail, error code, and for a denial the reason and rule.
- [relay_lifespan][teamaccess.contrib.fastapi.relay_lifespan]: the outbox relay running
  while the app serves, drained when it stops.
- [TokenMiddleware][teamaccess.contrib.fastapi.TokenMiddleware]: a user reads their own
  writes (R-ALL-12): the request's consistency token (header ``TeamAccess-Token`` or
  cookie ``teamaccess_token``) governs its reads, and a response after a command
  carries the new token back.
- [RequestContextMiddleware][teamaccess.contrib.fastapi.RequestContextMiddleware]: the
  events of a request's commands carry its client address, user agent and request id.
- [scim_router][teamaccess.contrib.fastapi.scim_router]: the SCIM 2.0 endpoints of the
  companies' directories (R-PROV-1, R-PROV-2; extra ``scim``).

Needs ``fastapi`` (extra ``fastapi``).
"""

# No ``from __future__ import annotations``: FastAPI reads these signatures at runtime.

import asyncio
import contextlib
import inspect
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from teamaccess.contrib._problem import PROBLEM_JSON, problem
from teamaccess.contrib._tokens import COOKIE, HEADER, MAX_AGE, cookie_header, incoming
from teamaccess.domain.decisions import Decision
from teamaccess.errors import TeamAccessError
from teamaccess.ports import Store
from teamaccess.relay import AsyncRelay, Envelope, Relay
from teamaccess.service._context import request_context
from teamaccess.service._tokens import consistency_scope
from teamaccess.service.async_facade import AsyncTeamAccess
from teamaccess.service.facade import TeamAccess

__all__ = [
    "PROBLEM_JSON",
    "REQUEST_ID_HEADER",
    "RequestContextMiddleware",
    "TokenMiddleware",
    "add_problem_handlers",
    "problem",
    "relay_lifespan",
    "require",
    "scim_router",
]

Service = TeamAccess | AsyncTeamAccess

REQUEST_ID_HEADER = "X-Request-ID"
"""The header a request's id comes in, by default."""


def add_problem_handlers(app: FastAPI) -> None:
    """Answer every [teamaccess.errors][] exception as ``application/problem+json``."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, TeamAccessError):  # pragma: no cover - registered for those only
            raise error
        status, body = problem(error)
        return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)

    app.add_exception_handler(TeamAccessError, handle)


def require(
    action: str,
    *,
    service: Service | Callable[..., Any],
    user: Callable[..., Any],
    company: Callable[..., Any],
) -> Callable[..., Awaitable[Decision]]:
    """A dependency that requires ``action`` of the acting user in the company.

    Args:
        action: The action to decide (see ``teamaccess actions``).
        service: The ``TeamAccess`` (its check runs in the thread pool, off the event
            loop) or ``AsyncTeamAccess`` (awaited), or your dependency that returns
            one, e.g. from ``request.app.state`` when the app builds its service at
            startup (in its lifespan), after the routes are declared.
        user: Your dependency that returns the acting user's id (from the session or
            token).
        company: Your dependency that returns the company id (e.g. the path parameter:
            ``def company_id(company_id: str) -> str``).

    The dependency returns the allowing [Decision][teamaccess.Decision]; a denial
    raises ``AccessDenied``, answered 403 by
    [add_problem_handlers][teamaccess.contrib.fastapi.add_problem_handlers].

    Raises:
        TypeError: ``service`` is neither a service nor a callable.
    """
    if isinstance(service, (TeamAccess, AsyncTeamAccess)):
        built = service

        def given() -> Service:
            return built

        resolve: Callable[..., Any] = given
    elif callable(service):
        resolve = service
    else:
        raise TypeError(
            f"service must be a TeamAccess, an AsyncTeamAccess or a dependency returning one, "
            f"not {type(service).__name__}"
        )

    async def decided(
        actor: str = Depends(user),
        company_id: str = Depends(company),
        ta: Any = Depends(resolve),
    ) -> Decision:
        if isinstance(ta, AsyncTeamAccess):
            return await ta.require(actor, company_id, action)
        if isinstance(ta, TeamAccess):
            return await run_in_threadpool(ta.require, actor, company_id, action)
        raise TypeError(
            f"the service dependency of require({action!r}) returned {type(ta).__name__}, "
            "not a TeamAccess or AsyncTeamAccess"
        )

    return decided


def relay_lifespan(
    store: Store, sink: Callable[..., Any], **options: Any
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """A lifespan that relays the outbox while the app serves, and drains it on shutdown.

    ``sink`` is a [Sink][teamaccess.relay.Sink] (run by a `Relay` on a thread) or an
    [AsyncSink][teamaccess.relay.AsyncSink] (an `AsyncRelay` task on the app's loop; so
    is a plain sink on a store over an ``AsyncEngine``);
    ``options`` go to the relay (``batch``, ``max_attempts``, ``timeout``, ...). On
    shutdown no new delivery starts: the one in hand is waited for at most the relay's
    ``timeout``, the rest of its batch is given back, and everything still due is then
    delivered before the app exits.

    The result is FastAPI's ``lifespan``; an app with a lifespan of its own enters it
    inside its own, where the store exists::

        @contextlib.asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            store = SqlStore(create_async_engine(url))  # the host's startup
            app.state.teamaccess = AsyncTeamAccess(store)
            async with relay_lifespan(store, deliver)(app):
                yield
            await store.engine.dispose()  # after the relay has stopped
    """
    awaitable = inspect.iscoroutinefunction(sink) or inspect.iscoroutinefunction(
        getattr(sink, "__call__", None)  # noqa: B004 - an object with an async __call__
    )
    on_loop = awaitable or bool(getattr(store, "is_async", False))

    async def awaited(envelope: Envelope) -> None:
        if awaitable:
            await sink(envelope)
        else:
            sink(envelope)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_loop:
            async_relay = AsyncRelay(store, awaited, **options)
            stopping = asyncio.Event()
            task = asyncio.create_task(async_relay.run(stopping, idle=0.05))
            yield
            stopping.set()
            await task
            await async_relay.drain()
            return
        relay = Relay(store, sink, **options)
        stop = threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 0.05})
        thread.start()
        yield
        stop.set()
        await run_in_threadpool(thread.join)
        await run_in_threadpool(relay.drain)

    return lifespan


class TokenMiddleware:
    """ASGI middleware: every request reads its user's own writes (R-ALL-12).

    ``app.add_middleware(TokenMiddleware)``. The request's token (header
    ``TeamAccess-Token``, else cookie ``teamaccess_token``; a malformed one is ignored)
    opens a [consistency_scope][teamaccess.consistency.consistency_scope] around the request, so
    every check and read in it that names no ``consistency`` runs ``at_least`` that
    token, on the primary or on a replica that has replayed it; commands in the request
    (also in sync handlers and dependencies, which run in the thread pool) record their
    tokens there, and the response carries the newest one back in the header and the
    cookie. Without replicas nothing changes but the header and the cookie.

    Args:
        app: The ASGI app (FastAPI passes it).
        header: The header's name.
        cookie: The cookie's name.
        max_age: The cookie's lifetime in seconds.
        secure: Whether the cookie is ``Secure`` (HTTPS only).
    """

    def __init__(
        self,
        app: Any,
        *,
        header: str = HEADER,
        cookie: str = COOKIE,
        max_age: int = MAX_AGE,
        secure: bool = False,
    ) -> None:
        self.app = app
        self.header = header
        self.cookie = cookie
        self.max_age = max_age
        self.secure = secure

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Run the request in a consistency scope; put its new token on the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = incoming(request.headers.get(self.header), request.cookies.get(self.cookie))
        with consistency_scope(token) as tokens:

            async def sending(message: Any) -> None:
                if message["type"] == "http.response.start" and tokens.issued is not None:
                    cookie = cookie_header(
                        tokens, cookie=self.cookie, max_age=self.max_age, secure=self.secure
                    )
                    headers = list(message.get("headers", []))
                    headers.append((self.header.lower().encode(), str(tokens.issued).encode()))
                    headers.append((b"set-cookie", str(cookie).encode()))
                    message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, sending)


class RequestContextMiddleware:
    """ASGI middleware: the events of a request's commands say where it came from.

    ``app.add_middleware(RequestContextMiddleware)``. Each HTTP request runs in a
    [request_context][teamaccess.events.request_context] with the client's address (as the
    ASGI server reports it: behind a proxy, run Uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips``), its ``User-Agent`` and its request id header, so the
    events of every command in it (sync handlers in the thread pool, ``AsyncTeamAccess``
    alike) carry them into the audit trail.

    Args:
        app: The ASGI app (FastAPI passes it).
        request_id_header: The header that holds the request's id.
    """

    def __init__(self, app: Any, *, request_id_header: str = REQUEST_ID_HEADER) -> None:
        self.app = app
        self.request_id_header = request_id_header

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Run the request in its request context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        client = request.client
        with request_context(
            ip=None if client is None else client.host,
            user_agent=request.headers.get("user-agent"),
            request_id=request.headers.get(self.request_id_header),
        ):
            await self.app(scope, receive, send)


def scim_router(ta: TeamAccess, *, prefix: str = "/scim/v2") -> APIRouter:
    """The SCIM 2.0 endpoints under ``prefix``: ``app.include_router(scim_router(ta))``.

    Every request is answered by [ScimServer][teamaccess.scim.ScimServer] in the
    thread pool, its bearer token naming the company (R-PROV-2); ``meta.location``
    follows the URL the client used. Needs the ``scim`` extra.
    """
    from teamaccess.scim import SCIM_MEDIA_TYPE, ScimRequest, ScimServer

    server = ScimServer(ta)
    router = APIRouter(prefix=prefix)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @router.api_route("/{path:path}", methods=methods, include_in_schema=False)
    async def scim(path: str, request: Request) -> Response:
        scim_request = ScimRequest(
            method=request.method,
            path=f"/{path}",
            query=dict(request.query_params),
            authorization=request.headers.get("authorization"),
            body=await request.body(),
            base_url=str(request.base_url).rstrip("/") + prefix,
        )
        answer = await run_in_threadpool(server.handle, scim_request)
        return Response(
            answer.content,
            status_code=answer.status,
            headers=dict(answer.headers),
            media_type=SCIM_MEDIA_TYPE if answer.document is not None else None,
        )

    return router
