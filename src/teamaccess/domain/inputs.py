"""Checks of argument shapes that are not ids, names or e-mails (R-ALL-6, R-ALL-7).

Every public command runs its arguments through these (or through
`check_id`, `check_name` and
[normalize_email][teamaccess.normalize_email]) before it opens a transaction, so a
malformed value is refused with the same [InvalidInput][teamaccess.errors.InvalidInput]
subclass on every store and never reaches storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from teamaccess.domain.ids import BAD_IN_TEXT, MAX_ID_LENGTH, check_id, check_name, shown
from teamaccess.domain.models import CompanySettings
from teamaccess.errors import InvalidInput

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_ATTRIBUTE_VALUE",
    "MAX_LIST",
    "MAX_TAG_LENGTH",
    "MAX_TEXT_LENGTH",
    "check_attributes",
    "check_bool",
    "check_count",
    "check_csv",
    "check_instant",
    "check_list",
    "check_optional_id",
    "check_positions",
    "check_settings",
    "check_tag",
    "check_text",
]

MAX_TAG_LENGTH = 100
"""The longest access tag, in characters."""
MAX_ATTRIBUTES = 50
"""The most attributes a user may carry."""
MAX_ATTRIBUTE_VALUE = 1000
"""The longest attribute value, in characters."""
MAX_TEXT_LENGTH = 1000
"""The longest free text (a text property's value), in characters."""
MAX_LIST = 1000
"""The most ids one argument may list (taker companies, tags, choices, ...)."""
EARLIEST = datetime(1000, 1, 2, tzinfo=timezone.utc)
"""The earliest instant a command takes: every SQL store holds it (MariaDB from year 1000)."""
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)
"""The latest instant a command takes, with room for the durations added to it."""


def check_count(value: object, name: str, minimum: int, maximum: int = 1_000_000_000) -> int:
    """Return ``value`` if it is a whole number in range, else raise `InvalidInput`."""
    if type(value) is not int or not minimum <= value <= maximum:
        raise InvalidInput(
            f"{name} must be a whole number from {minimum} to {maximum}: {shown(value)}"
        )
    return value


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False``, else raise `InvalidInput`."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be True or False, got {shown(value)}")
    return value


def check_optional_id(value: object, what: str) -> str | None:
    """``None``, or ``value`` checked as an id."""
    return None if value is None else check_id(value, what)


def check_tag(value: object) -> str:
    """Return ``value`` if it is a usable access tag: an id of at most 100 characters."""
    return check_id(value, "tag", MAX_TAG_LENGTH)


def check_list(
    value: object, what: str, maximum: int = MAX_ID_LENGTH, limit: int = MAX_LIST
) -> list[str]:
    """Return a collection of ids (not a single string) as a list, or raise (R-ALL-7).

    Each item is checked as an id of at most ``maximum`` characters; at most ``limit``
    items.
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInput(f"{what}s must be a list of ids, not {shown(value)}")
    items = list(value)
    if len(items) > limit:
        raise InvalidInput(f"at most {limit} {what}s, got {len(items)}")
    return [check_id(item, what, maximum) for item in items]


def check_text(value: object, what: str, maximum: int = MAX_TEXT_LENGTH) -> str:
    """Return free text (tabs and line breaks allowed) of at most ``maximum`` characters.

    Other control characters and unpaired surrogates are refused: no database stores NUL
    or a lone surrogate alike (R-ALL-7).
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, not {shown(value)}")
    if len(value) > maximum:
        raise InvalidInput(f"{what} is longer than {maximum} characters: {shown(value)}")
    if BAD_IN_TEXT.search(value):
        raise InvalidInput(f"{what} holds a control character or a lone surrogate: {shown(value)}")
    return value


def check_csv(value: object) -> bytes | str:
    """Return CSV data if it is ``bytes`` or ``str``, else raise `InvalidInput`."""
    if not isinstance(value, (bytes, str)):
        raise InvalidInput(f"CSV data must be bytes or str, not {shown(value)}")
    return value


def check_positions(value: object) -> list[int]:
    """Return outbox positions as a list of whole numbers >= 1, or raise."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInput(f"positions must be a list of whole numbers: {shown(value)}")
    return [check_count(position, "an outbox position", 1, 2**62) for position in value]


def check_settings(value: object) -> CompanySettings | None:
    """Return ``value`` if it is ``None`` or a `CompanySettings`, else raise."""
    if value is not None and not isinstance(value, CompanySettings):
        raise InvalidInput(f"settings must be CompanySettings or None: {shown(value)}")
    return value


def check_attributes(value: object) -> dict[str, str]:
    """Return a user's attributes as a plain dict, or raise `InvalidInput`.

    Keys are ids, values names of at most 1,000 characters (stored exactly as given,
    not stripped), at most 50 entries.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"attributes must be a mapping of str to str, got {shown(value)}")
    if len(value) > MAX_ATTRIBUTES:
        raise InvalidInput(f"at most {MAX_ATTRIBUTES} attributes, got {len(value)}")
    checked: dict[str, str] = {}
    for key, item in value.items():
        check_id(key, "attribute")
        if not isinstance(item, str):
            raise InvalidInput(f"attribute {key!r} must be a string, got {shown(item)}")
        if item:
            check_name(item, f"attribute {key!r}", MAX_ATTRIBUTE_VALUE)
        checked[key] = item
    return checked


def check_instant(value: object, name: str) -> datetime:
    """Return an aware datetime between `EARLIEST` and `LATEST`, else raise `InvalidInput`.

    A naive datetime, another type, or an instant that no store can hold (or that
    overflows once an embargo or a time to live is added) is refused the same way on
    every store, before it reaches one (R-ALL-6, R-ALL-7).
    """
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be an aware datetime, got {shown(value)}")
    try:
        in_range = EARLIEST <= value <= LATEST
    except OverflowError:  # the offset moves it past the calendar's ends
        in_range = False
    if not in_range:
        raise InvalidInput(
            f"{name} must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} UTC, got {value}"
        )
    return value
