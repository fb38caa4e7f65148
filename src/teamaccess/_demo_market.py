"""The demo's stories of seeds 003 and 001.

Seed 003: a lead marketplace with colleagues, migration and merge; seed 001: a
customer centre with shared records and the timeline embargo.
"""

from __future__ import annotations

from datetime import timedelta

from teamaccess._demo_narrator import Narrator
from teamaccess.domain.leads import LeadAction
from teamaccess.service.facade import TeamAccess

__all__ = ["customer_centre_story", "market_story"]

_ON = {"networking": "on"}


def market_story(ta: TeamAccess, n: Narrator) -> None:
    """Seed 003: per-user accounts become companies; colleagues share picked leads."""
    n.say("10. leadtributor migrates every user to a company of their own (seed 003)")
    for user in ("olaf", "gabi", "hugo", "heidi", "tara"):
        ta.users.register(user, f"{user}@leads.example", attributes=_ON)
    created = ta.lifecycle.migrate_users("platform").created
    n.done(f"{len(created)} companies created, e.g. {created[0].id}")
    again = ta.lifecycle.migrate_users("platform").created
    n.done(f"a second run creates {len(again)}")
    hugo, heidi, tara = "personal-hugo", "personal-heidi", "personal-tara"
    ta.leads.set_market_roles("platform", "personal-olaf", ["operator"])
    ta.leads.set_market_roles("platform", "personal-gabi", ["lead_giver"])
    for taker in (hugo, heidi, tara):
        ta.leads.set_market_roles("platform", taker, ["lead_taker"])

    n.say("11. Hugo and Heidi work for the same dealer; they ask for their users to be merged")
    ta.lifecycle.merge("platform", heidi, hugo)
    colleagues = ", ".join(m.user_id for m in ta.members.list("hugo", hugo))
    n.done(f"{hugo} now has colleagues: {colleagues}")
    n.attempt("heidi adds tara to her old company", lambda: ta.members.add("heidi", heidi, "tara"))

    giver = "personal-gabi"
    n.say("12. The operator offers a lead to two dealers; one picks it for the company")
    lead = ta.leads.offer(
        "olaf", "personal-olaf", giver_id=giver, taker_ids=[hugo, tara],
        title="Heat pump, 3 units", lead_id="heat-pumps",
    )  # fmt: skip
    n.decision(
        "tara may see the offered lead", ta.leads.check("tara", tara, lead.id, LeadAction.VIEW)
    )
    ta.leads.pick("heidi", hugo, lead.id)
    n.done(f"heidi picks {lead.id} for {hugo}")
    n.attempt("tara picks it too", lambda: ta.leads.pick("tara", tara, lead.id))
    n.decision("tara may see it now", ta.leads.check("tara", tara, lead.id, LeadAction.VIEW))
    n.decision(
        "hugo (colleague) may edit it", ta.leads.check("hugo", hugo, lead.id, LeadAction.EDIT)
    )
    n.decision("gabi (giver) may read it", ta.leads.check("gabi", giver, lead.id, LeadAction.VIEW))
    ta.members.set_handler("hugo", hugo, "hugo", True)
    ta.leads.assign("hugo", hugo, lead.id, "heidi")
    n.done("hugo, the responsible handler, assigns it to heidi")
    page = ta.leads.visible("heidi", hugo, state="picked")
    n.done(f"heidi's picked leads: {', '.join(lead.id for lead in page.items)}")


def customer_centre_story(ta: TeamAccess, n: Narrator) -> None:
    """Seed 001: a provider's timeline entries reach the customer 10 days late."""
    n.say("13. An agency keeps minutes and a timeline for its customer (seed 001)")
    for user in ("otto", "kira"):
        ta.users.register(user, f"{user}@osg.example", attributes=_ON)
    ta.companies.create("otto", "OSG", company_id="osg")
    ta.companies.create("kira", "Kunde GmbH", company_id="kunde")
    ta.records.link("kira", "kunde", "osg", "provider")
    ta.records.add("otto", "osg", "kunde", "minutes", "Jour fixe: content plan")
    entry = ta.records.add("otto", "osg", "kunde", "timeline", "12 backlinks built")
    since = entry.occurred_at - timedelta(days=30)
    for user, company in (("otto", "osg"), ("kira", "kunde")):
        titles = [r.title for r in ta.records.timeline(user, company, "kunde", since=since).items]
        n.done(f"{user}'s view of the last 30 days: {titles}")
    n.decision("kira may open the timeline entry", ta.records.check("kira", "kunde", entry.id))
