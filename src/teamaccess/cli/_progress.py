"""A progress bar on standard error that needs nothing but the standard library."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class ProgressBar:
    """Draws ``label [#####.....] done/total pct``.

    On a terminal it redraws one line; elsewhere (a log, a pipe) it writes a line at
    every quarter, so logs stay readable.
    """

    def __init__(self, label: str, out: TextIO) -> None:
        self.label = label
        self.out = out
        self.live = out.isatty()
        self.shown = -1  # the last quarter written when not live

    def __call__(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` items are through."""
        share = done / total if total else 1.0
        filled = round(share * WIDTH)
        line = f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {share:4.0%}"
        if self.live:
            self.out.write("\r" + line + ("\n" if done >= total else ""))
        elif (quarter := int(share * 4)) > self.shown:
            self.shown = quarter
            self.out.write(line + "\n")
        self.out.flush()
