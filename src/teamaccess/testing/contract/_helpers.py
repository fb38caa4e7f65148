"""Small builders shared by contract tests."""

from __future__ import annotations

import attrs
from hypothesis import settings

from teamaccess import Company, TeamAccess


def examples(wanted: int) -> int:
    """``wanted`` examples, or fewer when the loaded hypothesis profile asks for fewer.

    A property's own ``max_examples`` would override the runner's profile; through this
    a quick profile (a CI run within its time limit) caps every property alike, and a
    deeper one (``max_examples`` above ``wanted``) leaves the property's own number.
    """
    return min(wanted, settings.default.max_examples)


@attrs.frozen
class Team:
    """A company "acme": anna (main contact, admin), ben (member); carl, dora registered."""

    company: Company

    @property
    def id(self) -> str:
        return self.company.id


def make_team(ta: TeamAccess) -> Team:
    for user in ("anna", "ben", "carl", "dora"):
        ta.users.register(user, f"{user}@example.com")
    company = ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", company.id, "ben")
    return Team(company)
