"""Logs, spans and metrics of decisions and commands (teamaccess.observability)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from teamaccess import MemoryStore, observability
from teamaccess.errors import AccessDenied, TransientStorageError
from teamaccess.testing import make_service


@pytest.fixture
def ta():
    service = make_service()
    for user in ("anna", "ben", "carla"):
        service.users.register(user, f"{user}@example.com")
    service.companies.create("anna", "ACME", company_id="acme")
    service.members.add("anna", "acme", "ben")
    return service


def test_r_all_2_decisions_are_logged_denials_at_info_with_reason_and_rule(ta, caplog) -> None:
    """R-ALL-2: an allowed check logs at DEBUG, a denial at INFO naming reason and rule; a refused command too."""
    with caplog.at_level(logging.DEBUG, logger="teamaccess.decisions"):
        ta.check("ben", "acme", "view_members")
        ta.check("carla", "acme", "view_members")
        with pytest.raises(AccessDenied):
            ta.companies.update_profile("ben", "acme", name="x")
    records = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "teamaccess.decisions"
    ]
    assert records[0][0] == "DEBUG"
    assert records[0][1].startswith("allowed: ben may view_members in acme")
    assert records[1] == (
        "INFO",
        "denied: carla may not view_members in acme: not_a_member (R-MEM-6) not a member of 'acme'",
    )
    assert records[2][0] == "INFO"
    assert "not_main_contact (R-MC-2)" in records[2][1]


def test_a_retried_serialization_failure_is_logged_at_warning(caplog) -> None:
    """A transient failure that the service retries leaves a WARNING on teamaccess.storage."""

    class FlakyStore(MemoryStore):
        failures = 1

        @contextmanager
        def transaction(self) -> Iterator[object]:
            if self.failures:
                self.failures -= 1
                raise TransientStorageError("could not serialize access")
            with super().transaction() as tx:
                yield tx

    ta = make_service(FlakyStore(), sleep=lambda _delay: None)
    with caplog.at_level(logging.WARNING, logger="teamaccess.storage"):
        ta.users.register("anna", "anna@example.com")
    [message] = [r.getMessage() for r in caplog.records]
    assert re.fullmatch(
        r"retrying the command \(attempt 2 of 6, after 0\.\d{4} s\): could not serialize access",
        message,
    ), message


@pytest.fixture
def otel() -> Iterator[tuple[object, object]]:
    """An in-memory span exporter and metric reader, instrumented for the test."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(spans))
    observability.instrument(tracer_provider=tracing, meter_provider=MeterProvider([reader]))
    yield spans, reader
    observability.uninstrument()


def test_r_all_2_checks_and_commands_become_spans_and_counted_decisions(ta, otel) -> None:
    """R-ALL-2: a span per check and command with action, decision, reason and rule; a counter by outcome."""
    spans, reader = otel
    ta.check("ben", "acme", "view_members")
    ta.check("carla", "acme", "view_members")
    with pytest.raises(AccessDenied):
        ta.companies.update_profile("ben", "acme", name="x")
    finished = [(s.name, dict(s.attributes)) for s in spans.get_finished_spans()]
    assert finished[0] == ("teamaccess.check", {
        "teamaccess.action": "view_members", "teamaccess.allowed": True,
        "teamaccess.reason": "is_member", "teamaccess.rule": "R-MEM-6",
    })  # fmt: skip
    assert finished[1][1]["teamaccess.reason"] == "not_a_member"
    assert finished[2][0] == "teamaccess.command"
    assert finished[2][1]["teamaccess.command"] == "Companies.update_profile"
    assert finished[2][1]["teamaccess.rule"] == "R-MC-2"
    assert spans.get_finished_spans()[2].status.status_code.name == "ERROR"
    points = {
        (p.attributes["teamaccess.reason"], p.value)
        for metric in reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics
        for p in metric.data.data_points
    }
    assert points == {("is_member", 1), ("not_a_member", 1), ("not_main_contact", 1)}


def test_instrument_wraps_once_and_uninstrument_restores_the_plain_path(ta) -> None:
    """Twice instrumented is wrapped once; a no-op provider turns nothing on; uninstrument restores the methods."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import NoOpTracerProvider

    from teamaccess import TeamAccess
    from teamaccess.service._core import ServiceCore
    from teamaccess.service._telemetry import HOOKS

    plain_check, plain_command = TeamAccess.check, ServiceCore.command
    observability.instrument(tracer_provider=NoOpTracerProvider())
    assert (TeamAccess.check, HOOKS.tracer) == (plain_check, None)
    observability.instrument(tracer_provider=TracerProvider())
    observability.instrument(tracer_provider=TracerProvider())
    assert TeamAccess.check.__wrapped__ is plain_check
    assert ta.check("ben", "acme", "view_members").allowed
    observability.uninstrument()
    assert (TeamAccess.check, ServiceCore.command, HOOKS.tracer) == (
        plain_check,
        plain_command,
        None,
    )
