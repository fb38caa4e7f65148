"""The OpenTelemetry hooks of the service: off (``None``) until a host instruments it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from teamaccess.domain.decisions import Decision

__all__ = [
    "HOOKS",
    "Hooks",
    "decision_attributes",
    "trace_current",
    "traced_check",
    "traced_command",
]

_T = TypeVar("_T")


class Hooks:
    """The tracer and the decisions counter in use, or ``None`` (the default: no cost)."""

    __slots__ = ("decisions", "tracer")

    def __init__(self) -> None:
        self.tracer: Any = None
        self.decisions: Any = None


HOOKS = Hooks()


def decision_attributes(action: str, decision: Decision) -> dict[str, str | bool]:
    """The span and counter attributes of a decision."""
    return {
        "teamaccess.action": action,
        "teamaccess.allowed": decision.allowed,
        "teamaccess.reason": decision.reason,
        "teamaccess.rule": decision.rule,
    }


def trace_current(attributes: dict[str, str | bool]) -> None:
    """Put a command's permission decision on the current span."""
    from opentelemetry import trace

    trace.get_current_span().set_attributes(attributes)


def traced_check(check: Callable[..., Decision]) -> Callable[..., Decision]:
    """``TeamAccess.check`` in a span, counted by outcome."""

    @functools.wraps(check)
    def traced(self: Any, actor_id: str, company_id: str, action: str, **options: Any) -> Decision:
        with HOOKS.tracer.start_as_current_span("teamaccess.check") as span:
            decision = check(self, actor_id, company_id, action, **options)
            attributes = decision_attributes(action, decision)
            span.set_attributes(attributes)
            HOOKS.decisions.add(1, attributes)
            return decision

    return traced


def traced_command(command: Callable[[Any, Callable[..., _T]], _T]) -> Callable[..., _T]:
    """``ServiceCore.command`` in a span named after the command (``Members.add``)."""

    @functools.wraps(command)
    def traced(self: Any, work: Callable[..., _T]) -> _T:
        name = work.__qualname__.removesuffix(".<locals>.work")
        attributes = {"teamaccess.command": name}
        with HOOKS.tracer.start_as_current_span("teamaccess.command", attributes=attributes):
            return command(self, work)

    return traced
