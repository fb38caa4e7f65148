"""The SCIM side of directory records: ``User`` and ``Group`` resources, discovery.

The models, their serialization per request context, the filters and the PATCH
operations are scim2-models' (RFC 7643, RFC 7644); this module only says which
attributes the library keeps and how they map onto its directory records.
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Patch,
    Reference,
    Required,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from teamaccess.domain.provisioning import DirectoryGroup, DirectoryUser

__all__ = [
    "MAX_RESULTS",
    "USER_ATTRIBUTES",
    "group_resource",
    "resource_types",
    "schemas",
    "service_provider_config",
    "user_resource",
]

MAX_RESULTS = 200
"""The most resources one page of a list holds (``count`` is capped to it)."""

USER_ATTRIBUTES = ("userName", "active", "emails", "groups")
"""The ``User`` attributes the library keeps (besides ``id``, ``externalId``, ``meta``)."""
GROUP_ATTRIBUTES = ("displayName", "members")
"""The ``Group`` attributes the library keeps."""
_SUB_ATTRIBUTES = {"emails": ("value",), "members": ("value", "$ref", "type")}
"""Of the complex attributes kept, the sub-attributes kept: one address; members by id."""


_BEARER: Any = AuthenticationScheme.Type.oauthbearertoken  # an extensible enum mypy reads as str


def _location(base_url: str, endpoint: str, resource_id: str) -> str:
    return f"{base_url.rstrip('/')}/{endpoint}/{resource_id}"


def user_resource(view: DirectoryUser, base_url: str) -> User[Any]:
    """The SCIM ``User`` of a directory user."""
    record = view.record
    return User(
        id=record.user_id,
        external_id=record.external_id,
        user_name=record.user_name,
        active=record.active,
        emails=[Email(value=view.email)] if view.email else None,
        groups=[
            GroupMembership(
                value=group, ref=Reference(_location(base_url, "Groups", group)), type="direct"
            )
            for group in view.groups
        ]
        or None,
        meta=Meta(
            resource_type="User",
            created=record.created_at,
            last_modified=record.updated_at,
            version=f'W/"{record.version}"',
            location=_location(base_url, "Users", record.user_id),
        ),
    )


def group_resource(view: DirectoryGroup, base_url: str) -> Group:
    """The SCIM ``Group`` of a directory group."""
    record = view.record
    return Group(
        id=record.group_id,
        external_id=record.external_id,
        display_name=record.display_name,
        members=[
            GroupMember(
                value=user_id, ref=Reference(_location(base_url, "Users", user_id)), type="User"
            )
            for user_id in view.members
        ],
        meta=Meta(
            resource_type="Group",
            created=record.created_at,
            last_modified=record.updated_at,
            version=f'W/"{record.version}"',
            location=_location(base_url, "Groups", record.group_id),
        ),
    )


def _schema(model: type[User[Any]] | type[Group], kept: tuple[str, ...], base_url: str) -> Schema:
    """The model's schema with only the attributes the library keeps."""
    schema = model.to_schema()
    attributes = [a for a in schema.attributes or [] if a.name in kept]
    for attribute in attributes:
        kept_sub = _SUB_ATTRIBUTES.get(attribute.name or "")
        if kept_sub is not None:
            subs = attribute.sub_attributes or []
            attribute.sub_attributes = [sub for sub in subs if sub.name in kept_sub]
        if attribute.name == "emails":  # a person is registered with one address
            attribute.required = Required.true
            for sub in attribute.sub_attributes or []:
                sub.required = Required.true
        elif attribute.name == "active":  # a provisioned user is active or not, never unset
            attribute.required = Required.true
    schema.attributes = attributes
    location = _location(base_url, "Schemas", str(schema.id))
    schema.meta = Meta(resource_type="Schema", location=location)
    return schema


def schemas(base_url: str) -> list[Schema]:
    """What ``/Schemas`` publishes: ``User`` and ``Group`` as the library keeps them."""
    return [
        _schema(User, USER_ATTRIBUTES, base_url),
        _schema(Group, GROUP_ATTRIBUTES, base_url),
    ]


def resource_types(base_url: str) -> list[ResourceType]:
    """What ``/ResourceTypes`` publishes."""
    found = []
    for name, endpoint, schema in (
        ("User", "/Users", URN("urn:ietf:params:scim:schemas:core:2.0:User")),
        ("Group", "/Groups", URN("urn:ietf:params:scim:schemas:core:2.0:Group")),
    ):
        found.append(
            ResourceType(
                id=name,
                name=name,
                endpoint=Reference(endpoint),
                schema=Reference(schema),
                meta=Meta(
                    resource_type="ResourceType",
                    location=_location(base_url, "ResourceTypes", name),
                ),
            )
        )
    return found


def service_provider_config(base_url: str) -> ServiceProviderConfig:
    """What ``/ServiceProviderConfig`` declares: PATCH and filters, nothing else optional."""
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=_BEARER,
                name="Bearer token",
                description="The company's provisioning token (ta.provisioning.connect)",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url.rstrip('/')}/ServiceProviderConfig",
        ),
    )
