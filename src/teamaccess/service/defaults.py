"""Production defaults for the injectable clock, id and token factories."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timezone

__all__ = ["random_ids", "secure_tokens", "utc_now"]


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def random_ids(kind: str) -> str:
    """Return a random id such as ``"company_3f2a..."``."""
    return f"{kind}_{uuid.uuid4().hex}"


def secure_tokens() -> str:
    """Return a URL-safe token with 256 bits of randomness.

    The token never starts with ``-``, so it can be passed as a command-line
    argument (``teamaccess domains verify --code TOKEN``) without being read as
    an option.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token
