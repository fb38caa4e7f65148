"""RFC 9457 problem documents of teamaccess errors, for every web framework.

A storage failure is the server's business, not the client's: its text (SQL, a
driver's message, a host name) goes to the log (``teamaccess.web``), and the client
gets 503 with a generic detail (R-ALL-9, R-ALL-10).
"""

from __future__ import annotations

import logging
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

__all__ = ["PROBLEM_JSON", "STORAGE_DETAIL", "problem"]

log = logging.getLogger("teamaccess.web")

PROBLEM_JSON = "application/problem+json"
"""The media type of an RFC 9457 problem document."""

_STATUS: tuple[tuple[type[TeamAccessError], int, str], ...] = (
    (AccessDenied, 403, "Forbidden"),
    (NotFound, 404, "Not Found"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 422, "Unprocessable Content"),
    (StorageError, 503, "Service Unavailable"),
)

STORAGE_DETAIL = "the service's storage is unavailable; try again later"
"""The detail of every storage failure's problem document: the error's text is logged."""


def problem(error: TeamAccessError) -> tuple[int, dict[str, Any]]:
    """The status and the RFC 9457 problem document of a teamaccess error.

    ``type`` is ``urn:teamaccess:<code>``, ``code`` the exception's class name; a denial
    adds its ``reason`` and ``rule`` (e.g. ``not_a_member``, ``R-MEM-6``). A
    [StorageError][teamaccess.errors.StorageError] (and its transient kind) answers
    503 with `STORAGE_DETAIL`: its own text, which may quote SQL or the driver, is
    logged at ERROR on ``teamaccess.web`` and never sent.
    """
    status, title = next(
        ((status, title) for kind, status, title in _STATUS if isinstance(error, kind)),
        (400, "Bad Request"),
    )
    code = type(error).__name__
    detail = str(error)
    if isinstance(error, StorageError):
        log.error("storage failure answered %d: %s", status, detail, exc_info=error)
        detail = STORAGE_DETAIL
        if not isinstance(error, TransientStorageError):  # a missing table (SchemaMissing)
            code = StorageError.__name__  # is for the host's log, not the client

    body: dict[str, Any] = {
        "type": f"urn:teamaccess:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if isinstance(error, AccessDenied):
        body["reason"] = error.decision.reason
        body["rule"] = error.decision.rule
    return status, body
