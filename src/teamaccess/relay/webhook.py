"""HTTP webhooks signed the Standard Webhooks way (extra ``webhook``: httpx).

Each envelope is POSTed as JSON with the headers ``webhook-id`` (the idempotency key),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (``v1,`` and the
base64 HMAC-SHA256 of ``id.timestamp.body`` under the shared secret). A 2xx answer is
a delivery; anything else, or no answer within the timeout, is a failed attempt.
Receivers check a request with [verify][teamaccess.relay.webhook.verify].

The sink refuses private, loopback, link-local and other non-public targets (a relay
must not be a way into the host's own network or a cloud metadata service such as
169.254.169.254) unless the host names them in ``allow_hosts``: a literal address at
construction, a name's every DNS answer before each request. Secrets in the URL (user
info, ``?token=``, ``key``, ``secret``, ``signature`` values) never reach an error, a
log line or the ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping

import httpx

from teamaccess.errors import InvalidInput
from teamaccess.relay._envelope import Envelope
from teamaccess.relay._secrets import redact_url, redact_urls

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


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _not_public(address: _Address) -> bool:
    """Private, loopback, link-local, unspecified, reserved, shared or multicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _literal(host: str) -> _Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class WebhookSink:
    """POST each envelope to ``url``, signed with ``secret`` (Standard Webhooks).

    Args:
        url: The receiver's endpoint, ``https://`` or ``http://``.
        secret: The shared secret, ``whsec_<base64>`` as Standard Webhooks writes it.
        timeout: Seconds to wait for the answer; a relay takes it as the longest one
            delivery may take, and its lease must cover it.
        client: An ``httpx.Client`` of the host's (proxies, TLS); a new one if omitted.
        allow_hosts: Host names or addresses, exactly as the URL spells them, that may
            be private, loopback or link-local (a receiver on the host's own network,
            a test server on 127.0.0.1). Every other target must be public.

    Raises:
        InvalidInput: A URL that is not http(s), or whose host is a non-public address
            (or ``localhost``) not in ``allow_hosts``.
    """

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        allow_hosts: Iterable[str] = (),
    ) -> None:
        self._shown = redact_url(url)  # for errors, logs and repr
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as error:
            raise InvalidInput(f"not a webhook URL: {self._shown}") from error
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise InvalidInput(f"a webhook URL is http:// or https:// with a host: {self._shown}")
        if isinstance(allow_hosts, str):
            allow_hosts = (allow_hosts,)
        self._host = parsed.host.lower()
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._allowed = self._host in {host.lower().strip("[]") for host in allow_hosts}
        if not self._allowed:
            address = _literal(self._host)
            local_name = self._host == "localhost" or self._host.endswith(".localhost")
            if local_name or (address is not None and _not_public(address)):
                raise InvalidInput(
                    f"webhook target {self._shown} is not a public address; "
                    f"allow it by name: allow_hosts=({self._host!r},)"
                )
        self._url = url
        self.timeout = float(timeout)
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout)

    @property
    def url(self) -> str:
        """The receiver's endpoint with its secrets hidden."""
        return self._shown

    def __repr__(self) -> str:
        """``WebhookSink('<url, secrets hidden>')``."""
        return f"WebhookSink({self._shown!r})"

    def _check_target(self) -> None:
        """Refuse a host name whose DNS answers include a non-public address."""
        if self._allowed or _literal(self._host) is not None:
            return
        try:
            answers = socket.getaddrinfo(self._host, self._port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise WebhookError(f"{self._shown}: cannot resolve {self._host}: {error}") from None
        for *_, sockaddr in answers:
            address = _literal(str(sockaddr[0]).partition("%")[0])
            if address is None or _not_public(address):
                raise WebhookError(
                    f"{self._shown}: {self._host} resolves to {sockaddr[0]}, not a public "
                    f"address; allow it by name: allow_hosts=({self._host!r},)"
                )

    def __call__(self, envelope: Envelope) -> None:
        """Deliver one envelope; raise `WebhookError` unless the answer is 2xx."""
        self._check_target()
        body = envelope.body()
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": envelope.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._secret, envelope.id, timestamp, body),
        }
        try:
            response = self._client.post(self._url, content=body, headers=headers)
        except (httpx.HTTPError, OSError) as error:
            text = redact_urls(str(error))
            raise WebhookError(f"{self._shown}: {type(error).__name__}: {text}") from None
        if not response.is_success:
            raise WebhookError(f"{self._shown} answered {response.status_code}")

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
