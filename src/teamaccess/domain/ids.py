"""Identifier types.

Ids are opaque strings chosen by the host (users) or by an id factory (companies,
invitations). ``NewType`` keeps them apart for the type checker at no runtime cost.
"""

from __future__ import annotations

import re
from typing import NewType

from teamaccess.errors import InvalidName

__all__ = [
    "BAD_IN_TEXT",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "CompanyId",
    "InvitationId",
    "LeadId",
    "RecordId",
    "RequestId",
    "UserId",
    "check_id",
    "check_name",
    "shown",
    "well_formed",
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
"""The longest id, in characters (R-ALL-7)."""
MAX_NAME_LENGTH = 200
"""The longest display name (company name, group title, ...), in characters."""

# Characters no name may hold: C0 and C1 controls (NUL, ESC, ...), lone surrogates
# (which no database encoding can store) and the Unicode line and paragraph separators.
_BAD_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


BAD_IN_TEXT = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff]")
"""What free text may not hold: control characters other than tab and line breaks, and
unpaired surrogates; databases disagree about storing them (R-ALL-7)."""


def shown(value: object, width: int = 60) -> str:
    """``repr(value)``, cut to about ``width`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 5]}...{text[-2:]}"


def check_id(value: object, what: str, maximum: int = MAX_ID_LENGTH) -> str:
    """Return ``value`` if it is a usable id, else raise `InvalidName` (R-ALL-7).

    An id is a string of 1 to ``maximum`` (`MAX_ID_LENGTH`) printable characters (no control,
    format or surrogate characters, no space other than U+0020) that neither starts
    nor ends with a space.
    """
    if isinstance(value, str) and _is_id(value, maximum):
        return value
    raise InvalidName(f"{what} id {_id_problem(value, maximum)}: {shown(value)}")


_WELL_FORMED: set[str] = set()  # ids seen to pass check_id, for the check's hot path


def well_formed(actor_id: object, company_id: object, action: object) -> bool:
    """Whether all three are ids `check_id` accepts; remembers those that are.

    The permission check asks this on every call: a set lookup of ids seen before
    costs less than checking them again. Values that are not ids are never
    remembered, so ``False`` sends the caller to `check_id` for the error.
    """
    known = _WELL_FORMED
    try:
        if actor_id in known and company_id in known and action in known:
            return True
    except TypeError:  # unhashable: certainly not an id
        return False
    values = (actor_id, company_id, action)
    if not all(isinstance(v, str) and _is_id(v, MAX_ID_LENGTH) for v in values):
        return False
    if len(known) > 100_000:
        known.clear()
    known.update(v for v in values if isinstance(v, str))
    return True


def _is_id(value: str, maximum: int) -> bool:
    return (
        0 < len(value) <= maximum and value.isprintable() and value[0] != " " and value[-1] != " "
    )


def _id_problem(value: object, maximum: int) -> str:
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "must not be empty"
    if len(value) > maximum:
        return f"is longer than {maximum} characters"
    if not value.isprintable():
        return "holds a control, format or unpaired surrogate character"
    return "must not start or end with a space"


def check_name(value: object, what: str, maximum: int = MAX_NAME_LENGTH) -> str:
    """Return ``value`` stripped if it is a usable display name, else raise (R-ALL-7).

    A name is a string with at least one non-blank character, at most ``maximum``
    characters after stripping, and no control characters, unpaired surrogates or
    line separators.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidName(f"{what} must be a non-empty string: {shown(value)}")
    stripped = value.strip()
    if len(stripped) > maximum:
        raise InvalidName(f"{what} is longer than {maximum} characters: {shown(value)}")
    if _BAD_IN_TEXT.search(stripped):
        raise InvalidName(
            f"{what} holds a control character or an unpaired surrogate: {shown(value)}"
        )
    return stripped
