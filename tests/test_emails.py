"""E-mail normalization (R-INV-4) as examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import normalize_email
from teamaccess.domain.emails import _normalize, _plain_ascii
from teamaccess.errors import InvalidEmail
from teamaccess.testing.strategies import emails, raw_emails


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  Anna.Berg@Example.COM ", "anna.berg@example.com"),
        ("anna@BÜCHER.example", "anna@xn--bcher-kva.example"),
        ("\uff21\uff2e\uff2e\uff21@example.com", "anna@example.com"),  # fullwidth ANNA: NFKC
        ("Straße@example.com", "strasse@example.com"),  # case-fold
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
    ],
)
def test_r_inv_4_normalization_examples(raw: str, normalized: str) -> None:
    """R-INV-4: trim, NFKC, case-fold and IDNA give the canonical form."""
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("no-at-sign", "missing '@'"),
        ("@example.com", "empty local part"),
        ("anna@", "empty domain"),
        ("anna@localhost", "at least one dot"),
        ("an na@example.com", "spaces"),
        ("anna@exa mple.com", "not a valid IDNA 2008 name"),
        ("anna@-bad.com", "not a valid IDNA 2008 name"),
        ("a@b@example.com", "more than one '@'"),
        ("x" * 65 + "@example.com", "local part longer"),
    ],
)
def test_r_inv_4_invalid_addresses_name_the_reason(raw: str, reason: str) -> None:
    """R-INV-4: an invalid address raises InvalidEmail whose message says why."""
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert reason in str(caught.value)
    assert caught.value.address == raw


@given(emails())
def test_r_inv_4_normalization_is_idempotent(address: str) -> None:
    """R-INV-4: normalizing a normalized address changes nothing."""
    once = normalize_email(address)
    assert normalize_email(once) == once
    assert once == once.strip()


@given(raw_emails())
def test_r_inv_4_fuzz_raises_only_invalid_email(text: str) -> None:
    """R-INV-4: arbitrary text either normalizes or raises InvalidEmail, nothing else."""
    try:
        result = normalize_email(text)
    except InvalidEmail:
        return
    assert "@" in result
    assert normalize_email(result) == result


@given(
    st.one_of(
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        st.builds(
            lambda local, domain, tld, pad: f"{pad}{local}@{domain}.{tld}{pad}",
            st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=70),
            st.from_regex(r"[A-Za-z0-9-]{1,65}", fullmatch=True),
            st.sampled_from(["com", "DE", "xn--p1ai", "example", "c-", "1"]),
            st.sampled_from(["", " ", "\t"]),
        ),
    )
)
def test_r_inv_4_ascii_fast_path_equals_the_full_normalization(address: str) -> None:
    """R-INV-4: the ASCII shortcut of normalize_email answers exactly as NFKC + IDNA would."""
    plain = _plain_ascii(address)
    try:
        full: str | None = _normalize(address)
    except InvalidEmail:
        full = None
    if plain is not None:
        assert plain == full
    assert normalize_email_or_none(address) == full


def normalize_email_or_none(address: str) -> str | None:
    try:
        return normalize_email(address)
    except InvalidEmail:
        return None
