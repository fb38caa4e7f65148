"""Each sink against its real server (R-ALL-8): Redis Streams, RabbitMQ, NATS JetStream, a webhook.

Events come from an in-memory service; each test uses names of its own run (stream,
queue, subject) and removes them.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import httpx
import pytest

from teamaccess.relay import AsyncRelay, Relay
from teamaccess.testing import FrozenClock, make_service

from .backends import RUN_ID
from .services import NATS_URL, RABBITMQ_URL, REDIS_URL, require


@pytest.fixture
def events():
    """A service with 6 events (users, a company, a member, a profile edit)."""
    ta = make_service()
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.companies.update_profile("anna", "acme", name="ACME AG")
    return ta


def _ids(ta) -> list[str]:
    return [f"teamaccess-{m.position}" for m in ta.outbox.pending(100)]


def test_redis_stream_sink_adds_one_entry_per_event(events) -> None:
    """R-ALL-8: every event is one XADD entry carrying its idempotency key and body."""
    import redis

    from teamaccess.relay.redis_streams import RedisStreamSink

    url = require("Redis", REDIS_URL)
    stream = f"tatest:{RUN_ID}:events"
    expected = _ids(events)
    sink = RedisStreamSink(url, stream)
    client = redis.Redis.from_url(url)
    try:
        assert Relay(events.store, sink).drain() == len(expected)
        entries = client.xrange(stream)
        assert [fields[b"id"].decode() for _, fields in entries] == expected
        body = json.loads(entries[-1][1][b"body"])
        assert (body["type"], body["data"]["name"]) == ("CompanyProfileUpdated", "ACME AG")
    finally:
        client.delete(stream)
        client.close()
        sink.close()


def test_rabbitmq_sink_publishes_confirmed_and_fails_on_unroutable(events) -> None:
    """R-ALL-8: confirmed publishes with message_id; an unroutable message is a failed attempt, retried."""
    import pika

    from teamaccess.relay.rabbitmq import RabbitMQSink

    url = require("RabbitMQ", RABBITMQ_URL)
    queue = f"tatest.{RUN_ID}.events"
    expected = _ids(events)
    clock = FrozenClock()
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.queue_declare(queue)
    try:
        nowhere = RabbitMQSink(url, routing_key=f"tatest.{RUN_ID}.nowhere")
        report = Relay(events.store, nowhere, clock=clock).run_once()
        nowhere.close()
        assert report.delivered == 0
        assert report.failed >= 1  # mandatory + confirms: the broker returned it
        sink = RabbitMQSink(url, routing_key=queue)
        clock.advance(seconds=2)  # the retries are due
        assert Relay(events.store, sink, clock=clock).drain() == len(expected)
        sink.close()
        got = []
        while (message := channel.basic_get(queue, auto_ack=True))[0] is not None:
            got.append(message[1].message_id)
        assert sorted(got) == sorted(expected)
    finally:
        channel.queue_delete(queue)
        connection.close()


def test_nats_jetstream_sink_publishes_and_the_stream_drops_repeats(events) -> None:
    """R-ALL-8: each event acknowledged by JetStream; a repeat with the same Nats-Msg-Id is dropped."""
    import nats

    from teamaccess.relay import Envelope
    from teamaccess.relay.nats_jetstream import NatsSink

    url = require("NATS", NATS_URL)
    stream, subject = f"TATEST_{RUN_ID}", f"tatest{RUN_ID}"
    expected = _ids(events)
    first = events.outbox.pending(1)[0]

    async def scenario() -> int:
        sink = NatsSink(url, subject, stream=stream)
        try:
            assert await AsyncRelay(events.store, sink).drain() == len(expected)
            await sink(Envelope.of(first, "teamaccess"))  # delivered again: a repeat
            client = await nats.connect(url)
            info = await client.jetstream().stream_info(stream)
            await client.close()
            return int(info.state.messages)
        finally:
            client = await nats.connect(url)
            await client.jetstream().delete_stream(stream)
            await client.close()
            await sink.close()

    assert asyncio.run(scenario()) == len(expected)


class _Receiver(BaseHTTPRequestHandler):
    secret = ""
    got: ClassVar[list[tuple[str, dict[str, object]]]] = []
    refused = 0

    def do_POST(self) -> None:
        from teamaccess.relay.webhook import WebhookError, verify

        body = self.rfile.read(int(self.headers["content-length"]))
        try:
            verify(self.secret, dict(self.headers), body)
        except WebhookError:
            type(self).refused += 1
            self.send_response(401)
        else:
            type(self).got.append((self.headers["webhook-id"], json.loads(body)))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[str]:
    """A local HTTP receiver that verifies Standard Webhooks signatures."""
    _Receiver.secret = "whsec_" + "c2VjcmV0LWtleS1vZi10aGUtdGVzdA=="
    _Receiver.got, _Receiver.refused = [], 0
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    server.server_close()


def test_webhook_sink_signs_each_delivery_and_a_wrong_secret_is_refused(events, receiver) -> None:
    """R-ALL-8: the receiver verifies every signature; signed with the wrong secret, every attempt fails."""
    from teamaccess.relay.webhook import WebhookSink

    expected = _ids(events)
    clock = FrozenClock()
    wrong = WebhookSink(receiver, "whsec_" + "d3Jvbmc=", allow_hosts=("127.0.0.1",))
    report = Relay(events.store, wrong, clock=clock).run_once()
    assert report.delivered == 0
    assert _Receiver.refused >= 1
    clock.advance(seconds=2)
    right = WebhookSink(receiver, _Receiver.secret, allow_hosts=("127.0.0.1",))
    assert Relay(events.store, right, clock=clock).drain() == len(expected)
    assert [message_id for message_id, _ in _Receiver.got] == expected
    assert all(body["id"] == message_id for message_id, body in _Receiver.got)
    right.close()
    wrong.close()


def test_webhook_errors_never_show_credentials_of_the_url(events, receiver) -> None:
    """A failed attempt's error (stored, listed by `outbox dead`) names the URL without its password."""
    from teamaccess.relay.webhook import WebhookSink

    wrong = WebhookSink(
        receiver.replace("http://", "http://user:s3cret@") + "?token=t0ken",
        "whsec_d3Jvbmc=",
        allow_hosts=("127.0.0.1",),
    )
    Relay(events.store, wrong, clock=FrozenClock()).run_once()
    errors = [m.last_error for m in events.outbox.pending(100) if m.last_error]
    assert errors
    assert all("s3cret" not in error and "answered 401" in error for error in errors)
    assert all("t0ken" not in error and "token=***" in error for error in errors)
    assert "s3cret" not in repr(wrong)
    assert "t0ken" not in repr(wrong)
    assert "t0ken" not in wrong.url
    wrong.close()


