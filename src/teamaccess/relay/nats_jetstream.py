"""NATS JetStream (extra ``nats``: nats-py), an [AsyncSink][teamaccess.relay.AsyncSink].

Each envelope is published to ``<subject>.<type>`` with the ``Nats-Msg-Id`` header set
to the idempotency key: the stream drops a repeat within its duplicate window. The
call returns once the stream has acknowledged it. Use it with
[AsyncRelay][teamaccess.relay.AsyncRelay].
"""

from __future__ import annotations

from typing import Any

import nats

from teamaccess.relay._envelope import Envelope

__all__ = ["NatsSink"]


class NatsSink:
    """Publish each envelope to JetStream, acknowledged, de-duplicated by its id.

    Args:
        url: ``nats://host:port``.
        subject: The subject prefix; the event type is appended (``teamaccess.MemberAdded``).
        stream: A stream to create for ``<subject>.>`` when it does not exist; ``None``
            leaves streams to the host.
    """

    def __init__(self, url: str, subject: str = "teamaccess", *, stream: str | None = None) -> None:
        self.url = url
        self.subject = subject
        self.stream = stream
        self._client: Any = None
        self._js: Any = None

    async def _jetstream(self) -> Any:
        if self._client is None or self._client.is_closed:
            self._client = await nats.connect(self.url)
            self._js = self._client.jetstream()
            if self.stream is not None:
                await self._js.add_stream(name=self.stream, subjects=[f"{self.subject}.>"])
        return self._js

    async def __call__(self, envelope: Envelope) -> None:
        """Publish one message and wait for the stream's acknowledgement."""
        js = await self._jetstream()
        await js.publish(
            f"{self.subject}.{envelope.type}", envelope.body(), headers={"Nats-Msg-Id": envelope.id}
        )

    async def close(self) -> None:
        """Drain and close the connection."""
        if self._client is not None and not self._client.is_closed:
            await self._client.drain()
        self._client = None
