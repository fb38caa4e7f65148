"""Partner accounts, custom properties, articles and licenses (seed 004): values and rules.

A company may have a parent; a partner creates child accounts beneath it (R-PART-1).
Members of an account see and change its data; members of an ancestor who are not
members see only an [AccountOverview][teamaccess.values.AccountOverview] of it (R-PART-2). The
hierarchy is a tree
(R-PART-3). A partner defines typed custom properties for its child accounts, whose
values are validated against their type (R-PART-4). Accounts hold articles, a pricing
model and licenses: counted entitlements for an action kind (R-LIC-1..3).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol, TypeAlias

import attrs

from teamaccess.domain.codec import converter
from teamaccess.domain.decisions import Decision
from teamaccess.domain.ids import BAD_IN_TEXT, CompanyId, UserId
from teamaccess.errors import InvalidInput, InvalidPropertyValue, UnknownProperty

__all__ = [
    "AccountOverview",
    "Article",
    "License",
    "OverviewPage",
    "PropertyDefinition",
    "PropertyKind",
    "PropertyValue",
    "decide_license",
    "properties_from_json",
    "properties_to_json",
    "validate_properties",
]


class _Named(Protocol):
    """What a suspended account's overview row shows of it (a `Company`)."""

    @property
    def id(self) -> CompanyId: ...
    @property
    def name(self) -> str: ...
    @property
    def parent_id(self) -> CompanyId | None: ...


PropertyValue: TypeAlias = str | int | float | bool | date
"""A custom property's value: text and choice are ``str``, number ``int``/``float``."""


