"""``relay``, ``outbox dead`` and ``outbox redrive``: the outbox reaches its receivers."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import OK, Context, UsageError
from teamaccess.cli._output import emit
from teamaccess.domain.events import UndecodableEvent
from teamaccess.relay import AsyncRelay, Envelope, Relay
from teamaccess.relay._secrets import redact_url, redact_urls

SECRET_VARIABLE = "TEAMACCESS_WEBHOOK_SECRET"  # noqa: S105 - the name of the variable


def register(top: Commands) -> None:
    """Add ``relay``."""
    relay_command = top.add(
        "relay",
        relay,
        "deliver the outbox to a sink until SIGTERM (then end the call in hand, give back "
        "the rest of the batch, exit 0)",
    )
    relay_command.add_argument(
        "--sink",
        required=True,
        metavar="URL",
        help="https://... (a Standard Webhooks receiver; secret in $"
        f"{SECRET_VARIABLE}), redis://host/0?stream=S, amqp://user:pw@host/?routing_key=K, "
        "nats://host:4222?subject=S&stream=N, or stdout: (JSON lines)",
    )
    relay_command.add_argument("--batch", type=int, default=100, help="events per lease")
    relay_command.add_argument(
        "--max-attempts", type=int, default=8, help="failed attempts before an event is dead"
    )
    relay_command.add_argument("--lease", type=float, default=30.0, help="seconds a batch is held")
    relay_command.add_argument("--name", help="this relay's name in leases and logs")
    relay_command.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a webhook host that may be private, loopback or link-local (repeatable)",
    )


def register_outbox(outbox_command: argparse.ArgumentParser) -> None:
    """Add ``outbox dead`` and ``outbox redrive`` under ``outbox``."""
    from teamaccess.cli._commands import common_options

    actions = outbox_command.add_subparsers(title="dead letters", metavar="[dead|redrive]")
    dead_command = actions.add_parser("dead", help="list the events the relay parked")
    common_options(dead_command, top=False)
    dead_command.add_argument("--limit", type=int, default=100, help="at most this many")
    dead_command.set_defaults(handler=dead)
    redrive_command = actions.add_parser("redrive", help="make parked events pending again")
    common_options(redrive_command, top=False)
    which = redrive_command.add_mutually_exclusive_group(required=True)
    which.add_argument("positions", nargs="*", type=int, default=[], metavar="POSITION")
    which.add_argument("--all", action="store_true", help="every dead event")
    redrive_command.set_defaults(handler=redrive)


def dead(context: Context) -> int:
    """List dead events with their attempts and last error."""
    rows = [
        {
            "position": m.position,
            "type": m.event.stored_type if isinstance(m.event, UndecodableEvent) else m.event.type,
            "company": m.event.company_id or "",
            "attempts": m.attempts,
            "dead_at": m.dead_at.isoformat() if m.dead_at else "",
            "error": redact_urls(m.last_error or ""),
        }
        for m in context.service().outbox.dead(context.args.limit)
    ]
    columns = {"position": "position", "type": "type", "company": "company",
               "attempts": "attempts", "dead_at": "dead since", "error": "last error"}  # fmt: skip
    emit(context, columns, rows)
    return OK


def redrive(context: Context) -> int:
    """Make dead events pending again."""
    chosen = None if context.args.all else context.args.positions
    count = context.service().outbox.redrive(chosen)
    print(f"{count} event(s) pending again", file=context.out)
    return OK


def _stdout(envelope: Envelope) -> None:
    """Print one JSON line: the envelope's id and position, and its event."""
    line = {"id": envelope.id, "position": envelope.position, **envelope.data}
    print(json.dumps(line, default=str, sort_keys=True), flush=True)


def sink_of(url: str, allow_hosts: tuple[str, ...] = ()) -> tuple[Any, bool]:
    """The sink a ``--sink`` URL names, and whether it is awaitable."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    bare = urlunsplit(parts._replace(query=""))
    scheme = parts.scheme
    if url in ("stdout:", "-"):
        return _stdout, False
    if scheme in ("http", "https"):
        from teamaccess.relay.webhook import WebhookSink

        secret = os.environ.get(SECRET_VARIABLE)
        if not secret:
            raise UsageError(f"a webhook sink signs with a secret: set {SECRET_VARIABLE}")
        return WebhookSink(url, secret, allow_hosts=allow_hosts), False
    if scheme in ("redis", "rediss"):
        from teamaccess.relay.redis_streams import RedisStreamSink

        return RedisStreamSink(bare, query.get("stream", "teamaccess.events")), False
    if scheme in ("amqp", "amqps"):
        from teamaccess.relay.rabbitmq import RabbitMQSink

        return RabbitMQSink(
            bare,
            exchange=query.get("exchange", ""),
            routing_key=query.get("routing_key", "teamaccess.events"),
        ), False
    if scheme in ("nats", "tls"):
        from teamaccess.relay.nats_jetstream import NatsSink

        return NatsSink(bare, query.get("subject", "teamaccess"), stream=query.get("stream")), True
    raise UsageError(
        f"unknown sink {redact_url(url)!r}: use https://, redis://, amqp://, nats:// or stdout:"
    )


def relay(context: Context) -> int:
    """Relay until SIGTERM or SIGINT; the call in hand ends (at most the sink's timeout)."""
    args = context.args
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    sink, awaitable = sink_of(args.sink, tuple(args.allow_host))
    options: dict[str, Any] = {
        "name": args.name,
        "batch": args.batch,
        "max_attempts": args.max_attempts,
        "lease": timedelta(seconds=args.lease),
    }
    store = context.store()
    if awaitable:
        asyncio.run(_relay_async(AsyncRelay(store, sink, **options)))
        return OK
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Relay(store, sink, **options).run(stop)
    return OK


async def _relay_async(relay: AsyncRelay) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await relay.run(stop)
