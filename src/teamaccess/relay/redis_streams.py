"""Redis Streams (extra ``redis``): each envelope one ``XADD`` entry.

The entry's fields: ``id`` (the idempotency key), ``type``, ``company_id`` (empty
when none) and ``body`` (the JSON of [Envelope.body][teamaccess.relay.Envelope.body]).
Consumers in a consumer group drop an ``id`` they have seen.
"""

from __future__ import annotations

import redis

from teamaccess.relay._envelope import Envelope

__all__ = ["RedisStreamSink"]


class RedisStreamSink:
    """``XADD`` each envelope to ``stream``.

    Args:
        url: ``redis://host:port/db``.
        stream: The stream's key.
        maxlen: Trim the stream to about this many entries (``MAXLEN ~``); no trim if None.
    """

    def __init__(
        self, url: str, stream: str = "teamaccess.events", *, maxlen: int | None = None
    ) -> None:
        self.stream = stream
        self._maxlen = maxlen
        self._client = redis.Redis.from_url(url)

    def __call__(self, envelope: Envelope) -> None:
        """Append one entry; a Redis error is a failed attempt."""
        fields: dict[str, str | bytes] = {
            "id": envelope.id,
            "type": envelope.type,
            "company_id": envelope.company_id or "",
            "body": envelope.body(),
        }
        self._client.xadd(self.stream, fields, maxlen=self._maxlen, approximate=True)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
