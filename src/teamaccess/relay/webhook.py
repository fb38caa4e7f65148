"""HTTP webhooks signed the Standard Webhooks way (extra ``webhook``: httpx).

Each envelope is POSTed as JSON with the headers ``webhook-id`` (the idempotency key),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (``v1,`` and the
base64 HMAC-SHA256 of ``id.timestamp.body`` under the shared secret). A 2xx answer is
a delivery; anything else, or no answer within the timeout, is a failed attempt.
Receivers check a request with [verify][teamaccess.relay.webhook.verify].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

import httpx

from teamaccess.relay._envelope import Envelope

__all__ = ["WebhookError", "WebhookSink", "sign", "verify"]


class WebhookError(Exception):
    """The receiver did not answer 2xx (a failed attempt) or a signature is wrong."""


def _key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret (or of any other text, as UTF-8)."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of id.timestamp.body>``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, tolerance: int = 300) -> None:
    """Check a webhook request's signature and age; raise `WebhookError` if either fails."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError) as error:
        raise WebhookError(f"missing or malformed webhook headers: {error}") from error
    if abs(time.time() - timestamp) > tolerance:
        raise WebhookError("webhook timestamp outside the tolerance")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookError("no webhook signature matches")


class WebhookSink:
    """POST each envelope to ``url``, signed with ``secret`` (Standard Webhooks).

    Args:
        url: The receiver's endpoint.
        secret: The shared secret, ``whsec_<base64>`` as Standard Webhooks writes it.
        timeout: Seconds to wait for the answer.
        client: An ``httpx.Client`` of the host's (proxies, TLS); a new one if omitted.
    """

    def __init__(
        self, url: str, secret: str, *, timeout: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        self.url = url
        self._shown = str(httpx.URL(url).copy_with(username=None, password=None))  # for errors
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout)

    def __call__(self, envelope: Envelope) -> None:
        """Deliver one envelope; raise `WebhookError` unless the answer is 2xx."""
        body = envelope.body()
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": envelope.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._secret, envelope.id, timestamp, body),
        }
        response = self._client.post(self.url, content=body, headers=headers)
        if not response.is_success:
            raise WebhookError(f"{self._shown} answered {response.status_code}")

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
