"""The message servers the relay's sink tests need: Redis, RabbitMQ, NATS.

Like the databases (backends.py): without ``CI`` an unreachable server skips its tests
with a one-line reason; with ``CI`` set it fails them.
"""

from __future__ import annotations

import os
import socket

import pytest

REDIS_URL = os.environ.get("TEAMACCESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get(
    "TEAMACCESS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
NATS_URL = os.environ.get("TEAMACCESS_TEST_NATS_URL", "nats://127.0.0.1:4222")


def require(name: str, url: str) -> str:
    """``url`` if its server accepts a TCP connection; else skip (fail under CI)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        reason = f"{name} unreachable at {host}:{port}: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI requires it)", pytrace=False)
        pytest.skip(reason)
    return url
