"""Domain normalization (R-DOM-1) agrees with e-mail normalization (R-INV-4)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from teamaccess import normalize_email
from teamaccess.errors import InvalidDomain, InvalidEmail
from teamaccess.values import CONSUMER_DOMAINS, normalize_domain

_LABEL = st.text(
    alphabet=st.sampled_from("abcxyzABC019-äöüßÄÖÜéçñ\u200d\uff46"), min_size=1, max_size=12
)
_DOMAIN = st.lists(_LABEL, min_size=1, max_size=4).map(".".join)


@given(_DOMAIN)
@example("Bücher.Example")
@example("faß.de")
@example("\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com")  # fullwidth EXAMPLE
@example("a\u200db.example")
def test_r_dom_1_normalize_domain_agrees_with_email_normalization(domain: str) -> None:
    """R-DOM-1: a domain normalizes as the domain of an address at it does, or both refuse."""
    try:
        address = normalize_email(f"someone@{domain}")
    except InvalidEmail:
        address = None
    try:
        normalized = normalize_domain(domain)
    except InvalidDomain:
        normalized = None
    assert normalized == (None if address is None else address.rpartition("@")[2])


def test_shipped_consumer_domains_are_normalized() -> None:
    """Every shipped consumer domain is in its normal form, so a lookup finds it."""
    assert {normalize_domain(d) for d in CONSUMER_DOMAINS} == CONSUMER_DOMAINS
    assert {"gmail.com", "outlook.com", "gmx.de", "web.de", "t-online.de"} <= CONSUMER_DOMAINS
