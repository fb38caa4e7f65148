"""The SCIM 2.0 service provider, framework-neutral (RFC 7644; R-PROV-1, R-PROV-2).

[ScimServer.handle][teamaccess.scim.ScimServer.handle] takes a
[ScimRequest][teamaccess.scim.ScimRequest] (method, path below the SCIM root, query,
``Authorization`` header, body) and returns a [ScimResponse][teamaccess.scim.ScimResponse];
``teamaccess.contrib.fastapi.scim_router`` and ``teamaccess.contrib.django.scim`` wrap it.
Every answer, errors included, is a SCIM document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    PatchOp,
    Resource,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    ScimFilter,
    SearchRequest,
    User,
)

from teamaccess.errors import (
    AccessDenied,
    Conflict,
    DirectoryNameTaken,
    DirectoryVersionMismatch,
    EmailTaken,
    InvalidInput,
    InvalidProvisioningToken,
    NotFound,
    StorageError,
    TeamAccessError,
)
from teamaccess.scim._resources import (
    MAX_RESULTS,
    group_resource,
    resource_types,
    schemas,
    service_provider_config,
    user_resource,
)
from teamaccess.service.facade import TeamAccess

__all__ = ["SCIM_MEDIA_TYPE", "ScimRequest", "ScimResponse", "ScimServer"]

SCIM_MEDIA_TYPE = "application/scim+json"
"""The media type of every SCIM document (RFC 7644 §3.1)."""

MAX_BODY = 1_000_000
"""The largest request body accepted, in bytes (413 above it)."""

_PATCH_ATTEMPTS = 3
_MODELS: dict[str, Any] = {"Users": User, "Groups": Group}
_R = TypeVar("_R", bound=Resource[Any])


@attrs.frozen
class ScimRequest:
    """One HTTP request to the SCIM endpoints, as a framework hands it over.

    Attributes:
        method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
        path: The path below the SCIM root: ``/Users``, ``/Groups/admin``, ...
        query: The query parameters (``filter``, ``startIndex``, ``count``, ...).
        authorization: The ``Authorization`` header (``Bearer <token>``), or ``None``.
        body: The raw body.
        base_url: The SCIM root as clients reach it, for ``meta.location``.
    """

    method: str
    path: str
    query: Mapping[str, str] = attrs.field(factory=dict)
    authorization: str | None = attrs.field(default=None, repr=False)
    body: bytes = b""
    base_url: str = "http://localhost/scim/v2"


@attrs.frozen
class ScimResponse:
    """The answer: a status and a SCIM document (``None`` for ``204``).

    Attributes:
        status: The HTTP status.
        document: The JSON document, or ``None``.
        headers: Headers to send besides ``Content-Type`` (``Location``, ``ETag``,
            ``WWW-Authenticate``).
    """

    status: int
    document: dict[str, Any] | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def content(self) -> bytes:
        """The body to send: the document as UTF-8 JSON, or nothing."""
        if self.document is None:
            return b""
        return json.dumps(self.document, ensure_ascii=False).encode()


def _error(status: int, detail: str, scim_type: str | None = None) -> ScimResponse:
    document = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if status == 401 else {}
    return ScimResponse(status, document, headers)


def _library_error(error: TeamAccessError) -> ScimResponse:
    """The SCIM answer to one of the library's errors; no storage text leaves (R-ALL-9)."""
    if isinstance(error, InvalidProvisioningToken):
        return _error(401, str(error))
    if isinstance(error, AccessDenied):
        return _error(403, str(error))
    if isinstance(error, NotFound):
        return _error(404, str(error))
    if isinstance(error, DirectoryVersionMismatch):
        return _error(412, str(error))
    if isinstance(error, DirectoryNameTaken | EmailTaken):
        return _error(409, str(error), "uniqueness")
    if isinstance(error, Conflict):
        return _error(409, str(error))
    if isinstance(error, InvalidInput):
        return _error(400, str(error), "invalidValue")
    if isinstance(error, StorageError):
        return _error(503, "the directory's storage is unavailable; try again")
    return _error(500, "the request could not be handled")


def _validation_error(error: ValidationError) -> ScimResponse:
    """A payload the models refused: their SCIM error type, else ``invalidValue``."""
    for found in error.errors():
        context = found.get("ctx") or {}
        if "scim_type" in context:
            status = int(context.get("status", 400))
            return _error(status, str(found.get("msg", "invalid payload")), context["scim_type"])
    problems = error.errors()
    if not problems:
        return _error(400, "invalid payload", "invalidValue")
    where = ".".join(str(p) for p in problems[0]["loc"])
    return _error(400, f"{where}: {problems[0]['msg']}", "invalidValue")


_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]{1,200}=*")  # RFC 6750 b64token


