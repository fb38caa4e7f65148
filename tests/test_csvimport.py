"""The enrollment CSV parser (R-SEAT-7): formats it accepts, errors it reports, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import CsvLimits
from teamaccess.errors import CsvImportError, CsvTooLarge, InvalidInput, TeamAccessError
from teamaccess.values import parse_enrollment_csv


def emails(data) -> list[str]:
    return [row.email for row in parse_enrollment_csv(data)]


@pytest.mark.parametrize(
    "data",
    [
        b"email\na@example.com\nb@example.com\n",
        b"\xef\xbb\xbfemail\r\na@example.com\r\nb@example.com\r\n",  # BOM, CRLF
        b"name;email\nA;a@example.com\n\n\nB;B@EXAMPLE.com\n",  # ';' and blank lines
        b'"Name","E-Mail"\n"Doe, A","a@example.com"\n"B","b@example.com"',  # quotes, no final newline
        "email\na@example.com\nb@example.com",  # str input
    ],
)
def test_r_seat_7_accepted_formats(data) -> None:
    """R-SEAT-7: BOM, ';' or ',' separators, quoted fields and blank lines all parse."""
    assert emails(data) == ["a@example.com", "b@example.com"]


def test_r_seat_7_row_numbers_are_file_lines() -> None:
    """R-SEAT-7: errors name the physical line, counting the header and blank lines."""
    with pytest.raises(CsvImportError) as caught:
        parse_enrollment_csv(b"email\n\nok@example.com\nbad\n\nok@example.com\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "email"), (6, "email")]
    assert "row 4, column email: invalid e-mail address" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name\nAnna\n", "no 'email' column"),
        (b"\xff\xfe", "not UTF-8"),
        (b'email\n"unterminated\n', "unreadable CSV"),
    ],
)
def test_r_seat_7_file_level_problems(data: bytes, message: str) -> None:
    """R-SEAT-7: empty, header-less, undecodable and malformed files raise CsvImportError."""
    with pytest.raises(CsvImportError, match=message):
        parse_enrollment_csv(data)


def test_r_all_6_oversized_files_are_refused() -> None:
    """R-ALL-6: files over the byte or row limit raise CsvTooLarge."""
    with pytest.raises(CsvTooLarge, match="bytes"):
        parse_enrollment_csv(b"email\n" + b"a@example.com\n" * 10, CsvLimits(max_bytes=50))
    with pytest.raises(CsvTooLarge, match="rows"):
        parse_enrollment_csv(
            "email\n" + "".join(f"u{i}@example.com\n" for i in range(4)), CsvLimits(max_rows=3)
        )


@given(st.binary(max_size=300))
def test_r_seat_7_fuzz_bytes_raise_only_library_errors(data: bytes) -> None:
    """R-SEAT-7: arbitrary bytes parse or raise a TeamAccessError, nothing else."""
    try:
        rows = parse_enrollment_csv(data)
    except TeamAccessError:
        return
    assert all("@" in row.email for row in rows)


@given(st.lists(st.text(max_size=30), max_size=8).map("\n".join))
def test_r_seat_7_fuzz_text_raise_only_library_errors(text: str) -> None:
    """R-SEAT-7: arbitrary text with an email header parses or raises a TeamAccessError."""
    try:
        rows = parse_enrollment_csv("email\n" + text)
    except TeamAccessError:
        return
    assert len({row.email for row in rows}) == len(rows)  # duplicates are errors, not rows


@pytest.mark.parametrize(
    "limits",
    [
        {"max_bytes": "2000"},
        {"max_rows": 0},
        {"max_rows": -5},
        {"max_rows": True},
        {"max_rows": 2.5},
        {"max_bytes": 2**41},
    ],
)
def test_r_all_6_limits_of_the_wrong_type_or_range_raise_invalid_input(limits) -> None:
    """R-ALL-6: a CsvLimits value that is not a whole number from 1 to MAX_LIMIT raises InvalidInput."""
    with pytest.raises(InvalidInput, match=next(iter(limits))):
        CsvLimits(**limits)


def test_r_all_6_text_with_an_unpaired_surrogate_is_a_csv_error() -> None:
    """R-ALL-6: a str holding an unpaired surrogate (no file can hold it) raises CsvImportError, not UnicodeEncodeError."""
    with pytest.raises(CsvImportError, match="not encodable as UTF-8"):
        parse_enrollment_csv("email\n\ud800@example.com\n")
