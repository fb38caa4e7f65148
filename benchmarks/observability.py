"""Benchmark: the cost of logging at INFO and a no-op tracer on a check.

The same in-memory checks (allowed: a member; denied: an outsider) timed in one run,
first plain (logging unconfigured, nothing instrumented), then with the root logger at
INFO writing to a memory stream and ``observability.instrument()`` on OpenTelemetry's
no-op providers (the API without an SDK), then on the SDK's recording providers (no
exporter). Prints medians in microseconds and the ratios to plain. A denial at INFO
writes a log record: that is the cost of the denied row.

Run: ``python benchmarks/observability.py [--repeat 200000]``.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import time
from collections.abc import Callable

from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NoOpTracerProvider

from teamaccess import observability
from teamaccess.testing import make_service


def median_us(call: Callable[[], object], repeat: int) -> float:
    """Median of 15 rounds, in microseconds per call."""
    rounds = []
    for _ in range(15):
        began = time.perf_counter()
        for _ in range(repeat // 15):
            call()
        rounds.append((time.perf_counter() - began) / (repeat // 15) * 1e6)
    return statistics.median(rounds)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=150_000)
    args = parser.parse_args()
    ta = make_service()
    for user in ("anna", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    cases = {
        "allowed check": lambda: ta.check("anna", "acme", "view_members"),
        "denied check": lambda: ta.check("carla", "acme", "view_members"),
    }
    plain = {name: median_us(call, args.repeat) for name, call in cases.items()}
    logging.basicConfig(level=logging.INFO, stream=io.StringIO())
    observability.instrument(
        tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider()
    )
    observed = {name: median_us(call, args.repeat) for name, call in cases.items()}
    observability.uninstrument()
    tracing = TracerProvider()  # a recording SDK, spans dropped after they end
    observability.instrument(tracer_provider=tracing, meter_provider=MeterProvider())
    recorded = {name: median_us(call, args.repeat // 10) for name, call in cases.items()}
    observability.uninstrument()
    head = ("case", "plain us", "INFO+no-op us", "ratio", "INFO+SDK us", "ratio")
    print("{:15} {:>9} {:>14} {:>6} {:>12} {:>6}".format(*head))
    for name in cases:
        base, quiet, loud = plain[name], observed[name], recorded[name]
        row = (name, base, quiet, quiet / base, loud, loud / base)
        print("{:15} {:9.2f} {:14.2f} {:6.2f} {:12.2f} {:6.2f}".format(*row))


if __name__ == "__main__":
    main()
