"""Benchmark: events per second from the outbox to each sink, against the bare client.

For each sink the same N events (CompanyProfileUpdated of 50 companies) are put in a
fresh outbox and relayed by one ``Relay.drain()`` (lease, deliver one by one, mark
delivered); the baseline in the same run publishes the same N bodies with the bare
client, one call each, with the same delivery guarantee (Redis ``XADD``, RabbitMQ
publish with confirms, JetStream publish with ack, an HTTP POST), and no outbox.

Run: ``python benchmarks/relay.py [--events 2000] [--store sqlite|postgres]
[--sinks callable,redis,rabbitmq,nats,webhook]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from teamaccess.adapters.sql import SqlStore
from teamaccess.events import CompanyProfileUpdated
from teamaccess.relay import AsyncRelay, Envelope, Relay
from teamaccess.testing import in_transaction

REDIS = os.environ.get("TEAMACCESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ = os.environ.get("TEAMACCESS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
NATS = os.environ.get("TEAMACCESS_TEST_NATS_URL", "nats://127.0.0.1:4222")
POSTGRES = os.environ.get(
    "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TAG = f"bench{os.getpid()}"
NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)


def fill(store: SqlStore, count: int) -> list[bytes]:
    """Empty the outbox, append ``count`` events; their envelope bodies (the baseline's)."""
    store.clear()
    events = [
        CompanyProfileUpdated(occurred_at=NOW, actor_id=None, company_id=f"c{i % 50}", name=f"n{i}")
        for i in range(count)
    ]
    in_transaction(store, lambda tx: tx.outbox.extend(events))
    messages = in_transaction(store, lambda tx: tx.outbox.all())
    return [Envelope.of(m, "teamaccess").body() for m in messages]


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _rate(count: int, run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return count / (time.perf_counter() - began)


def sync_sink(name: str) -> tuple[Any, Callable[[list[bytes]], None], Callable[[], None]]:
    """(sink, bare publisher of bodies, cleanup) for a sink name."""
    if name == "callable":
        seen: list[object] = []
        return seen.append, seen.extend, seen.clear
    if name == "redis":
        import redis

        from teamaccess.relay.redis_streams import RedisStreamSink

        client = redis.Redis.from_url(REDIS)

        def bare(bodies: list[bytes]) -> None:
            for i, body in enumerate(bodies):
                client.xadd(f"{TAG}:bare", {"id": str(i), "body": body})

        def cleanup() -> None:
            client.delete(f"{TAG}:bare", f"{TAG}:sink")

        return RedisStreamSink(REDIS, f"{TAG}:sink"), bare, cleanup
    if name == "rabbitmq":
        import pika

        from teamaccess.relay.rabbitmq import RabbitMQSink

        connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ))
        channel = connection.channel()
        channel.queue_declare(TAG)
        channel.confirm_delivery()

        def bare(bodies: list[bytes]) -> None:
            for i, body in enumerate(bodies):
                props = pika.BasicProperties(message_id=str(i), delivery_mode=2)
                channel.basic_publish("", TAG, body, props, mandatory=True)

        def cleanup() -> None:
            channel.queue_delete(TAG)
            connection.close()

        return RabbitMQSink(RABBITMQ, routing_key=TAG), bare, cleanup
    if name == "webhook":
        import httpx

        from teamaccess.relay.webhook import WebhookSink

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/hooks"
        client = httpx.Client()

        def bare(bodies: list[bytes]) -> None:
            for body in bodies:
                client.post(url, content=body).raise_for_status()

        def cleanup() -> None:
            client.close()
            server.shutdown()

        return WebhookSink(url, "whsec_c2VjcmV0", allow_hosts=("127.0.0.1",)), bare, cleanup
    raise SystemExit(f"unknown sink {name}")


async def nats_rates(store: SqlStore, count: int) -> tuple[float, float]:
    """(relay events/s, bare events/s) through JetStream with acks."""
    import nats

    from teamaccess.relay.nats_jetstream import NatsSink

    client = await nats.connect(NATS)
    js = client.jetstream()
    await js.add_stream(name=TAG.upper(), subjects=[f"{TAG}.>"])
    try:
        bodies = fill(store, count)
        began = time.perf_counter()
        for i, body in enumerate(bodies):
            await js.publish(f"{TAG}.bare", body, headers={"Nats-Msg-Id": f"bare-{i}"})
        bare = count / (time.perf_counter() - began)
        sink = NatsSink(NATS, TAG)
        began = time.perf_counter()
        await AsyncRelay(store, sink).drain()
        relay = count / (time.perf_counter() - began)
        await sink.close()
    finally:
        await js.delete_stream(TAG.upper())
        await client.close()
    return relay, bare


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--sinks", default="callable,redis,rabbitmq,nats,webhook")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'relay.sqlite'}" if args.store == "sqlite" else POSTGRES
        store = SqlStore.from_url(url, prefix=f"{TAG}_")
        store.create_schema()
        print(f"{args.events} events, outbox on {args.store}")
        print(f"{'sink':10} {'relay ev/s':>11} {'bare ev/s':>10} {'relay/bare':>10}")
        try:
            for name in args.sinks.split(","):
                if name == "nats":
                    relay, bare = asyncio.run(nats_rates(store, args.events))
                else:
                    sink, publish, cleanup = sync_sink(name)
                    try:
                        bodies = fill(store, args.events)
                        bare = _rate(args.events, partial(publish, bodies))
                        relay = _rate(args.events, Relay(store, sink).drain)
                    finally:
                        cleanup()
                if name == "callable":  # the relay's own cost; a list append is no baseline
                    print(f"{name:10} {relay:11,.0f} {'-':>10} {'-':>10}")
                else:
                    print(f"{name:10} {relay:11,.0f} {bare:10,.0f} {relay / bare:10.2f}")
        finally:
            store.drop_schema()
            store.engine.dispose()


if __name__ == "__main__":
    main()
