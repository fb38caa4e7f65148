"""A tax-advisory firm defines its own roles, and a clerk holds two of them (R-ROLE-1..3).

The platform (an accounting SaaS) ships the built-in roles ``admin``, ``clerk`` and
``member`` and lists the permissions a company may use in its own roles. The firm's
admin defines "Payroll" and "Auditor", gives a clerk both, later deletes "Auditor"
while it is still held by moving its holders to ``member`` in the same command.
Run it: ``python examples/company_roles.py``.
"""

from __future__ import annotations

from teamaccess import MANAGE_TEAM, MemoryStore, RolePolicy, TeamAccess
from teamaccess.errors import AccessDenied, RoleInUse, RoleLimitExceeded
from teamaccess.values import RoleLimits, RolePlan

POLICY = RolePolicy(
    {
        "admin": {MANAGE_TEAM, "payroll", "audit_read", "export"},
        "clerk": {MANAGE_TEAM},
        "member": set(),
    }
)
LIMITS = RoleLimits(  # what companies may put in their own roles, and how many per plan
    permissions={MANAGE_TEAM, "payroll", "audit_read", "export"},
    max_roles=10,
    plans={"starter": RolePlan(2, permissions={"payroll", "audit_read"})},
)


def main() -> None:
    """Define roles, hand out two to one person, refuse an escalation, delete a role in use."""
    ta = TeamAccess(MemoryStore(), policy=POLICY, role_limits=LIMITS, platform_admins=["ops"])
    for user in ("ops", "greta", "carl", "lena"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("greta", "Steuerbüro Greta", company_id="greta")
    ta.partners.set_pricing_model("ops", "greta", "starter")
    ta.members.add("greta", "greta", "carl", role="clerk")
    ta.members.add("greta", "greta", "lena")

    ta.roles.define("greta", "greta", "payroll", permissions=["payroll"], label="Payroll")
    ta.roles.define("greta", "greta", "auditor", permissions=["audit_read"], label="Auditor")
    print("roles:", ", ".join(f"{r.name} ({r.label})" for r in ta.roles.list("lena", "greta")))
    try:  # the starter plan allows two roles of the company's own
        ta.roles.define("greta", "greta", "exporter", permissions=["audit_read"])
    except RoleLimitExceeded as error:
        print("refused:", error)

    ta.members.add_role("greta", "greta", "lena", "payroll")
    lena = ta.members.add_role("greta", "greta", "lena", "auditor")
    print("lena holds", lena.roles)
    for permission in ("payroll", "audit_read", "export"):
        decision = ta.check("lena", "greta", permission)
        print(f"lena {permission}: {decision} - {decision.detail}")

    try:  # carl manages the team but holds no payroll: he may not hand it out (R-MEM-9)
        ta.members.add_role("carl", "greta", "lena", "payroll")
    except AccessDenied as error:
        print("refused:", error.decision)
    try:  # nor write payroll into a role (R-ROLE-2)
        ta.roles.change("carl", "greta", "auditor", permissions=["audit_read", "payroll"])
    except AccessDenied as error:
        print("refused:", error.decision)

    try:
        ta.roles.delete("greta", "greta", "auditor")
    except RoleInUse as error:
        print("refused:", error)
    ta.roles.delete("greta", "greta", "auditor", move_to="member")
    print("after the delete lena holds", ta.members.list("greta", "greta")[-1].roles)
    print(
        "who may read audits:",
        [h.user_id for h in ta.access.who_may("greta", "greta", "audit_read").items],
    )
    kinds = [m.event.type for m in ta.outbox.pending(limit=100)]
    print("events:", ", ".join(k for k in kinds if "Role" in k))


if __name__ == "__main__":
    main()
