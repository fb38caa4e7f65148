"""Logs, traces and metrics of teamaccess.

**Logging** (stdlib, always on, silent until you configure it): decisions go to the
``teamaccess.decisions`` logger, allowed ones at DEBUG and denials at INFO with the
reason and rule; retried serialization failures and storage errors go to
``teamaccess.storage`` at WARNING; the relay logs under ``teamaccess.relay``.

**OpenTelemetry** (optional, through ``opentelemetry-api`` only, extra ``otel``):
`instrument` turns on a span per check (``teamaccess.check``) and per command
(``teamaccess.command``, named after the command, e.g. ``Members.add``) with the
action, decision, reason and rule as attributes, and the counter
``teamaccess.decisions`` by action, outcome, reason and rule. Spans and metrics go to
the providers your application configured (the SDK is yours to choose). Until
`instrument` is called, nothing of OpenTelemetry is imported or run; call it after your
application has set up its SDK, since with the API's no-op providers (no SDK) it turns
nothing on and a check costs what it did.

>>> import logging
>>> logging.getLogger("teamaccess.decisions").level == logging.NOTSET
True
"""

from __future__ import annotations

from typing import Any

from teamaccess.service._core import ServiceCore
from teamaccess.service._telemetry import HOOKS, traced_check, traced_command
from teamaccess.service.facade import TeamAccess

__all__ = ["instrument", "uninstrument"]

_ORIGINAL: dict[str, Any] = {}


def instrument(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Emit spans and the decisions counter through OpenTelemetry.

    Args:
        tracer_provider: A ``TracerProvider``; the global one if omitted.
        meter_provider: A ``MeterProvider``; the global one if omitted.

    Raises:
        ImportError: ``opentelemetry-api`` is not installed (extra ``otel``).
    """
    from opentelemetry import metrics, trace

    tracer = trace.get_tracer("teamaccess", tracer_provider=tracer_provider)
    if not tracer.start_span("teamaccess.probe").is_recording():  # never ended: not exported
        uninstrument()  # a no-op provider: no spans would be kept, so none are made
        return
    meter = metrics.get_meter("teamaccess", meter_provider=meter_provider)
    HOOKS.decisions = meter.create_counter(
        "teamaccess.decisions", unit="1", description="permission decisions by outcome"
    )
    HOOKS.tracer = tracer
    if not _ORIGINAL:  # wrap once: the check and the command runner, as instrumentors do
        _ORIGINAL["check"], _ORIGINAL["command"] = TeamAccess.check, ServiceCore.command
        TeamAccess.check = traced_check(TeamAccess.check)  # type: ignore[method-assign]
        ServiceCore.command = traced_command(ServiceCore.command)  # type: ignore[method-assign]


def uninstrument() -> None:
    """Stop emitting spans and metrics."""
    HOOKS.tracer = None
    HOOKS.decisions = None
    if _ORIGINAL:
        TeamAccess.check = _ORIGINAL.pop("check")  # type: ignore[method-assign]
        ServiceCore.command = _ORIGINAL.pop("command")  # type: ignore[method-assign]