def _bearer(authorization: str | None) -> str:
    """The token of ``Authorization: Bearer <token>``; anything else is a 401, alike."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN68.fullmatch(token):
        raise InvalidProvisioningToken()
    return token


def _count(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit():
        raise InvalidValueException(detail=f"{name} must be an integer")
    return max(int(raw), minimum)


class ScimServer:
    """A SCIM 2.0 service provider for the companies' directories (R-PROV-1, R-PROV-2).

    ``/Users`` and ``/Groups`` (GET with ``filter``, ``startIndex``, ``count``,
    ``attributes`` and ``excludedAttributes``; POST; PUT; PATCH; DELETE),
    ``/ServiceProviderConfig``, ``/Schemas`` and ``/ResourceTypes``. The bearer token
    names the company: every resource is looked up in that company's directory
    only, so another company's ids are unknown here (404), as are ids that exist
    nowhere (R-ALL-9). Needs the ``scim`` extra (``pip install teamaccess[scim]``).

    Args:
        ta: The service; each request is one of its commands or reads.
    """

    def __init__(self, ta: TeamAccess) -> None:
        self._provisioning = ta.provisioning

    def handle(self, request: ScimRequest) -> ScimResponse:
        """Answer one request; never raises for what a client sent."""
        try:
            if len(request.body) > MAX_BODY:
                return _error(413, f"the body is larger than {MAX_BODY} bytes")
            return self._route(request, _bearer(request.authorization))
        except TeamAccessError as error:
            return _library_error(error)
        except SCIMException as error:
            return ScimResponse(error.status, error.to_error().model_dump())
        except ValidationError as error:
            return _validation_error(error)

    def _route(self, request: ScimRequest, token: str) -> ScimResponse:
        parts = [p for p in request.path.split("/") if p]
        method = request.method.upper()
        if parts == [".search"] and method == "POST":
            return self._search(request, token, ("Users", "Groups"))
        if not parts or len(parts) > 2:
            return _error(404, f"no SCIM endpoint {request.path!r}")
        endpoint, resource_id = parts[0], (parts[1] if len(parts) == 2 else None)
        base = request.base_url
        if endpoint in ("ServiceProviderConfig", "Schemas", "ResourceTypes"):
            return self._discovery(method, endpoint, resource_id, base, token)
        if endpoint not in _MODELS:
            return _error(404, f"no SCIM endpoint {request.path!r}")
        users = endpoint == "Users"
        if resource_id is None:
            if method == "GET":
                return self._list(token, (endpoint,), request.query, base)
            if method == "POST":
                return self._create(request, token, users=users)
        elif resource_id == ".search" and method == "POST":
            return self._search(request, token, (endpoint,))
        elif method == "GET":
            found = self._resource(token, resource_id, base, users=users)
            document = found.model_dump(
                scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
                **_projection(request.query, _MODELS[endpoint]),
            )
            return ScimResponse(200, document)
        elif method in ("PUT", "PATCH"):
            return self._change(request, token, resource_id, users=users)
        elif method == "DELETE":
            if users:
                self._provisioning.delete_user(token, resource_id)
            else:
                self._provisioning.delete_group(token, resource_id)
            return ScimResponse(204)
        return _error(405, f"{method} is not allowed on {request.path!r}")

    # -- discovery ------------------------------------------------------------------

    def _discovery(
        self, method: str, endpoint: str, resource_id: str | None, base: str, token: str
    ) -> ScimResponse:
        self._provisioning.authenticate(token)  # the token must be valid here too
        if method != "GET":
            return _error(405, f"{method} is not allowed on /{endpoint}")
        if endpoint == "ServiceProviderConfig":
            if resource_id is not None:
                return _error(404, "no such ServiceProviderConfig")
            return ScimResponse(200, service_provider_config(base).model_dump())
        found: list[Any] = schemas(base) if endpoint == "Schemas" else resource_types(base)
        if resource_id is None:
            model: Any = Schema if endpoint == "Schemas" else ResourceType
            listed = ListResponse[model](
                total_results=len(found),
                start_index=1,
                items_per_page=len(found),
                resources=found,
            )
            return ScimResponse(200, listed.model_dump())
        match = next((r for r in found if resource_id in (r.id, getattr(r, "name", None))), None)
        if match is None:
            return _error(404, f"no {endpoint[:-1]} {resource_id!r}")
        return ScimResponse(200, match.model_dump())

    # -- resources ------------------------------------------------------------------

    def _resources(self, token: str, base: str, endpoint: str) -> list[Resource[Any]]:
        if endpoint == "Users":
            return [user_resource(v, base) for v in self._provisioning.users(token)]
        return [group_resource(v, base) for v in self._provisioning.groups(token)]

    def _resource(self, token: str, resource_id: str, base: str, *, users: bool) -> Any:
        if users:
            return user_resource(self._provisioning.user(token, resource_id), base)
        return group_resource(self._provisioning.group(token, resource_id), base)

    def _search(self, request: ScimRequest, token: str, endpoints: tuple[str, ...]) -> ScimResponse:
        """``POST .search``: the query parameters of a list, in a ``SearchRequest`` body."""
        search = SearchRequest.model_validate(_json(request.body))
        params = {
            "filter": None if search.filter is None else str(search.filter),
            "startIndex": None if search.start_index is None else str(search.start_index),
            "count": None if search.count is None else str(search.count),
            "attributes": ",".join(str(a) for a in search.attributes or []),
            "excludedAttributes": ",".join(str(a) for a in search.excluded_attributes or []),
        }
        return self._list(
            token, endpoints, {k: v for k, v in params.items() if v}, request.base_url
        )

    def _list(
        self, token: str, endpoints: tuple[str, ...], params: Mapping[str, str], base: str
    ) -> ScimResponse:
        """One page of the resources the filter keeps, in the directory's order."""
        start = _count(params, "startIndex", 1, 1)
        count = min(_count(params, "count", MAX_RESULTS, 0), MAX_RESULTS)
        expression = params.get("filter")
        found: list[Resource[Any]] = []
        for endpoint in endpoints:
            resources = self._resources(token, base, endpoint)
            if expression:
                bound = ScimFilter[_MODELS[endpoint]](expression)  # type: ignore[valid-type]
                resources = [r for r in resources if bound.match(r)]
            found.extend(resources)
        page = found[start - 1 : start - 1 + count]
        model: Any = User[Any] | Group if len(endpoints) > 1 else _MODELS[endpoints[0]]
        listed = ListResponse[model](
            total_results=len(found),
            start_index=start,
            items_per_page=len(page),
            resources=page,
        )
        document = listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, **_projection(params, model))
        return ScimResponse(200, document)

    def _create(self, request: ScimRequest, token: str, *, users: bool) -> ScimResponse:
        payload = _json(request.body)
        base = request.base_url
        if users:
            user = User.model_validate(payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
            created: Resource[Any] = user_resource(
                self._provisioning.create_user(
                    token,
                    user.user_name or "",
                    _email(user),
                    external_id=user.external_id,
                    active=True if user.active is None else user.active,
                ),
                base,
            )
        else:
            group = Group.model_validate(payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
            created = group_resource(
                self._provisioning.create_group(
                    token,
                    group.display_name or "",
                    external_id=group.external_id,
                    members=_members(group),
                ),
                base,
            )
        document = created.model_dump(
            scim_ctx=Context.RESOURCE_CREATION_RESPONSE,
            **_projection(request.query, User if users else Group),
        )
        location = created.meta.location if created.meta else None
        return ScimResponse(201, document, {"Location": location} if location else {})

    def _change(
        self, request: ScimRequest, token: str, resource_id: str, *, users: bool
    ) -> ScimResponse:
        payload = _json(request.body)
        patch = request.method.upper() == "PATCH"
        for attempt in range(1, _PATCH_ATTEMPTS + 1):
            current = self._resource(token, resource_id, request.base_url, users=users)
            version = _version(current)
            if patch:
                operations = PatchOp[type(current)].model_validate(  # type: ignore[misc]
                    payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST
                )
                operations.patch(current)
                wanted = current
            else:
                model: Any = User if users else Group
                wanted = model.model_validate(
                    payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
                )
                if users and wanted.active is None:
                    wanted.active = current.active
            try:
                changed = self._replace(
                    token, resource_id, wanted, version, request.base_url, users=users
                )
            except DirectoryVersionMismatch:
                if attempt == _PATCH_ATTEMPTS:
                    raise
                continue
            context = (
                Context.RESOURCE_PATCH_RESPONSE if patch else Context.RESOURCE_REPLACEMENT_RESPONSE
            )
            document = changed.model_dump(
                scim_ctx=context, **_projection(request.query, User if users else Group)
            )
            return ScimResponse(200, document)
        raise AssertionError("unreachable")  # pragma: no cover

    def _replace(
        self, token: str, resource_id: str, wanted: Any, version: int, base: str, *, users: bool
    ) -> Resource[Any]:
        if users:
            return user_resource(
                self._provisioning.update_user(
                    token,
                    resource_id,
                    user_name=wanted.user_name or "",
                    active=bool(wanted.active),
                    external_id=wanted.external_id,
                    email=_email(wanted) if wanted.emails else None,
                    version=version,
                ),
                base,
            )
        return group_resource(
            self._provisioning.update_group(
                token,
                resource_id,
                display_name=wanted.display_name,
                external_id=wanted.external_id,
                members=_members(wanted),
                version=version,
            ),
            base,
        )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="the body is not JSON") from None


def _email(user: Any) -> str:
    """The primary address, else the first, else a ``userName`` that is an address."""
    emails = user.emails or []
    primary = next((e for e in emails if e.primary and e.value), None)
    chosen = primary or next((e for e in emails if e.value), None)
    if chosen is not None:
        return str(chosen.value)
    return str(user.user_name or "")


def _members(group: Any) -> list[str]:
    return [str(m.value) for m in group.members or [] if m.value]


def _version(resource: Any) -> int:
    version = resource.meta.version if resource.meta else None
    return int(str(version).removeprefix("W/").strip('"')) if version else 0


def _projection(params: Mapping[str, Any], model: Any) -> dict[str, Any]:
    """``attributes`` / ``excludedAttributes`` as the dump's response parameters."""
    attributes, excluded = params.get("attributes"), params.get("excludedAttributes")
    if not attributes and not excluded:
        return {}
    chosen = ResponseParameters[model].model_validate(
        {"attributes": attributes or None, "excludedAttributes": excluded or None}
    )
    return {"response_parameters": chosen}
