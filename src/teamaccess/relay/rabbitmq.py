"""RabbitMQ with publisher confirms (extra ``rabbitmq``: pika).

Each envelope is published persistent, ``mandatory``, with the idempotency key as the
AMQP ``message_id``, on a channel in confirm mode: the call returns once the broker
has confirmed it, and a nack or an unroutable message is a failed attempt.
"""

from __future__ import annotations

import pika
import pika.exceptions

from teamaccess.relay._envelope import Envelope

__all__ = ["RabbitMQSink"]


class RabbitMQSink:
    """Publish each envelope to ``exchange`` with ``routing_key``, confirmed.

    Args:
        url: ``amqp://user:password@host:port/vhost``.
        exchange: The exchange; ``""`` is the default exchange (routing key = queue).
        routing_key: The routing key; ``{type}`` in it becomes the event type.
    """

    def __init__(
        self, url: str, *, exchange: str = "", routing_key: str = "teamaccess.events"
    ) -> None:
        self._parameters = pika.URLParameters(url)
        self.exchange = exchange
        self.routing_key = routing_key
        self._channel: pika.adapters.blocking_connection.BlockingChannel | None = None

    def _open(self) -> pika.adapters.blocking_connection.BlockingChannel:
        if self._channel is None or self._channel.is_closed:
            channel = pika.BlockingConnection(self._parameters).channel()
            channel.confirm_delivery()
            self._channel = channel
        return self._channel

    def __call__(self, envelope: Envelope) -> None:
        """Publish one message and wait for the broker's confirm."""
        channel = self._open()
        try:
            channel.basic_publish(
                self.exchange,
                self.routing_key.replace("{type}", envelope.type),
                envelope.body(),
                pika.BasicProperties(
                    message_id=envelope.id,
                    type=envelope.type,
                    content_type="application/json",
                    delivery_mode=pika.DeliveryMode.Persistent,
                ),
                mandatory=True,
            )
        except (pika.exceptions.UnroutableError, pika.exceptions.NackError):
            raise  # a failed attempt; the channel stays usable
        except pika.exceptions.AMQPError:
            self.close()  # reopened on the next attempt
            raise

    def close(self) -> None:
        """Close the connection."""
        if self._channel is not None and self._channel.connection.is_open:
            self._channel.connection.close()
        self._channel = None
