"""Hypothesis strategies for teamaccess values (extra ``teamaccess[testing]``)."""

from __future__ import annotations

import string

from teamaccess._extras import needs_extra

with needs_extra("teamaccess.testing.strategies", "testing"):
    from hypothesis import strategies as st

from teamaccess.domain.ids import CompanyId
from teamaccess.domain.partners import PropertyDefinition, PropertyKind, PropertyValue
from teamaccess.domain.roles import DEFAULT_POLICY, Policy

__all__ = [
    "company_names",
    "emails",
    "property_definitions",
    "property_values",
    "raw_emails",
    "roles",
    "user_ids",
]

_LOCAL = string.ascii_letters + string.digits + "._+-"
# Free text as the library takes it (R-ALL-7): no controls but tab and line breaks, no
# unpaired surrogates; and printable text without spaces for choices.
_TEXT = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r")
_PRINTABLE = st.characters(categories=("L", "N", "P", "S"))


def user_ids() -> st.SearchStrategy[str]:
    """Host user ids such as ``"u-3f"``."""
    return st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12).map(
        lambda s: f"u-{s}"
    )


def emails() -> st.SearchStrategy[str]:
    """Valid e-mail addresses, in mixed case and with stray spaces (R-INV-4)."""
    atom = st.text(_LOCAL.replace(".", ""), min_size=1, max_size=8)
    local = st.lists(atom, min_size=1, max_size=3).map(".".join)  # no dot at an end or twice
    label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
    domain = st.lists(label, min_size=2, max_size=3).map(".".join)
    pad = st.sampled_from(["", " ", "\t"])
    return st.builds(lambda a, lp, d, b: f"{a}{lp}@{d}{b}", pad, local, domain, pad)


def raw_emails() -> st.SearchStrategy[str]:
    """Arbitrary text that may or may not be an address, for fuzzing normalization."""
    return st.one_of(st.text(max_size=40), emails(), st.text(max_size=10).map(lambda s: s + "@x"))


def company_names() -> st.SearchStrategy[str]:
    """Printable company display names."""
    return st.text(string.ascii_letters + " &.-", min_size=1, max_size=30).filter(str.strip)


def roles(policy: Policy = DEFAULT_POLICY) -> st.SearchStrategy[str]:
    """Role names known to ``policy``."""
    return st.sampled_from(policy.roles)


def property_definitions(partner_id: str = "partner") -> st.SearchStrategy[PropertyDefinition]:
    """Custom property definitions of every kind, with choices for ``choice`` (R-PART-4)."""
    names = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
    choices = st.lists(
        st.text(_PRINTABLE, min_size=1, max_size=8), min_size=1, max_size=4, unique=True
    )

    def build(name: str, kind: PropertyKind, options: list[str]) -> PropertyDefinition:
        chosen = tuple(options) if kind is PropertyKind.CHOICE else ()
        return PropertyDefinition(CompanyId(partner_id), name, kind, chosen)

    return st.builds(build, names, st.sampled_from(PropertyKind), choices)


def property_values(definition: PropertyDefinition) -> st.SearchStrategy[PropertyValue]:
    """Values that ``definition`` accepts."""
    by_kind: dict[PropertyKind, st.SearchStrategy[PropertyValue]] = {
        PropertyKind.TEXT: st.text(_TEXT, max_size=50),
        PropertyKind.NUMBER: st.one_of(
            st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
        ),
        PropertyKind.BOOLEAN: st.booleans(),
        PropertyKind.DATE: st.dates(),
        PropertyKind.CHOICE: st.sampled_from(definition.choices or ("-",)),
    }
    return by_kind[definition.kind]
