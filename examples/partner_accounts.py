"""Seed 004: a partner creates accounts for its customers and sees them in one overview.

An IoT platform's partners set up accounts for their customers, give them custom
properties (region, contract start), and oversee them; the platform bills each
account by pricing model, articles and licenses. The partner's staff see every
account's overview but work inside one only if they are members of it.
Run it: ``python examples/partner_accounts.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from teamaccess import Action, MemoryStore, TeamAccess
from teamaccess.errors import HierarchyCycle, InvalidPropertyValue, LicenseExhausted

ta = TeamAccess(MemoryStore(), platform_admins={"platform"})
for user in ("platform", "paula", "piet", "karl"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("paula", "LineMetrics Partner GmbH", company_id="partner")
ta.members.add("paula", "partner", "piet")  # piet: a colleague at the partner
# --8<-- [end:setup]


def main() -> None:
    """Create customer accounts, describe them, license them, and oversee them."""
    # --8<-- [start:child]
    kunde = ta.partners.create_child("paula", "partner", "Kunde A", company_id="kunde-a")
    issued = ta.invitations.send("paula", kunde.id, "karl@example.com", role="member")
    ta.invitations.accept("karl", issued.token)  # karl works at the customer
    print("piet views Kunde A:   ", ta.check("piet", kunde.id, Action.VIEW_OVERVIEW))
    print("piet switches into it:", ta.check("piet", kunde.id, Action.SWITCH_INTO))
    print("karl views the partner:", ta.check("karl", "partner", Action.VIEW_OVERVIEW))
    # --8<-- [end:child]

    # --8<-- [start:properties]
    ta.partners.define_property("paula", "partner", "region", "choice", choices=["Nord", "Süd"])
    ta.partners.define_property("paula", "partner", "since", "date")
    ta.partners.set_properties("paula", kunde.id, {"region": "Süd", "since": "2026-03-01"})
    try:
        ta.partners.set_properties("paula", kunde.id, {"region": "West"})
    except InvalidPropertyValue as wrong:
        print("region West:", wrong)
    # --8<-- [end:properties]

    # --8<-- [start:licenses]
    ta.partners.set_pricing_model("platform", kunde.id, "Professional")
    ta.licenses.add_article("platform", kunde.id, "LM-START", "Starter package")
    ta.licenses.set("platform", kunde.id, "create_asset", 2)
    for _ in range(2):
        print("karl creates an asset:", ta.licenses.use("karl", kunde.id, "create_asset").usage)
    try:
        ta.licenses.use("karl", kunde.id, "create_asset")
    except LicenseExhausted as limit:
        print("a third one:", limit)
    # --8<-- [end:licenses]

    # --8<-- [start:tree]
    region = ta.partners.create_child("paula", "partner", "Region Süd", company_id="region-sued")
    ta.partners.move("paula", kunde.id, region.id)  # paula admins both, so she may
    print("above Kunde A:", list(ta.partners.ancestors(kunde.id)))
    try:
        ta.partners.move("paula", region.id, kunde.id)
    except HierarchyCycle as cycle:
        print("region under its own child:", cycle)
    # --8<-- [end:tree]

    # --8<-- [start:overview]
    page = ta.partners.overview("piet", "partner")
    print("columns:", [column.name for column in page.columns])
    for row in page.accounts:
        facts = [f"{name}={value}" for name, value in row.properties.items()]
        facts += [row.pricing_model or "no plan", *(f"{x.kind} {x.usage}" for x in row.licenses)]
        print(f"  {'  ' * row.depth}{row.name} (depth {row.depth}): {', '.join(facts)}")
    assert [row.id for row in page.accounts] == ["kunde-a", "region-sued"]
    # --8<-- [end:overview]


if __name__ == "__main__":
    main()
