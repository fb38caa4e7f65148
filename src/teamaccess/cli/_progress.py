"""A progress bar on standard error that needs nothing but the standard library."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class ProgressBar:
    """Draws ``label phase [#####.....] done/total pct``, one bar per phase.

    On a terminal it redraws one line per phase; elsewhere (a log, a pipe) it writes a
    line at every quarter of each phase, so logs stay readable.
    """

    def __init__(self, label: str, out: TextIO) -> None:
        self.label = label
        self.out = out
        self.live = out.isatty()
        self.phase: str | None = None
        self.done = self.total = 0  # the last report of this phase
        self.shown = -1  # the last quarter of this phase written when not live
        self.open = False  # a live line is drawn and not yet ended

    def __call__(self, done: int, total: int, phase: str = "") -> None:
        """Report that ``done`` of ``total`` items are through ``phase``."""
        if phase == self.phase and (done, total) == (self.done, self.total):
            return  # said already (the import reports its end once more after the commit)
        if phase != self.phase:
            if self.open:
                self.out.write("\n")
            self.phase, self.shown, self.open = phase, -1, False
        self.done, self.total = done, total
        share = done / total if total else 1.0
        filled = round(share * WIDTH)
        name = f"{self.label} {phase}" if phase else self.label
        line = f"{name} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {share:4.0%}"
        if self.live:
            self.out.write("\r" + line)
            self.open = True
            if done >= total and phase in ("", "writing"):
                self.out.write("\n")
                self.open = False
        elif (quarter := int(share * 4)) > self.shown:
            self.shown = quarter
            self.out.write(line + "\n")
        self.out.flush()

    def end(self, *, complete: bool) -> None:
        """End the bar, so that what is printed next starts on a line of its own.

        With ``complete`` the phase in hand did go through all its items (an import
        refused for its bad rows checked every row first): the bar is drawn full, as
        it is when the phase ends by itself. Without it, an unfinished bar is left as
        it was, and only a line left open on a terminal is ended.
        """
        if complete and self.phase is not None and self.done < self.total:
            self(self.total, self.total, self.phase)
        if self.open:
            self.out.write("\n")
            self.out.flush()
            self.open = False
