"""A person's data rights (GDPR art. 15 and 17): the pseudonym and the redaction.

Erasure replaces a person's e-mail address and attribute values by a pseudonym in
every place they are stored, the audit trail included, while every row and event keeps
its shape: ids stay (they are the host's own keys), only what names the person goes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from teamaccess.domain.events import Event, event_from_dict, event_to_dict

__all__ = ["ERASED_DOMAIN", "mentions", "pseudonym_email", "redact", "redact_event"]

ERASED_DOMAIN = "erased.invalid"
"""The domain of every pseudonymous address; ``.invalid`` never resolves (RFC 2606)."""


def pseudonym_email(user_id: str) -> str:
    """The address an erased user keeps: unique per user id, revealing nothing else."""
    digest = hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:24]
    return f"erased-{digest}@{ERASED_DOMAIN}"


def redact(value: Any, old: str, new: str) -> Any:
    """``value`` with ``old`` replaced by ``new`` inside every string in it, at any depth."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, Mapping):
        return {key: redact(item, old, new) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item, old, new) for item in value]
    return value


def redact_event(event: Event, old: str, new: str) -> Event | None:
    """The event with ``old`` replaced by ``new``, or ``None`` if it does not hold ``old``."""
    data = event_to_dict(event)
    changed = redact(data, old, new)
    return None if changed == data else event_from_dict(changed)


def mentions(value: Any, user_id: str, email: str) -> bool:
    """Whether a string in ``value`` is the user id or holds the e-mail address."""
    if isinstance(value, str):
        return value == user_id or email in value
    if isinstance(value, Mapping):
        return any(mentions(item, user_id, email) for item in value.values())
    if isinstance(value, list | tuple):
        return any(mentions(item, user_id, email) for item in value)
    return False
