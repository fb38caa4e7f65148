"""Secrets out of URLs before they reach a stored error, a log line or a ``repr``.

A sink's URL may carry credentials: ``user:password@`` before the host, or a query or
fragment value such as ``?token=...``, ``key=``, ``secret=``, ``signature=``. The
relay stores a failed attempt's text as ``last_error`` (listed by ``outbox dead``) and
logs it, so every URL in such a text is shown with those parts replaced by ``***``.

>>> redact_url("https://bob:pw@crm.example/hook?token=abc&x=1")
'https://***@crm.example/hook?token=***&x=1'
>>> redact_urls("POST https://crm.example/h?sig=s3cr3t failed")
'POST https://crm.example/h?sig=*** failed'
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["redact_url", "redact_urls"]

HIDDEN = "***"

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()\[\]{}]+")
_PAIR = re.compile(r"(^|[&;])([^=&;]*)=([^&;]*)")
_SECRET_NAMES = (
    "token", "key", "secret", "sig", "pass", "pwd", "auth", "credential", "session",
    "code", "cookie", "jwt", "bearer",
)  # fmt: skip


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_NAMES)


def _hide_values(text: str) -> str:
    """``a=1&token=x`` as ``a=1&token=***``: the values of secret-looking names."""

    def hide(match: re.Match[str]) -> str:
        lead, name, value = match.groups()
        return f"{lead}{name}={HIDDEN}" if value and _secret_name(name) else match.group(0)

    return _PAIR.sub(hide, text)


def redact_url(url: str) -> str:
    """``url`` without its user info and without the values of secret-looking parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return HIDDEN
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{HIDDEN}@{netloc.rpartition('@')[2]}"
    return urlunsplit(
        parts._replace(
            netloc=netloc, query=_hide_values(parts.query), fragment=_hide_values(parts.fragment)
        )
    )


def redact_urls(text: str) -> str:
    """``text`` with every URL in it passed through [redact_url][]."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)
