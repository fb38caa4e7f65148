"""RFC 9457 problem documents of teamaccess errors, for every web framework."""

from __future__ import annotations

from typing import Any

from teamaccess.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    StorageError,
    TeamAccessError,
    TransientStorageError,
)

__all__ = ["PROBLEM_JSON", "problem"]

PROBLEM_JSON = "application/problem+json"
"""The media type of an RFC 9457 problem document."""

_STATUS: tuple[tuple[type[TeamAccessError], int, str], ...] = (
    (AccessDenied, 403, "Forbidden"),
    (NotFound, 404, "Not Found"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 422, "Unprocessable Content"),
    (TransientStorageError, 503, "Service Unavailable"),
    (StorageError, 500, "Internal Server Error"),
)


def problem(error: TeamAccessError) -> tuple[int, dict[str, Any]]:
    """The status and the RFC 9457 problem document of a teamaccess error.

    ``type`` is ``urn:teamaccess:<code>``, ``code`` the exception's class name; a denial
    adds its ``reason`` and ``rule`` (e.g. ``not_a_member``, ``R-MEM-6``).
    """
    status, title = next(
        ((status, title) for kind, status, title in _STATUS if isinstance(error, kind)),
        (400, "Bad Request"),
    )
    code = type(error).__name__
    body: dict[str, Any] = {
        "type": f"urn:teamaccess:{code}",
        "title": title,
        "status": status,
        "detail": str(error),
        "code": code,
    }
    if isinstance(error, AccessDenied):
        body["reason"] = error.decision.reason
        body["rule"] = error.decision.rule
    return status, body
