"""E-mail normalization (R-INV-4).

Addresses are compared after: trim, Unicode NFKC, case-fold, and the domain in its
IDNA 2008 ASCII form with UTS-46 mapping, non-transitional (the ``idna`` package, not
Python's IDNA 2003 codec): ``" Anna@BÜCHER.example "`` and
``"anna@xn--bcher-kva.example"`` are the same address, while ``faß.de`` stays
``xn--fa-hia.de`` rather than becoming ``fass.de``, and a joiner or other invisible
character in a domain is refused instead of being dropped. An unquoted local part may
not start or end with a dot or hold two dots in a row.
"""

from __future__ import annotations

import re
import unicodedata

import idna

from teamaccess.errors import InvalidEmail

__all__ = ["normalize_email"]

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MAX_LOCAL = 64
_PLAIN_LOCAL = re.compile(r"^[!#-?A-~]{1,64}$")  # printable ASCII, no space, '"' or '@'
_MAX_ADDRESS = 254


def normalize_email(address: object) -> str:
    """Return the canonical form of ``address`` or raise `InvalidEmail`.

    >>> normalize_email("  Anna.Berg@Example.COM ")
    'anna.berg@example.com'
    """
    if not isinstance(address, str):
        raise InvalidEmail(repr(address), "not a string")
    if len(address) > 4 * _MAX_ADDRESS:  # refuse a huge value before any work on it
        raise InvalidEmail(address, f"longer than {_MAX_ADDRESS} characters")
    if address.isascii():  # most addresses: NFKC and IDNA leave plain ASCII as it is
        plain = _plain_ascii(address)
        if plain is not None:
            return plain
    return _normalize(address)


def _normalize(address: str) -> str:
    """The full path: NFKC, case-fold, IDNA, with an error that says what is wrong.

    The local part is case-folded; the domain is mapped by UTS-46, which lower-cases
    it but keeps ``ß`` (IDNA 2008), so that ``faß.de`` and ``fass.de`` stay apart.
    """
    text = unicodedata.normalize("NFKC", address.strip())
    if "@" not in text:
        raise InvalidEmail(address, "missing '@'")
    local, _, domain = text.rpartition("@")
    local = unicodedata.normalize("NFKC", local.casefold())
    if not local:
        raise InvalidEmail(address, "empty local part")
    if len(local) > _MAX_LOCAL:
        raise InvalidEmail(address, f"local part longer than {_MAX_LOCAL} characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in local):
        raise InvalidEmail(address, "local part contains spaces or control characters")
    quoted = len(local) > 1 and local.startswith('"') and local.endswith('"')
    if "@" in local and not quoted:
        raise InvalidEmail(address, "more than one '@'")
    if not quoted and _bad_dots(local):
        raise InvalidEmail(address, "the local part starts or ends with a dot or has two in a row")
    ascii_domain = _idna(address, domain)
    result = f"{local}@{ascii_domain}"
    if len(result) > _MAX_ADDRESS:
        raise InvalidEmail(address, f"longer than {_MAX_ADDRESS} characters")
    return result


def _plain_ascii(address: str) -> str | None:
    """The normal form of a well-formed ASCII address; ``None`` sends it the long way.

    For ASCII text NFKC changes nothing, case-folding is lower-casing and the IDNA
    form of a domain without ``xn--`` labels is the domain itself, so this gives what
    the full path gives (a property test compares the two); anything unusual (quotes,
    a second ``@``, punycode, a bad label) goes the full way, which explains errors.
    """
    text = address.strip().lower()
    local, at, domain = text.rpartition("@")
    if (
        not at
        or not _PLAIN_LOCAL.match(local)
        or _bad_dots(local)
        or "xn--" in domain
        or len(text) > _MAX_ADDRESS
    ):
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    return text


def _bad_dots(local: str) -> bool:
    return local.startswith(".") or local.endswith(".") or ".." in local


def _idna(address: str, domain: str) -> str:
    if not domain:
        raise InvalidEmail(address, "empty domain")
    try:
        ascii_domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise InvalidEmail(
            address, f"domain {domain!r} is not a valid IDNA 2008 name: {error}"
        ) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        raise InvalidEmail(address, "domain needs at least one dot")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidEmail(address, f"domain label {label!r} is not valid")
    return ascii_domain
