"""What commands print: aligned tables for people, JSON lines with ``--json`` for scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TextIO

from teamaccess.cli._context import Context

__all__ = ["emit", "emit_one", "table"]


def emit(
    context: Context, columns: Mapping[str, str], rows: Sequence[Mapping[str, object]]
) -> None:
    """Print ``rows`` as a table whose headers are ``columns`` values, or as JSON lines.

    ``columns`` maps each row key to its header, in display order; JSON lines carry
    every key of the row.
    """
    if context.json():
        for row in rows:
            print(json.dumps(dict(row), default=str), file=context.out)
        return
    cells = [[_cell(row.get(key)) for key in columns] for row in rows]
    table(context.out, list(columns.values()), cells)


def emit_one(context: Context, text: str, data: Mapping[str, object]) -> None:
    """Print one result: ``text`` for people, ``data`` as one JSON object with ``--json``."""
    if context.json():
        print(json.dumps(dict(data), default=str), file=context.out)
    else:
        print(text, file=context.out)


def table(out: TextIO, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print rows as left-aligned columns under a header; ``(none)`` for no rows."""
    lines = [tuple(headers), *(tuple(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip(), file=out)
    if len(lines) == 1:
        print("(none)", file=out)


def _cell(value: object) -> str:
    if value is None or value == "":
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return ""
    return str(value)
