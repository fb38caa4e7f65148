"""Seed 000: an exhibitor's team on a trade-fair platform, as a host app would code it.

The host keeps its own users; teamaccess keeps who works for which exhibitor, who the
main contact is, and answers every "may they?" with a reason. Run it:
``python examples/trade_fair_team.py``.
"""

from __future__ import annotations

from teamaccess import Action, Company, Decision, TeamAccess, User
from teamaccess.errors import NotAMember, NotEligible
from teamaccess.testing import make_service


def networking_enabled(*, actor: User, candidate: User, company: Company) -> Decision:
    """Both people must have networking switched on (R-MEM-4)."""
    for person in (actor, candidate):
        if person.attributes.get("networking") != "on":
            return Decision.deny("networking_disabled", "R-MEM-4", f"{person.id} has it off")
    return Decision.allow("eligible", "R-MEM-4")


def backoffice_page(ta: TeamAccess, user_id: str, company_id: str) -> str:
    """What a host's back-office view would render."""
    try:
        members = ta.members(user_id, company_id)
    except NotAMember:
        return "You are not on this team yet: ask a colleague to add you."
    can_edit = ta.check(user_id, company_id, Action.EDIT_PROFILE)
    names = ", ".join(m.user_id + (" (main contact)" if m.is_main_contact else "") for m in members)
    return f"Team: {names}" + (" | [Edit company profile]" if can_edit else "")


def main() -> None:
    ta = make_service(eligibility=networking_enabled)
    ta.register_user("anna", "anna@example.com", attributes={"networking": "on"})
    ta.register_user("ben", "ben@example.com", attributes={"networking": "on"})
    ta.register_user("carla", "carla@example.com", attributes={"networking": "off"})

    expo = ta.create_company("anna", "Spreadmind GmbH")
    print("ben, before:", backoffice_page(ta, "ben", expo.id))
    ta.add_member("anna", expo.id, "ben")
    print("ben, after: ", backoffice_page(ta, "ben", expo.id))
    print("anna:       ", backoffice_page(ta, "anna", expo.id))

    try:
        ta.add_member("ben", expo.id, "carla")
    except NotEligible as refused:
        print("adding carla:", refused.decision, "-", refused.decision.detail)

    ta.set_show_as_contact("ben", expo.id, "ben", False)
    contacts = [m.user_id for m in ta.public_contacts(expo.id)]
    print("public contacts:", contacts)
    assert contacts == ["anna"]


if __name__ == "__main__":
    main()
