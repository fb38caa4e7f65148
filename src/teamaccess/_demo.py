"""The demo: the stories of the five seeds, played on any store.

Seed 000 is a trade-fair team with its main contact, 002 course seats a company buys,
004 a partner with customer accounts and licenses, 003 a lead marketplace where
colleagues share picked leads, 001 a customer centre with a timeline embargo.

Each step prints what was tried and the library's answer with its reason and rule.
"""

from __future__ import annotations

from typing import TextIO

from teamaccess._demo_market import customer_centre_story, market_story
from teamaccess._demo_narrator import Narrator
from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.models import Company, User
from teamaccess.ports import Store
from teamaccess.service.facade import TeamAccess

__all__ = ["run_demo"]


def networking_enabled(*, actor: User, candidate: User, company: Company) -> Decision:
    """Seed 000: both people must have networking switched on (R-MEM-4)."""
    for person in (actor, candidate):
        if person.attributes.get("networking") != "on":
            return Decision.deny("networking_disabled", "R-MEM-4", f"{person.id} has it off")
    return Decision.allow("eligible", "R-MEM-4")


def run_demo(store: Store, out: TextIO) -> int:
    """Play the seed stories on ``store`` and write the narration to ``out``.

    Returns the number of outbox events the story produced.
    """
    ta = TeamAccess(store, eligibility=networking_enabled, platform_admins={"platform"})
    n = Narrator(out)
    check = ta.check

    n.say("1. People register on the trade-fair platform")
    for user_id, networking in (("anna", "on"), ("ben", "on"), ("carla", "off"), ("dave", "on")):
        ta.users.register(
            user_id, f"{user_id.capitalize()}@Example.COM", attributes={"networking": networking}
        )
        n.done(f"{user_id} registered (networking {networking})")

    n.say("2. Anna, who received the exhibitor mailings, owns the company profile")
    acme = ta.companies.create("anna", "Spreadmind GmbH", company_id="spreadmind")
    n.decision("anna may edit the company profile", check("anna", acme.id, Action.EDIT_PROFILE))
    n.decision("ben may open the back office", check("ben", acme.id, Action.OPEN_BACKOFFICE))

    n.say("3. Anna adds colleagues from the back office's Team tab")
    n.attempt("anna adds ben", lambda: ta.members.add("anna", acme.id, "ben"))
    n.decision("ben may open the back office", check("ben", acme.id, Action.OPEN_BACKOFFICE))
    n.decision("ben may edit the company profile", check("ben", acme.id, Action.EDIT_PROFILE))
    n.attempt("ben adds carla (networking off)", lambda: ta.members.add("ben", acme.id, "carla"))

    n.say("4. Ben hides himself from the public profile")
    ta.members.set_show_as_contact("ben", acme.id, "ben", False)
    contacts = ", ".join(m.user_id for m in ta.members.public_contacts(acme.id))
    n.done(f"public contacts of {acme.name}: {contacts}")

    n.say("5. Ben also works for a second exhibitor")
    other = ta.companies.create("dave", "Messebau Nord", company_id="messebau")
    ta.members.add("dave", other.id, "ben")
    mine = ", ".join(m.company_id for m in ta.members.of_user("ben"))
    n.done(f"ben's back offices: {mine}")

    n.say("6. Anna invites a colleague by e-mail; the link is single-use")
    issued = ta.invitations.send("anna", acme.id, "dave@example.com", role="admin")
    n.done(f"anna invites {issued.invitation.email} ({issued.invitation.id[:18]}...)")
    n.attempt("carla redeems dave's link", lambda: ta.invitations.accept("carla", issued.token))
    n.attempt("dave accepts", lambda: ta.invitations.accept("dave", issued.token))
    n.attempt("dave accepts again", lambda: ta.invitations.accept("dave", issued.token))

    n.say("7. Anna moves on; the main-contact role must be handed over first")
    n.attempt("anna leaves the company", lambda: ta.members.leave("anna", acme.id))
    n.attempt(
        "anna hands the role to dave",
        lambda: ta.members.transfer_main_contact("anna", acme.id, "dave"),
    )
    n.attempt("anna leaves the company", lambda: ta.members.leave("anna", acme.id))
    n.decision("anna may open the back office", check("anna", acme.id, Action.OPEN_BACKOFFICE))
    n.decision("dave may edit the company profile", check("dave", acme.id, Action.EDIT_PROFILE))

    _seats_story(ta, n)
    _partner_story(ta, n)
    market_story(ta, n)
    customer_centre_story(ta, n)

    events = ta.outbox.pending(limit=10_000)
    n.say(f"{n.steps} steps shown; {len(events)} events in the outbox, e.g.:")
    for message in events[-3:]:
        event = message.event
        where = f" in {event.company_id}" if event.company_id else ""
        n.out.write(f"  #{message.position} {event.type} by {event.actor_id}{where}\n")
    return len(events)


