"""Django REST framework: a permission class and an exception handler (``djangorestframework``)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from teamaccess.contrib._problem import PROBLEM_JSON, problem
from teamaccess.contrib.django.conf import service, signed_in, user_id
from teamaccess.errors import AccessDenied, TeamAccessError

__all__ = ["TeamAccessDenied", "TeamAccessPermission", "exception_handler"]


class TeamAccessDenied(exceptions.PermissionDenied):
    """A denial, carrying teamaccess's error for the problem document."""

    def __init__(self, error: AccessDenied) -> None:
        super().__init__(str(error))
        self.error = error


class TeamAccessPermission(permissions.BasePermission):
    """Allow a view's request if the user may do the view's ``teamaccess_action``.

    The view names ``teamaccess_action`` and where the company id is:
    ``teamaccess_company_kwarg`` (a URL keyword, ``"company_id"`` by default).
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        """Decide; a denial raises `TeamAccessDenied` (403, problem+json with the rule).

        A request without a signed-in user raises DRF's ``NotAuthenticated`` (401, or
        403 when the authentication classes name no ``WWW-Authenticate`` scheme) and
        is never checked: an anonymous user has no teamaccess user id.
        """
        if not signed_in(getattr(request, "user", None)):
            raise exceptions.NotAuthenticated
        company_id = view.kwargs[getattr(view, "teamaccess_company_kwarg", "company_id")]
        try:
            service().require(user_id(request.user), company_id, view.teamaccess_action)
        except AccessDenied as error:
            raise TeamAccessDenied(error) from error
        return True


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: teamaccess errors as problem documents."""
    error = exc.error if isinstance(exc, TeamAccessDenied) else exc
    if isinstance(error, TeamAccessError):
        status, body = problem(error)
        return Response(body, status=status, content_type=PROBLEM_JSON)
    return drf_exception_handler(exc, context)
