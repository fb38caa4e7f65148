"""Seed 000: an exhibitor's team on a trade-fair platform, with its main contact.

The platform keeps its own users; teamaccess keeps who works for which exhibitor and
who the main contact is, and answers every "may they?" with a reason. The main contact
(the person who received the exhibitor mailings) alone edits the company profile;
any colleague may add colleagues from the back office's Team tab.
Run it: ``python examples/trade_fair_team.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from teamaccess import Action, Company, Decision, MemoryStore, TeamAccess, User
from teamaccess.errors import MainContactRequired, NotAMember, NotEligible


def networking_enabled(*, actor: User, candidate: User, company: Company) -> Decision:
    """Both people must have networking switched on (R-MEM-4)."""
    for person in (actor, candidate):
        if person.attributes.get("networking") != "on":
            return Decision.deny("networking_disabled", "R-MEM-4", f"{person.id} has it off")
    return Decision.allow("eligible", "R-MEM-4")


ta = TeamAccess(MemoryStore(), eligibility=networking_enabled)
for user, networking in (("anna", "on"), ("ben", "on"), ("carla", "off"), ("dave", "on")):
    ta.users.register(user, f"{user}@example.com", attributes={"networking": networking})
# --8<-- [end:setup]


# --8<-- [start:page]
def backoffice_page(user_id: str, company_id: str) -> str:
    """What the host's back-office view renders for this user."""
    try:
        members = ta.members.list(user_id, company_id)
    except NotAMember:
        return "You are not on this team yet: ask a colleague to add you."
    can_edit = ta.check(user_id, company_id, Action.EDIT_PROFILE)
    names = ", ".join(m.user_id + (" (main contact)" if m.is_main_contact else "") for m in members)
    return f"Team: {names}" + (" | [Edit company profile]" if can_edit else "")


# --8<-- [end:page]


def main() -> None:
    """Build the team, then hand the main-contact role on."""
    # --8<-- [start:team]
    expo = ta.companies.create("anna", "Spreadmind GmbH", company_id="spreadmind")
    print("ben, before:", backoffice_page("ben", expo.id))
    ta.members.add("anna", expo.id, "ben")
    print("ben, after: ", backoffice_page("ben", expo.id))
    print("anna:       ", backoffice_page("anna", expo.id))
    print("ben edits the profile:", ta.check("ben", expo.id, Action.EDIT_PROFILE))
    # --8<-- [end:team]

    # --8<-- [start:eligibility]
    try:
        ta.members.add("ben", expo.id, "carla")
    except NotEligible as refused:
        print("adding carla:", refused.decision, "-", refused.decision.detail)
    # --8<-- [end:eligibility]

    # --8<-- [start:contacts]
    ta.members.set_show_as_contact("ben", expo.id, "ben", False)
    contacts = [m.user_id for m in ta.members.public_contacts(expo.id)]
    print("public contacts:", contacts)
    assert contacts == ["anna"]
    # --8<-- [end:contacts]

    # --8<-- [start:invite]
    issued = ta.invitations.send("anna", expo.id, "dave@example.com", role="admin")
    ta.invitations.accept("dave", issued.token)  # the e-mailed link; single use, 7 days
    # --8<-- [end:invite]

    # --8<-- [start:handover]
    try:
        ta.members.leave("anna", expo.id)
    except MainContactRequired as first:
        print("anna leaves:", first)
    ta.members.transfer_main_contact("anna", expo.id, "dave")
    ta.members.leave("anna", expo.id)
    print("dave:       ", backoffice_page("dave", expo.id))
    assert ta.members.main_contact(expo.id).user_id == "dave"
    # --8<-- [end:handover]


if __name__ == "__main__":
    main()