class PropertyKind(str, enum.Enum):
    """The types a custom property can have (R-PART-4)."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"


def _choices(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class PropertyDefinition:
    """A typed custom property a partner defines for its child accounts (R-PART-4).

    Attributes:
        partner_id: The partner that defined it; it applies to that partner's children.
        name: The property's name, an overview column.
        kind: Its [PropertyKind][teamaccess.values.PropertyKind].
        choices: The allowed values of a ``choice`` property, in display order.
    """

    partner_id: CompanyId
    name: str
    kind: PropertyKind
    choices: tuple[str, ...] = attrs.field(default=(), converter=_choices)

    def __attrs_post_init__(self) -> None:
        """Refuse a choice property without choices, and choices on other kinds."""
        if (self.kind is PropertyKind.CHOICE) != bool(self.choices):
            raise InvalidInput(
                f"property {self.name!r}: choices belong to, and are required by, "
                "kind 'choice' only"
            )
        if len(set(self.choices)) != len(self.choices):
            raise InvalidInput(f"property {self.name!r}: choices must be distinct")

    def validate(self, value: object) -> PropertyValue:
        """Return ``value`` as this property's type, or raise `InvalidPropertyValue`.

        Dates may be given as ``date`` or ISO ``"YYYY-MM-DD"`` text; numbers must be
        finite ``int`` or ``float`` (not ``bool``).
        """
        kind = self.kind
        if kind is PropertyKind.BOOLEAN and isinstance(value, bool):
            return value
        if (
            kind is PropertyKind.NUMBER
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            return value
        if (
            kind is PropertyKind.TEXT
            and isinstance(value, str)
            and len(value) <= 1000
            and not BAD_IN_TEXT.search(value)
        ):
            return value
        if kind is PropertyKind.CHOICE and value in self.choices:
            return str(value)
        if kind is PropertyKind.DATE:
            if isinstance(value, date) and not isinstance(value, datetime):
                return value
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    pass
        expected = f"one of {list(self.choices)}" if self.choices else f"a {kind.value}"
        raise InvalidPropertyValue(f"property {self.name!r} needs {expected}, got {value!r}")


def validate_properties(
    definitions: Sequence[PropertyDefinition], values: Mapping[str, object]
) -> dict[str, PropertyValue | None]:
    """Validate every value against its definition; ``None`` clears a value (R-PART-4).

    Raises:
        UnknownProperty: A name no definition has.
        InvalidPropertyValue: A value of the wrong type.
    """
    by_name = {d.name: d for d in definitions}
    checked: dict[str, PropertyValue | None] = {}
    for name, value in values.items():
        definition = by_name.get(name)
        if definition is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise UnknownProperty(f"unknown property {name!r}; defined: {known}")
        checked[name] = None if value is None else definition.validate(value)
    return checked


def _structure_value(data: object, _: object) -> PropertyValue:
    if isinstance(data, Mapping) and set(data) == {"date"}:
        return date.fromisoformat(str(data["date"]))
    if isinstance(data, (str, int, float, bool)):
        return data
    raise InvalidPropertyValue(f"not a stored property value: {data!r}")


converter.register_unstructure_hook(date, lambda value: {"date": value.isoformat()})
converter.register_structure_hook(PropertyValue, _structure_value)
_VALUES = dict[str, PropertyValue]


def properties_to_json(values: Mapping[str, PropertyValue]) -> dict[str, object]:
    """Values as JSON-ready data through the cattrs converter (dates as ``{"date": iso}``)."""
    data: dict[str, object] = converter.unstructure(dict(values), unstructure_as=_VALUES)
    return data


def properties_from_json(data: Mapping[str, object]) -> dict[str, PropertyValue]:
    """Rebuild values stored by `properties_to_json`."""
    values: dict[str, PropertyValue] = converter.structure(dict(data), _VALUES)
    return values


@attrs.frozen
class Article:
    """Something an account bought, as on its invoices (R-LIC-1).

    Attributes:
        company_id: The account.
        sku: The article number.
        name: Its display name.
        quantity: How many were bought (>= 1).
    """

    company_id: CompanyId
    sku: str
    name: str
    quantity: int = 1


@attrs.frozen
class License:
    """A counted entitlement for an action kind, e.g. ``create_asset`` (R-LIC-1).

    Attributes:
        company_id: The account holding it.
        kind: The action kind it gates.
        limit: How many uses it allows at once (>= 0).
        used: How many are in use (0 <= used <= limit, R-LIC-2).
    """

    company_id: CompanyId
    kind: str
    limit: int
    used: int = 0

    @property
    def free(self) -> int:
        """Uses still available."""
        return self.limit - self.used

    @property
    def usage(self) -> str:
        """The usage line an overview shows, e.g. ``"3/5 used"``."""
        return f"{self.used}/{self.limit} used"


def decide_license(license_: License | None, kind: str, amount: int = 1) -> Decision:
    """May ``amount`` more uses of ``kind`` be taken? The denial names the limit (R-LIC-2)."""
    if license_ is None:
        return Decision.deny("no_license", "R-LIC-2", f"the account holds no {kind!r} license")
    if license_.used + amount <= license_.limit:
        return Decision.allow("license_available", "R-LIC-2", f"{kind} {license_.usage}")
    return Decision.deny(
        "license_exhausted",
        "R-LIC-2",
        f"license {kind!r} is at its limit of {license_.limit} ({license_.usage})",
    )


@attrs.frozen
class AccountOverview:
    """What members of an ancestor see of a descendant account (R-PART-2, R-LIC-3).

    Attributes:
        id: The account.
        name: Its name.
        parent_id: Its parent.
        depth: How many levels below the asking partner it is (1 for a child).
        properties: Its custom property values (R-PART-4).
        members: ``(user id, role)`` of each member, ordered by user id.
        pricing_model: Its pricing model (R-LIC-3), or ``None``.
        articles: What it bought (R-LIC-1).
        licenses: Its licenses with usage (R-LIC-1).
        suspended: Whether the account is suspended: then its row shows its id, name
            and place in the tree only, and every other field is empty (R-CO-8).
    """

    id: CompanyId
    name: str
    parent_id: CompanyId | None
    depth: int
    properties: Mapping[str, PropertyValue]
    members: tuple[tuple[UserId, str], ...]
    pricing_model: str | None
    articles: tuple[Article, ...]
    licenses: tuple[License, ...]
    suspended: bool = False

    @classmethod
    def of_suspended(cls, company: _Named, depth: int) -> AccountOverview:
        """The row of a suspended account: id, name, place in the tree, ``suspended`` (R-CO-8)."""
        return cls(
            id=company.id, name=company.name, parent_id=company.parent_id, depth=depth,
            properties={}, members=(), pricing_model=None, articles=(), licenses=(),
            suspended=True,
        )  # fmt: skip


@attrs.frozen
class OverviewPage:
    """One page of a partner's overview of its descendant accounts (R-PART-2).

    Attributes:
        columns: The partner's property definitions: the overview's extra columns.
        accounts: The page, ordered by account id.
        next_after: Pass it as ``after`` for the next page; ``None`` on the last page.
    """

    columns: tuple[PropertyDefinition, ...]
    accounts: tuple[AccountOverview, ...]
    next_after: CompanyId | None