PRIVATE = [
    "http://127.0.0.1/hook", "http://127.8.9.10/hook", "http://[::1]/hook",
    "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://172.31.255.255/hook",
    "http://192.168.1.10/hook", "http://169.254.169.254/latest/meta-data",
    "http://169.254.10.10/hook", "http://[fc00::1]/hook", "http://[fd12:3456::1]/hook",
    "http://[fe80::1]/hook", "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://localhost:8080/hook", "http://api.localhost/hook",
]  # fmt: skip


@pytest.mark.parametrize("url", PRIVATE)
def test_webhook_sink_refuses_a_private_loopback_or_link_local_target(url) -> None:
    """R-ALL-11: a webhook URL whose host is not a public address is refused at construction, unless allowed by name."""
    from teamaccess.errors import InvalidInput
    from teamaccess.relay.webhook import WebhookSink

    with pytest.raises(InvalidInput, match="not a public address"):
        WebhookSink(url, "whsec_c2VjcmV0")
    host = httpx.URL(url).host
    WebhookSink(url, "whsec_c2VjcmV0", allow_hosts=(host,)).close()


def _resolving_to(monkeypatch, address: str) -> list[str]:
    """Make every DNS lookup answer ``address``; the names looked up."""
    import socket

    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.5", "127.0.0.1", "fe80::1"])
def test_webhook_sink_refuses_a_name_that_resolves_to_a_private_address(
    events, monkeypatch, address
) -> None:
    """R-ALL-11: a host name whose DNS answer is not public is a failed attempt, and no request is sent."""
    from teamaccess.relay.webhook import WebhookSink

    sent: list[httpx.Request] = []
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(204))
    )
    asked = _resolving_to(monkeypatch, address)
    sink = WebhookSink("https://crm.example/hooks", "whsec_c2VjcmV0", client=client)
    report = Relay(events.store, sink, clock=FrozenClock()).run_once()
    assert (report.delivered, sent) == (0, [])
    assert set(asked) == {"crm.example"}
    errors = {m.last_error for m in events.outbox.pending(100) if m.attempts}
    assert errors == {
        f"WebhookError: https://crm.example/hooks: crm.example resolves to {address}, not a "
        "public address; allow it by name: allow_hosts=('crm.example',)"
    }


def test_webhook_sink_posts_to_a_public_name_or_an_allowed_one(events, monkeypatch) -> None:
    """R-ALL-11: a name resolving to a public address is posted to; a private one named in allow_hosts too."""
    from teamaccess.relay.webhook import WebhookSink

    sent: list[str] = []
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: sent.append(str(r.url)) or httpx.Response(204))
    )
    _resolving_to(monkeypatch, "93.184.216.34")
    public = WebhookSink("https://crm.example/hooks", "whsec_c2VjcmV0", client=client)
    assert Relay(events.store, public, batch=3).run_once().delivered == 3
    _resolving_to(monkeypatch, "10.0.0.5")
    inside = WebhookSink(
        "https://crm.internal/hooks", "whsec_c2VjcmV0", client=client, allow_hosts=("crm.internal",)
    )
    Relay(events.store, inside).drain()
    assert events.outbox.count_pending() == 0
    assert sent[-1] == "https://crm.internal/hooks"


def test_webhook_transport_errors_never_show_url_secrets(events, monkeypatch, caplog) -> None:
    """R-ALL-11: a connection error quoting the URL reaches last_error and the log without user info or token."""
    import logging

    from teamaccess.relay.webhook import WebhookSink

    url = "https://bob:pa55@crm.example/hooks?token=t0ken&signature=s1g&tenant=7"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    _resolving_to(monkeypatch, "93.184.216.34")
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with caplog.at_level(logging.INFO, logger="teamaccess.relay"):
        Relay(events.store, WebhookSink(url, "whsec_c2VjcmV0", client=client)).run_once()
    errors = [m.last_error or "" for m in events.outbox.pending(100) if m.attempts]
    assert errors
    for text in [*errors, caplog.text]:
        for secret in ("pa55", "t0ken", "s1g"):
            assert secret not in text
    assert "ConnectError" in errors[0]
    assert "https://***@crm.example/hooks?token=***&signature=***&tenant=7" in errors[0]
