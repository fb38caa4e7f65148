"""Small builders shared by contract tests."""

from __future__ import annotations

import attrs

from teamaccess import Company, TeamAccess


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
