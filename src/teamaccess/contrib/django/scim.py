"""The SCIM 2.0 endpoints of the companies' directories in a Django site (R-PROV-1, R-PROV-2).

Mount them with ``path("scim/v2/", include("teamaccess.contrib.django.scim"))``: each
request is answered by [ScimServer][teamaccess.scim.ScimServer] on the site's service
(``TEAMACCESS`` settings), its bearer token naming the company. The views are exempt
from CSRF (a bearer token, not a cookie, authenticates them). Needs the ``scim`` extra.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from teamaccess.contrib.django.conf import service
from teamaccess.scim import SCIM_MEDIA_TYPE, ScimRequest, ScimServer

__all__ = ["scim_view", "urlpatterns"]


@functools.cache
def _server() -> ScimServer:
    return ScimServer(service())


@csrf_exempt  # type: ignore[untyped-decorator]
def scim_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Answer one SCIM request below the mount point (``path``: ``Users/...``)."""
    root = request.path[: len(request.path) - len(path)] if path else request.path
    answer = _server().handle(
        ScimRequest(
            method=request.method or "GET",
            path=f"/{path}",
            query={key: request.GET[key] for key in request.GET},
            authorization=request.headers.get("Authorization"),
            body=request.body,
            base_url=request.build_absolute_uri(root).rstrip("/"),
        )
    )
    response = HttpResponse(
        answer.content,
        status=answer.status,
        content_type=SCIM_MEDIA_TYPE if answer.document is not None else None,
    )
    for name, value in answer.headers.items():
        response[name] = value
    return response


urlpatterns = [re_path(r"^(?P<path>.*)$", scim_view, name="teamaccess-scim")]
"""Every path below the mount point goes to `scim_view`."""
