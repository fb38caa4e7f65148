"""What the web integrations share to carry a user's consistency token (R-ALL-12).

A request brings the token of the user's last write in a header (``TeamAccess-Token``,
for API clients) or a cookie (``teamaccess_token``, for browsers); the header wins.
Its reads run ``at_least`` that token
([consistency_scope][teamaccess.consistency.consistency_scope]); a response after a
command carries the command's token back in both.
"""

from __future__ import annotations

from teamaccess.service._tokens import TokenScope

__all__ = ["COOKIE", "HEADER", "MAX_AGE", "cookie_header", "incoming"]

HEADER = "TeamAccess-Token"
"""The request and response header that carries a token."""
COOKIE = "teamaccess_token"
"""The cookie that carries a token."""
MAX_AGE = 300
"""How long (s) the cookie lives: far longer than any replica's lag."""


def incoming(header: str | None, cookie: str | None) -> str | None:
    """The token text a request brings: its header, else its cookie."""
    return header or cookie or None


def cookie_header(
    scope: TokenScope, *, cookie: str = COOKIE, max_age: int = MAX_AGE, secure: bool = False
) -> str | None:
    """The ``Set-Cookie`` value for a token a command issued in the scope, or ``None``."""
    if scope.issued is None:
        return None
    flags = "; Secure" if secure else ""
    return f"{cookie}={scope.issued}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{flags}"
