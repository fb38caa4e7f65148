"""Seed 003: a lead marketplace where colleagues of one dealer share the leads they pick.

Until now every user of the marketplace was an account of their own. The operator
migrates each user into a company of their own, merges the users who work for the same
dealer, and from then on a lead one colleague picks belongs to the whole company.
Run it: ``python examples/lead_marketplace.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from teamaccess import LeadAction, MemoryStore, TeamAccess
from teamaccess.errors import CompanyClosed, UnknownLead
from teamaccess.values import MarketRole, personal_company_id

ta = TeamAccess(MemoryStore(), platform_admins={"platform"})
for user in ("platform", "olaf", "gabi", "hugo", "heidi", "tara"):
    ta.users.register(user, f"{user}@leads.example")
# --8<-- [end:setup]


def main() -> None:
    """Migrate, merge, offer, pick; then see who may do what with the lead."""
    # --8<-- [start:migrate]
    created = ta.lifecycle.migrate_users("platform").created
    print(len(created), "companies; again:", len(ta.lifecycle.migrate_users("platform").created))
    hugo, heidi, tara = (personal_company_id(u) for u in ("hugo", "heidi", "tara"))
    ta.leads.set_market_roles("platform", personal_company_id("olaf"), [MarketRole.OPERATOR])
    ta.leads.set_market_roles("platform", personal_company_id("gabi"), [MarketRole.LEAD_GIVER])
    for taker in (hugo, heidi, tara):
        ta.leads.set_market_roles("platform", taker, [MarketRole.LEAD_TAKER])
    # --8<-- [end:migrate]

    # --8<-- [start:merge]
    ta.lifecycle.merge("platform", heidi, hugo)  # heidi works for hugo's dealership
    print("colleagues:", [m.user_id for m in ta.members.list("hugo", hugo)])
    try:
        ta.members.add("heidi", heidi, "tara")
    except CompanyClosed as closed:
        print("heidi's old company:", closed)
    # --8<-- [end:merge]

    # --8<-- [start:offer]
    lead = ta.leads.offer(
        "olaf",
        personal_company_id("olaf"),
        giver_id=personal_company_id("gabi"),
        taker_ids=[hugo, tara],
        title="Heat pump, 3 units",
        lead_id="heat-pumps",
    )
    print("tara sees the offer:", ta.leads.check("tara", tara, lead.id, LeadAction.VIEW))
    ta.leads.pick("heidi", hugo, lead.id)  # heidi picks it for the company
    try:
        ta.leads.pick("tara", tara, lead.id)
    except UnknownLead as late:  # picked by another: out of tara's sight (R-ALL-9)
        print("tara:", type(late).__name__, late)
    # --8<-- [end:offer]

    # --8<-- [start:colleagues]
    for user, company, action in (
        ("hugo", hugo, LeadAction.EDIT),  # a colleague of the picker
        ("tara", tara, LeadAction.VIEW),  # another taker, too late
        ("gabi", personal_company_id("gabi"), LeadAction.VIEW),  # the giver
    ):
        print(f"{user} {action.value}:", ta.leads.check(user, company, lead.id, action))
    ta.leads.update("hugo", hugo, lead.id, state="won")
    # --8<-- [end:colleagues]

    # --8<-- [start:handler]
    ta.members.set_handler("hugo", hugo, "hugo", True)  # hugo distributes the company's leads
    ta.leads.assign("hugo", hugo, lead.id, "heidi")
    page = ta.leads.visible("heidi", hugo, state="won")
    print("heidi's won leads:", [item.id for item in page.items])
    assert [item.id for item in page.items] == ["heat-pumps"]
    # --8<-- [end:handler]

    # --8<-- [start:inbox]
    request = ta.inbox.send(hugo, "contact", "kunde@example.com", "Offer for 3 heat pumps?")
    ta.inbox.assign("hugo", hugo, request.id, "heidi")
    ta.inbox.close("heidi", hugo, request.id)
    print("open requests:", ta.inbox.list("hugo", hugo, state="open").items)
    # --8<-- [end:inbox]


if __name__ == "__main__":
    main()
