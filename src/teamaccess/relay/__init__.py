"""The outbox relay: events out of the outbox to a webhook, a stream, a queue (R-ALL-8).

>>> from teamaccess import MemoryStore
>>> from teamaccess.relay import Relay
>>> from teamaccess.testing import make_service
>>> ta = make_service(MemoryStore())
>>> _ = ta.users.register("anna", "anna@example.com")
>>> received = []
>>> Relay(ta.store, received.append).drain()
1
>>> received[0].type, received[0].id
('UserRegistered', 'teamaccess-1')

A relay leases a batch of due events (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and
MariaDB, SQLite's single writer, the in-memory store's lock), hands each to a sink,
and records the outcome: delivered; failed, retried later with exponential backoff and
jitter; dead after ``max_attempts`` (``ta.outbox.dead()``, ``ta.outbox.redrive()``).
Per company, events go out in commit order, and a failing event holds back only the
later events of its own company. Several relays may run at once. Delivery is at least
once: every envelope carries an idempotency key for the receiver. One bad row never
stops the feed (R-ALL-11): an event this version cannot read is a dead letter at once,
with its reason, and a sink that hangs fails its attempt after ``timeout``.

Sinks: any callable; [WebhookSink][teamaccess.relay.webhook.WebhookSink] (Standard
Webhooks, extra ``webhook``), [RedisStreamSink][teamaccess.relay.redis_streams.RedisStreamSink]
(extra ``redis``), [RabbitMQSink][teamaccess.relay.rabbitmq.RabbitMQSink] (extra
``rabbitmq``) and [NatsSink][teamaccess.relay.nats_jetstream.NatsSink] (extra ``nats``).
"""

from teamaccess.relay._envelope import AsyncSink, Envelope, Sink
from teamaccess.relay._relay import AsyncRelay, BatchReport, Relay

__all__ = ["AsyncRelay", "AsyncSink", "BatchReport", "Envelope", "Relay", "Sink"]
