"""Stored text reaches the terminal inert: control characters are shown escaped.

A company name, e-mail or title is data someone else typed. Written raw, an ESC
sequence in it could recolour, move the cursor, retitle the window or hide lines of
the operator's terminal; a bidi override could reorder what they read. Every line the
command line prints goes through `EscapingWriter`.
"""

from __future__ import annotations

import re
from typing import TextIO

__all__ = ["EscapingWriter", "escape"]

# C0 controls but the line feed, DEL, C1 controls, bidi embeddings, overrides and
# isolates, line/paragraph separators, and unpaired surrogates.
_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def escape(text: str) -> str:
    r"""``text`` with every unsafe character written as ``\xNN`` or ``\uNNNN``."""
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class EscapingWriter:
    """A text stream that escapes unsafe characters before they reach ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        """Write ``text`` escaped; returns the length of what was asked to be written."""
        self.inner.write(escape(text))
        return len(text)

    def flush(self) -> None:
        """Flush the inner stream."""
        self.inner.flush()

    def isatty(self) -> bool:
        """Whether the inner stream is a terminal."""
        return self.inner.isatty()
