"""Seed 003: a lead marketplace where colleagues of one dealer share the leads they pick.

Until now every user of the marketplace was an account of their own. The operator
migrates each user into a company of their own, merges the users who work for the same
dealer, and from then on a lead one colleague picks belongs to the whole company.
Run it: ``python examples/lead_marketplace.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from teamaccess import LeadAction, MarketRole, MemoryStore, TeamAccess, personal_company_id
from teamaccess.errors import CompanyClosed, LeadAlreadyPicked

ta = TeamAccess(MemoryStore(), platform_admins={"platform"})
for user in ("platform", "olaf", "gabi", "hugo", "heidi", "tara"):
    ta.register_user(user, f"{user}@leads.example")
# --8<-- [end:setup]


def main() -> None:
    """Migrate, merge, offer, pick; then see who may do what with the lead."""
    # --8<-- [start:migrate]
    created = ta.migrate_users_to_companies("platform").created
    print(len(created), "companies; again:", len(ta.migrate_users_to_companies("platform").created))
    hugo, heidi, tara = (personal_company_id(u) for u in ("hugo", "heidi", "tara"))
    ta.set_market_roles("platform", personal_company_id("olaf"), [MarketRole.OPERATOR])
    ta.set_market_roles("platform", personal_company_id("gabi"), [MarketRole.LEAD_GIVER])
    for taker in (hugo, heidi, tara):
        ta.set_market_roles("platform", taker, [MarketRole.LEAD_TAKER])
    # --8<-- [end:migrate]

    # --8<-- [start:merge]
    ta.merge_companies("platform", heidi, hugo)  # heidi works for hugo's dealership
    print("colleagues:", [m.user_id for m in ta.members("hugo", hugo)])
    try:
        ta.add_member("heidi", heidi, "tara")
    except CompanyClosed as closed:
        print("heidi's old company:", closed)
    # --8<-- [end:merge]

    # --8<-- [start:offer]
    lead = ta.offer_lead(
        "olaf",
        personal_company_id("olaf"),
        giver_id=personal_company_id("gabi"),
        taker_ids=[hugo, tara],
        title="Heat pump, 3 units",
        lead_id="heat-pumps",
    )
    print("tara sees the offer:", ta.check_lead("tara", tara, lead.id, LeadAction.VIEW))
    ta.pick_lead("heidi", hugo, lead.id)  # heidi picks it for the company
    try:
        ta.pick_lead("tara", tara, lead.id)
    except LeadAlreadyPicked as late:
        print("tara:", late)
    # --8<-- [end:offer]

    # --8<-- [start:colleagues]
    for user, company, action in (
        ("hugo", hugo, LeadAction.EDIT),  # a colleague of the picker
        ("tara", tara, LeadAction.VIEW),  # another taker, too late
        ("gabi", personal_company_id("gabi"), LeadAction.VIEW),  # the giver
    ):
        print(f"{user} {action.value}:", ta.check_lead(user, company, lead.id, action))
    ta.update_lead("hugo", hugo, lead.id, state="won")
    # --8<-- [end:colleagues]

    # --8<-- [start:handler]
    ta.set_handler("hugo", hugo, "hugo", True)  # hugo distributes the company's leads
    ta.assign_lead("hugo", hugo, lead.id, "heidi")
    page = ta.visible_leads("heidi", hugo, state="won")
    print("heidi's won leads:", [item.id for item in page.items])
    assert [item.id for item in page.items] == ["heat-pumps"]
    # --8<-- [end:handler]

    # --8<-- [start:inbox]
    request = ta.send_request(hugo, "contact", "kunde@example.com", "Offer for 3 heat pumps?")
    ta.assign_request("hugo", hugo, request.id, "heidi")
    ta.close_request("heidi", hugo, request.id)
    print("open requests:", ta.inbox("hugo", hugo, state="open").items)
    # --8<-- [end:inbox]


if __name__ == "__main__":
    main()
