"""``manage.py teamaccess_relay --sink URL``: the outbox relay on Django's database."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from teamaccess.contrib.django.conf import service
from teamaccess.relay import Relay


class Command(BaseCommand):
    """Deliver the outbox until SIGTERM; ``--drain`` stops when nothing is due."""

    help = "Deliver teamaccess's outbox to a sink (https://, redis://, amqp://, stdout:)."

    def add_arguments(self, parser: Any) -> None:
        """``--sink``, ``--drain``."""
        parser.add_argument("--sink", required=True, help="see 'teamaccess relay --help'")
        parser.add_argument("--drain", action="store_true", help="stop when nothing is due")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the relay."""
        from teamaccess.cli._relay import sink_of

        sink, awaitable = sink_of(options["sink"])
        if awaitable:
            self.stderr.write("an awaitable sink (nats://) needs 'teamaccess relay'")
            return
        relay = Relay(service().store, sink)
        if options["drain"]:
            self.stdout.write(f"{relay.drain()} events delivered")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        relay.run(stop)
