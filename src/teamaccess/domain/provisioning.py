"""Directory provisioning (SCIM 2.0): what a company's identity provider may change.

A company's admin connects its directory ([Directory][teamaccess.values.Directory]):
the library issues a bearer token, keeps only its SHA-256 hash, and from then on the
identity provider creates, changes and removes the company's people through that
token (R-PROV-1). Groups stand for the company's roles or for its seat pools, as the
admin chose when connecting. Every change the directory makes runs as the admin who
connected it, with that admin's authority checked at the time of the change, exactly
as if they had made it themselves (R-MEM-3, R-MEM-9): a directory outlives no
authority, and hands out nothing its admin could not.

[ProvisionedUser][teamaccess.values.ProvisionedUser] and
[ProvisionedGroup][teamaccess.values.ProvisionedGroup] are the directory's own records:
the name and external id the identity provider gave, and whether the user is active.
A deactivated user stays listed (``active: false``) but holds no membership
(R-PROV-2). A group is the directory's own too, with its members; it stands for one of
the company's roles or seat pools (its ``target``) when it is named after one or an
admin maps it (``ta.provisioning.map_group``): its active members then hold that role
or a seat of that pool, for as long as some group standing for it holds them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime

import attrs

from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name
from teamaccess.errors import InvalidInput

__all__ = [
    "MAX_EXTERNAL_ID_LENGTH",
    "MAX_TOKEN_LENGTH",
    "MAX_USER_NAME_LENGTH",
    "Directory",
    "DirectoryGroup",
    "DirectoryUser",
    "GroupsAre",
    "ProvisionedGroup",
    "ProvisionedUser",
    "check_display_name",
    "check_external_id",
    "check_groups_are",
    "check_token",
    "check_user_name",
    "same_token",
    "token_hash",
]

MAX_USER_NAME_LENGTH = 254
"""The longest ``userName`` a directory may give, in characters."""
MAX_EXTERNAL_ID_LENGTH = 200
"""The longest ``externalId`` a directory may give, in characters."""
MAX_TOKEN_LENGTH = 200
"""The longest provisioning token accepted (the library's are 43 characters)."""


class GroupsAre(str, enum.Enum):
    """What a directory's groups stand for in the company (R-PROV-1)."""

    ROLES = "roles"
    """A mapped group stands for one of the company's roles; its members hold it."""
    POOLS = "pools"
    """A mapped group stands for one of the company's seat pools; its members hold seats."""


def token_hash(token: str) -> str:
    """The SHA-256 hex digest of a provisioning token: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_token(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(token_hash(token), stored_hash)


def check_token(value: object) -> str:
    """A well-formed provisioning token (R-ALL-7); whether it is known is another matter."""
    return check_id(value, "provisioning token", MAX_TOKEN_LENGTH)


def check_user_name(value: object) -> str:
    """A directory's ``userName``: a name without control characters, compared as given."""
    return check_name(value, "userName", MAX_USER_NAME_LENGTH)


def check_external_id(value: object) -> str | None:
    """A directory's ``externalId``, or ``None``."""
    if value is None:
        return None
    return check_name(value, "externalId", MAX_EXTERNAL_ID_LENGTH)


def check_groups_are(value: object) -> GroupsAre:
    """``roles`` or ``pools`` (a `GroupsAre` or its value)."""
    try:
        return GroupsAre(value)
    except ValueError:
        raise InvalidInput(f"groups must be 'roles' or 'pools', not {value!r}") from None


@attrs.frozen(slots=True)
class Directory:
    """A company's connected directory (R-PROV-1, R-PROV-2).

    Attributes:
        company_id: The company it provisions; its token reaches no other (R-PROV-2).
        token_hash: The SHA-256 of its bearer token (the token itself is stored nowhere).
        groups: What its groups stand for: roles or seat pools.
        connected_by: The admin it acts as; their authority is checked on every change.
        connected_at: When it was connected or its token last rotated.
    """

    company_id: CompanyId
    token_hash: str = attrs.field(repr=False)
    groups: GroupsAre
    connected_by: UserId
    connected_at: datetime


@attrs.frozen(slots=True)
class ProvisionedUser:
    """A user the company's directory provisioned (R-PROV-1).

    Attributes:
        company_id: The company.
        user_id: The library's user (the SCIM resource id).
        user_name: The directory's ``userName``, unique in the company.
        external_id: The directory's own id for them, kept as given.
        active: Whether they are a member now; ``False`` after deprovisioning.
        created_at: When the directory created them.
        updated_at: When the directory last changed them.
        version: Counts the directory's changes (the resource's ETag).
    """

    company_id: CompanyId
    user_id: UserId
    user_name: str
    external_id: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1


@attrs.frozen(slots=True)
class ProvisionedGroup:
    """A group the company's directory manages: a role or a seat pool (R-PROV-1).

    Attributes:
        company_id: The company.
        group_id: Its id (the SCIM resource id), from the service's id factory.
        display_name: The directory's ``displayName``, unique in the directory.
        external_id: The directory's own id for it, kept as given.
        target: The role's name or the pool's id it stands for, or ``None``.
        created_at: When the directory created it.
        updated_at: When the directory last changed it.
        version: Counts the directory's changes (the resource's ETag).
    """

    company_id: CompanyId
    group_id: str
    display_name: str
    external_id: str | None
    target: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 1


def check_display_name(value: object) -> str:
    """A group's ``displayName``."""
    return check_name(value, "displayName")


@attrs.frozen(slots=True)
class DirectoryUser:
    """A directory user as the identity provider sees it (the SCIM ``User``).

    Attributes:
        record: The directory's record of them.
        email: Their e-mail address, as the library holds it.
        groups: The directory's groups they are in, sorted.
    """

    record: ProvisionedUser
    email: str
    groups: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class DirectoryGroup:
    """A directory group as the identity provider sees it (the SCIM ``Group``).

    Attributes:
        record: The directory's record of it.
        members: The directory's users in it, sorted.
    """

    record: ProvisionedGroup
    members: tuple[UserId, ...] = ()
