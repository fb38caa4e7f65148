"""Decisions: allowed or denied, with a reason code and the rule that decided (R-ALL-2)."""

from __future__ import annotations

import enum

import attrs

__all__ = ["ActingAs", "Action", "Decision", "Reason"]


class Action(str, enum.Enum):
    """The built-in actions a host can check; any other string is a role permission."""

    OPEN_BACKOFFICE = "open_backoffice"
    """Open the company's back office / member area (R-MEM-6)."""
    VIEW_MEMBERS = "view_members"
    """See the full member list with roles (R-MEM-6)."""
    EDIT_PROFILE = "edit_profile"
    """Edit the company profile: the main contact only (R-MC-2)."""
    ADD_MEMBER = "add_member"
    """Add a registered user as a member (R-MEM-3)."""
    REMOVE_MEMBER = "remove_member"
    """Remove a member; anyone may remove themselves (leave) (R-MEM-7)."""
    MANAGE_TEAM = "manage_team"
    """Change members' roles (R-MEM-8)."""
    INVITE = "invite"
    """Invite by e-mail, re-send or revoke invitations (R-INV-1)."""
    SET_SHOW_AS_CONTACT = "set_show_as_contact"
    """Change a member's "show as contact" flag; one's own always (R-MEM-5)."""
    TRANSFER_MAIN_CONTACT = "transfer_main_contact"
    """Hand the main-contact role to another member (R-MC-3)."""
    SWITCH_INTO = "switch_into"
    """Switch into an account to see and change its data: members only (R-PART-2)."""
    VIEW_OVERVIEW = "view_overview"
    """See an account's overview: its members and members of its ancestors (R-PART-2)."""
    CREATE_CHILD_ACCOUNT = "create_child_account"
    """Create a child account under this partner, or move one under it (R-PART-1)."""
    EDIT_ACCOUNT = "edit_account"
    """Set the account's custom property values, move it (R-PART-3, R-PART-4)."""


class Reason(str, enum.Enum):
    """Reason codes of the built-in rules; host predicates may use their own strings."""

    IS_MEMBER = "is_member"
    IS_MAIN_CONTACT = "is_main_contact"
    IS_SELF = "is_self"
    ROLE_PERMITS = "role_permits"
    ANY_MEMBER_MAY_ADD = "any_member_may_add"
    ELIGIBLE = "eligible"
    UNKNOWN_COMPANY = "unknown_company"
    NOT_A_MEMBER = "not_a_member"
    UNKNOWN_ROLE = "unknown_role"
    NOT_MAIN_CONTACT = "not_main_contact"
    NOT_PERMITTED = "not_permitted"
    TARGET_REQUIRED = "target_required"
    ANCESTOR_MEMBER = "ancestor_member"
    OVERVIEW_ONLY = "overview_only"
    COMPANY_CLOSED = "company_closed"
    COMPANY_SUSPENDED = "company_suspended"
    UNKNOWN_LEAD = "unknown_lead"
    UNKNOWN_RECORD = "unknown_record"
    OFFERED_TO_COMPANY = "offered_to_company"
    PICKED_BY_COMPANY = "picked_by_company"
    PICKED_BY_OTHER = "picked_by_other"
    OPERATOR = "operator"
    LEAD_GIVER = "lead_giver"
    NOT_OFFERED = "not_offered"
    NOT_PICKED = "not_picked"
    READ_ONLY = "read_only"
    IS_HANDLER = "is_handler"
    NOT_HANDLER = "not_handler"
    CUSTOMER_MEMBER = "customer_member"
    PROVIDER_MEMBER = "provider_member"
    EMBARGOED = "embargoed"
    NOT_LINKED = "not_linked"
    ROLE_ABOVE_ACTOR = "role_above_actor"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WINDOW_ABOVE_ACTOR = "window_above_actor"
    SUPPORT_GRANT = "support_grant"
    SUPPORT_CANNOT_GRANT = "support_cannot_grant"


@attrs.frozen
class ActingAs:
    """Who acts under a support grant, and which grant (R-SUP-2).

    Attributes:
        staff_id: The platform staff member acting.
        grant_id: The support grant they act under.
    """

    staff_id: str
    grant_id: str


@attrs.frozen
class Decision:
    """The answer to "may this user do this?", with its explanation (R-ALL-2).

    A decision is truthy when allowed, so ``if ta.check(...):`` reads naturally.
    ``str(decision)`` gives the one-line explanation, e.g.
    ``"denied: not_main_contact (R-MC-2)"``.

    Attributes:
        allowed: Whether the action is allowed.
        reason: A short reason code, usually a [Reason][teamaccess.Reason] value.
        rule: The ID of the rule in the catalogue that decided, e.g. ``"R-MC-2"``.
        detail: Optional human-readable detail.
        acting_as: For a decision under a support grant, the staff member and the
            grant (R-SUP-2); ``None`` otherwise.
    """

    allowed: bool
    reason: str
    rule: str
    detail: str = ""
    acting_as: ActingAs | None = None

    @classmethod
    def allow(cls, reason: str, rule: str, detail: str = "") -> Decision:
        """Return an allowing decision."""
        return cls(True, _code(reason), rule, detail)

    @classmethod
    def deny(cls, reason: str, rule: str, detail: str = "") -> Decision:
        """Return a denying decision."""
        return cls(False, _code(reason), rule, detail)

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        return f"{'allowed' if self.allowed else 'denied'}: {self.reason} ({self.rule})"


_CODES: dict[str, str] = {member: member.value for member in Reason}


def _code(reason: str) -> str:
    code = _CODES.get(reason)
    if code is not None:
        return code
    return reason.value if isinstance(reason, enum.Enum) else str(reason)
