"""Django views guarded by decisions, and errors as RFC 9457 problem documents."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from teamaccess.contrib._problem import PROBLEM_JSON, problem
from teamaccess.contrib._tokens import COOKIE, HEADER, MAX_AGE, incoming
from teamaccess.contrib.django.conf import service, setting, signed_in, user_id
from teamaccess.errors import AccessDenied, StorageError, TeamAccessError
from teamaccess.service._context import request_context
from teamaccess.service._tokens import consistency_scope

__all__ = [
    "ProblemMiddleware",
    "RequestContextMiddleware",
    "TokenMiddleware",
    "not_authenticated",
    "problem_response",
    "requires",
]


def problem_response(error: TeamAccessError) -> JsonResponse:
    """The ``application/problem+json`` response of a teamaccess error."""
    status, body = problem(error)
    return JsonResponse(body, status=status, content_type=PROBLEM_JSON)


def not_authenticated() -> JsonResponse:
    """The 401 ``application/problem+json`` response for a visitor who is not signed in."""
    return JsonResponse(
        {
            "type": "urn:teamaccess:NotAuthenticated",
            "title": "Unauthorized",
            "status": 401,
            "detail": "sign in first",
            "code": "NotAuthenticated",
        },
        status=401,
        content_type=PROBLEM_JSON,
    )


def requires(
    action: str, *, company: str | Callable[..., str] = "company_id"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Run the view only if the signed-in user may do ``action`` in the company.

    Args:
        action: The action to decide.
        company: The URL keyword argument that holds the company id, or a function
            ``(request, **kwargs) -> company id``.

    A visitor who is not signed in (``request.user.is_authenticated`` false) gets 401
    as a problem document (``code`` ``NotAuthenticated``) and is never checked: an
    anonymous user has no teamaccess user id. A site that wants Django's redirect to
    the login page puts ``login_required`` in front of this decorator. A denial
    answers 403 as a problem document with the reason and rule.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not signed_in(getattr(request, "user", None)):
                return not_authenticated()
            company_id = kwargs[company] if isinstance(company, str) else company(request, **kwargs)
            try:
                service().require(user_id(request.user), company_id, action)
            except AccessDenied as error:
                return problem_response(error)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


class ProblemMiddleware:
    """Answer a teamaccess error a view raised as ``application/problem+json``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Pass the request on."""
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A problem document for a teamaccess error; other exceptions go on."""
        if isinstance(exception, TeamAccessError):
            return problem_response(exception)
        return None


class TokenMiddleware:
    """Every request reads its user's own writes (R-ALL-12).

    Add ``"teamaccess.contrib.django.views.TokenMiddleware"`` to ``MIDDLEWARE``. The
    request's token (header ``TeamAccess-Token``, else cookie ``teamaccess_token``; a
    malformed one is ignored) opens a [consistency_scope][teamaccess.consistency.consistency_scope]
    around the view, so its checks and reads that name no ``consistency`` run
    ``at_least`` that token (on a ``TeamAccess`` over a ``SqlStore`` with replicas).
    A response after a command carries the newest token in the header and the cookie.
    A command that ran inside the view's ``atomic()`` (the site's
    [DjangoStore][teamaccess.contrib.django.store.DjangoStore]) has a token only after
    that block committed: the middleware then asks the site's service
    (``TEAMACCESS`` settings) for its current token, once, after the view returned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Run the view in a consistency scope; put the request's new token on the response."""
        token = incoming(request.headers.get(HEADER), request.COOKIES.get(COOKIE))
        with consistency_scope(token) as scope:
            response = self.get_response(request)
        issued = scope.issued
        if scope.pending:  # a command in the view's atomic(), committed by now
            with contextlib.suppress(StorageError, TypeError):
                issued = service().current_token()
        if issued is not None:
            response[HEADER] = str(issued)
            response.set_cookie(
                COOKIE, str(issued), max_age=MAX_AGE, httponly=True, samesite="Lax",
                secure=request.is_secure(),
            )  # fmt: skip
        return response


class RequestContextMiddleware:
    """The events of a request's commands say where it came from (the audit trail).

    Add ``"teamaccess.contrib.django.views.RequestContextMiddleware"`` to
    ``MIDDLEWARE``. The view runs in a [request_context][teamaccess.events.request_context]
    with ``REMOTE_ADDR`` (behind a proxy, set it from the proxy's header in a middleware
    before this one), the ``User-Agent`` and the ``X-Request-ID`` header (the
    ``TEAMACCESS`` setting ``REQUEST_ID_HEADER`` names another).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Run the view in the request's context."""
        header = setting("REQUEST_ID_HEADER")
        with request_context(
            ip=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.headers.get("User-Agent"),
            request_id=request.headers.get(header),
        ):
            return self.get_response(request)
