"""Parsing and validating an enrollment CSV (R-SEAT-7), before anything is written.

The file needs a header row with an ``email`` column; other columns are ignored. It
may start with a UTF-8 BOM, use ``;`` or ``,`` as separator, quote fields, and contain
blank lines. Every problem is collected as a [RowError][teamaccess.values.RowError] (row number,
column,
reason), so a caller sees all of them at once, as cattrs reports validation errors.
"""

from __future__ import annotations

import csv
import io

import attrs

from teamaccess.domain.emails import normalize_email
from teamaccess.domain.ids import shown
from teamaccess.errors import CsvImportError, CsvTooLarge, InvalidEmail, InvalidInput, RowError

__all__ = [
    "MAX_LIMIT",
    "CsvLimits",
    "CsvRow",
    "RowError",
    "check_limits",
    "parse_enrollment_csv",
    "read_enrollment_csv",
]

_EMAIL_HEADERS = {"email", "e-mail", "mail"}


@attrs.frozen
class CsvRow:
    """A valid row: its line number and normalized e-mail."""

    row: int
    email: str


@attrs.frozen
class CsvLimits:
    """Refuse files above these sizes (R-ALL-6).

    Attributes:
        max_bytes: Largest accepted file size in bytes.
        max_rows: Most data rows accepted.
    """

    max_bytes: int = 2_000_000
    max_rows: int = 20_000

    def __attrs_post_init__(self) -> None:
        """Refuse limits that are not whole numbers from 1 to `MAX_LIMIT` (R-ALL-6)."""
        for name in ("max_bytes", "max_rows"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= MAX_LIMIT:
                raise InvalidInput(
                    f"CsvLimits.{name} must be a whole number from 1 to {MAX_LIMIT}: {shown(value)}"
                )


MAX_LIMIT = 2**40
"""The largest value either limit of [CsvLimits][teamaccess.values.CsvLimits] takes."""


def check_limits(value: object) -> CsvLimits | None:
    """Return ``value`` if it is ``None`` or a `CsvLimits`, else raise `InvalidInput` (R-ALL-6)."""
    if value is not None and not isinstance(value, CsvLimits):
        raise InvalidInput(f"limits must be CsvLimits or None, not {type(value).__name__}")
    return value


def parse_enrollment_csv(data: bytes | str, limits: CsvLimits = CsvLimits()) -> list[CsvRow]:
    """Return the valid rows of ``data`` or raise with every bad row.

    Raises:
        CsvTooLarge: The file has more bytes or rows than ``limits`` allow.
        CsvImportError: Undecodable text, no ``email`` column, malformed or duplicate
            addresses; ``errors`` lists each with its row and column.
    """
    rows, errors = read_enrollment_csv(data, limits)
    if errors:
        raise CsvImportError(errors)
    return rows


def read_enrollment_csv(
    data: bytes | str, limits: CsvLimits = CsvLimits()
) -> tuple[list[CsvRow], list[RowError]]:
    """Return the valid rows of ``data`` and an error for each bad row.

    Unlike [parse_enrollment_csv][teamaccess.values.parse_enrollment_csv] it does not raise for bad
    rows, so a caller can
    add its own checks (seats, enrollments) and report every problem at once.

    Raises:
        CsvTooLarge: The file has more bytes or rows than ``limits`` allow.
        CsvImportError: The file as a whole is unreadable: not UTF-8, malformed CSV,
            empty, or without an ``email`` column.
    """
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError as error:  # an unpaired surrogate: no text a file can hold
        raise CsvImportError([RowError(0, "", f"not encodable as UTF-8: {error.reason}")]) from None
    if not isinstance(raw, bytes):
        raise CsvImportError([RowError(0, "", f"expected bytes or str, got {type(data).__name__}")])
    if len(raw) > limits.max_bytes:
        raise CsvTooLarge(f"file has {len(raw)} bytes; the limit is {limits.max_bytes}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvImportError([RowError(0, "", _not_utf8(raw, error))]) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CsvImportError([RowError(0, "", "the file is empty")])
    delimiter = max(",;\t", key=lines[0].count)  # the separator the header uses most
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return _rows(reader, limits)
    except csv.Error as error:
        raise CsvImportError([RowError(reader.line_num, "", f"unreadable CSV: {error}")]) from None


def _rows(
    reader: csv.Reader,  # type: ignore[name-defined]
    limits: CsvLimits,
) -> tuple[list[CsvRow], list[RowError]]:
    column: int | None = None
    header_row = 0
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows: list[CsvRow] = []
    count = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        if column is None:
            header_row = line
            names = [cell.strip().casefold() for cell in cells]
            found = [i for i, name in enumerate(names) if name in _EMAIL_HEADERS]
            if not found:
                header = ", ".join(repr(cell.strip()[:40]) for cell in cells[:10])
                raise CsvImportError(
                    [
                        RowError(
                            line,
                            "email",
                            f"the header has no 'email' column; the first row holds {header}",
                        )
                    ]
                )
            column = found[0]
            continue
        count += 1
        if count > limits.max_rows:
            raise CsvTooLarge(f"more than {limits.max_rows} rows")
        value = cells[column].strip() if column < len(cells) else ""
        if not value:
            errors.append(RowError(line, "email", "missing e-mail address"))
            continue
        try:
            email = normalize_email(value)
        except InvalidEmail as error:
            errors.append(RowError(line, "email", f"invalid e-mail address: {error.reason}"))
            continue
        if email in seen:
            errors.append(RowError(line, "email", f"duplicate of row {seen[email]}"))
            continue
        seen[email] = line
        rows.append(CsvRow(line, email))
    if column is None:  # pragma: no cover - lines were non-empty, so a header was read
        raise CsvImportError([RowError(header_row, "email", "no header row")])
    return rows, errors


def _not_utf8(raw: bytes, error: UnicodeDecodeError) -> str:
    """Why the bytes are not UTF-8, with the likely encoding and what to do."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        likely = "it looks like UTF-16"
    else:
        likely = "it looks like a Windows or Latin-1 encoding such as cp1252"
    return (
        f"not UTF-8 text ({error.reason} at byte {error.start}); {likely}: "
        "save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8) or decode it first"
    )