def _seats_story(ta: TeamAccess, n: Narrator) -> None:
    """Seed 002: a buyer purchases course seats for their staff."""
    n.say("8. A buyer purchases 10 course seats for the staff (seed 002)")
    ta.users.register("platform", "admin@platform.example")
    ta.users.register("greta", "greta@spreadmind.example")
    ta.seats.create_product("platform", "course", "Online course", tag="course-access")
    pool = ta.seats.purchase("greta", "course", 10, "Mitarbeiter der Spreadmind GmbH")
    n.done(f"greta leads {pool.title!r}: {pool.usage}")
    n.decision(
        "greta may open a course (no seat taken)", ta.tags.can_access("greta", ["course-access"])
    )
    csv = "email;name\nhans@spreadmind.example;Hans\nnot-an-address;Bad\n"
    n.attempt(
        "greta imports a CSV with a bad row", lambda: ta.seats.enroll_csv("greta", pool.id, csv)
    )
    hans = ta.seats.enroll("greta", pool.id, "hans@spreadmind.example")
    n.done(f"greta enrolls hans: {ta.seats.get(pool.id).usage}")
    n.decision("hans may open a course", ta.tags.can_access(hans.user_id, ["course-access"]))
    n.decision("hans may open the group management", ta.seats.check_group(hans.user_id, pool.id))
    ta.seats.remove("greta", pool.id, hans.user_id)
    n.done(f"greta removes hans (refill): {ta.seats.get(pool.id).usage}")
    n.decision("hans may open a course", ta.tags.can_access(hans.user_id, ["course-access"]))
    ta.seats.enroll("greta", pool.id, "ida@spreadmind.example")
    n.done(f"greta enrolls ida in the freed seat: {ta.seats.get(pool.id).usage}")


def _partner_story(ta: TeamAccess, n: Narrator) -> None:
    """Seed 004: a partner creates a customer account with properties and licenses."""
    n.say("9. A partner manages customer accounts with licenses (seed 004)")
    for user in ("paula", "piet", "karl"):
        ta.users.register(user, f"{user}@linemetrics.example", attributes={"networking": "on"})
    ta.companies.create("paula", "LineMetrics Partner GmbH", company_id="partner")
    ta.members.add("paula", "partner", "piet")
    ta.partners.define_property("paula", "partner", "region", "choice", choices=["Nord", "Süd"])
    kunde = ta.partners.create_child("paula", "partner", "Kunde A", company_id="kunde-a")
    n.done(f"paula creates {kunde.name!r} and becomes its admin")
    ta.partners.set_properties("paula", kunde.id, {"region": "Süd"})
    west = {"region": "West"}
    n.attempt(
        "paula sets region to 'West'", lambda: ta.partners.set_properties("paula", kunde.id, west)
    )
    issued = ta.invitations.send("paula", kunde.id, "karl@linemetrics.example", role="member")
    ta.invitations.accept("karl", issued.token)
    ta.partners.set_pricing_model("platform", kunde.id, "Professional")
    ta.licenses.set("platform", kunde.id, "create_asset", 2)
    n.decision("piet may view Kunde A's overview", ta.check("piet", kunde.id, Action.VIEW_OVERVIEW))
    n.decision("piet may switch into Kunde A", ta.check("piet", kunde.id, Action.SWITCH_INTO))
    n.decision("karl may switch into Kunde A", ta.check("karl", kunde.id, Action.SWITCH_INTO))
    n.decision("karl may view the partner", ta.check("karl", "partner", Action.VIEW_OVERVIEW))
    for _ in range(2):
        used = ta.licenses.use("karl", kunde.id, "create_asset")
        n.done(f"karl creates an asset: license create_asset {used.usage}")
    n.decision("karl may create a third asset", ta.licenses.check("karl", kunde.id, "create_asset"))
    [row] = ta.partners.overview("piet", "partner").accounts
    licenses = ", ".join(f"{lic.kind} {lic.usage}" for lic in row.licenses)
    n.out.write(
        f"  overview for piet: {row.name} | region={row.properties['region']} | "
        f"plan={row.pricing_model} | members={len(row.members)} | {licenses}\n"
    )
