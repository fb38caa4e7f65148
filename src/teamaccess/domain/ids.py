"""Identifier types.

Ids are opaque strings chosen by the host (users) or by an id factory (companies,
invitations). ``NewType`` keeps them apart for the type checker at no runtime cost.
"""

from __future__ import annotations

from typing import NewType

from teamaccess.errors import InvalidName

__all__ = [
    "CompanyId",
    "InvitationId",
    "LeadId",
    "RecordId",
    "RequestId",
    "UserId",
    "check_id",
    "check_name",
]

UserId = NewType("UserId", str)
"""A user's id: the host's own identifier for a person."""
CompanyId = NewType("CompanyId", str)
"""A company's id (also of partner and child accounts)."""
InvitationId = NewType("InvitationId", str)
"""An invitation's id (not its token, which is secret)."""
LeadId = NewType("LeadId", str)
"""A lead's id on the marketplace."""
RequestId = NewType("RequestId", str)
"""The id of a request in a company's inbox."""
RecordId = NewType("RecordId", str)
"""The id of a shared record (minutes, invoice, timeline entry, ...)."""

MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200


def check_id(value: object, what: str) -> str:
    """Return ``value`` if it is a usable id, else raise :class:`InvalidName`."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidName(f"{what} id must be a non-empty string without outer spaces: {value!r}")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidName(f"{what} id is longer than {MAX_ID_LENGTH} characters: {value!r}")
    return value


def check_name(value: object, what: str) -> str:
    """Return ``value`` stripped if it is a usable display name, else raise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidName(f"{what} must be a non-empty string: {value!r}")
    if len(value.strip()) > MAX_NAME_LENGTH:
        raise InvalidName(f"{what} is longer than {MAX_NAME_LENGTH} characters")
    return value.strip()
