"""The demo's narrator, shared by its stories (``_demo`` and ``_demo_market``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from teamaccess.domain.decisions import Decision
from teamaccess.errors import AccessDenied, TeamAccessError

__all__ = ["Narrator"]


class Narrator:
    """Writes the demo's steps: what was tried, and the library's answer with its rule."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.steps = 0

    def say(self, text: str) -> None:
        self.out.write(f"\n{text}\n")

    def decision(self, what: str, decision: Decision) -> None:
        """A check: ``what`` says who *may* do what; nothing is done."""
        self.steps += 1
        mark = "yes" if decision.allowed else "no "
        self.out.write(f"  [{mark}] {what + '?':<52} {decision}\n")

    def done(self, what: str) -> None:
        """A command that happened."""
        self.steps += 1
        self.out.write(f"  [ok ] {what}\n")

    def attempt(self, what: str, command: Callable[[], object]) -> None:
        self.steps += 1
        try:
            command()
        except AccessDenied as error:
            detail = f": {error.decision.detail}" if error.decision.detail else ""
            self.out.write(f"  [no ] {what:<52} {error.decision}{detail}\n")
        except TeamAccessError as error:
            self.out.write(f"  [no ] {what:<52} {type(error).__name__}: {error}\n")
        else:
            self.steps -= 1  # counted once, by done()
            self.done(what)
