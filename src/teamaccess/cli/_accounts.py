"""``invite``, ``partner``, ``license`` and ``lead``: invitations, accounts, licenses, roles."""

from __future__ import annotations

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import OK, Context
from teamaccess.cli._output import emit, emit_one
from teamaccess.domain.leads import MarketRole

_COMPANY = "a company id, or its name if no other company has it"


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    invites = Commands(top.add("invite", None, "send, resend, revoke or list invitations"),
                       "invite commands")  # fmt: skip
    send_ = invites.add("send", send, "invite an e-mail address; prints the link token once")
    send_.add_argument("company", help=_COMPANY)
    send_.add_argument("email")
    send_.add_argument("--role", help="the role it gives (default: the member role; R-MEM-9)")
    for name, handler, summary in [
        ("resend", resend, "a new token for an open or expired invitation; the old one is void"),
        ("revoke", revoke, "revoke an open invitation (R-INV-2)"),
    ]:
        command = invites.add(name, handler, summary)
        command.add_argument("company", help=_COMPANY)
        command.add_argument("invitation", help="the invitation's id (see 'invite list')")
    invites.add("list", list_invitations, "a company's invitations").add_argument(
        "company", help=_COMPANY
    )

    partners = Commands(top.add("partner", None, "partner and child accounts"), "commands")
    child = partners.add("child", create_child, "create a child account; --as is its admin")
    child.add_argument("partner", help=_COMPANY)
    child.add_argument("name")
    child.add_argument("--id", dest="company_id", help="its id (default: a new one)")

    licenses = Commands(top.add("license", None, "licenses of an account"), "license commands")
    set_ = licenses.add("set", set_license, "grant a license or change its limit; platform admins")
    set_.add_argument("company", help=_COMPANY)
    set_.add_argument("kind", help="the action kind it counts, e.g. create_asset")
    set_.add_argument("limit", type=int)
    licenses.add("list", list_licenses, "an account's licenses with their usage").add_argument(
        "company", help=_COMPANY
    )

    leads = Commands(top.add("lead", None, "the lead marketplace"), "lead commands")
    roles = leads.add("roles", set_roles, "set the marketplace roles a company plays (R-LEAD-1)")
    roles.add_argument("company", help=_COMPANY)
    roles.add_argument("roles", nargs="*", choices=[role.value for role in MarketRole])


def send(context: Context) -> int:
    """Invite an address; print the token, which is shown only once."""
    args = context.args
    issued = context.service().invitations.send(
        context.user_ref(context.actor()), context.company_ref(args.company), args.email,
        role=args.role,
    )  # fmt: skip
    invitation = issued.invitation
    text = (f"invited {invitation.email} to {invitation.company_id} as {invitation.role} "
            f"({invitation.id}, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC)\n"
            f"token: {issued.token}")  # fmt: skip
    emit_one(context, text, {"invitation": invitation.id, "email": invitation.email,
                             "role": invitation.role, "token": issued.token,
                             "expires_at": invitation.expires_at})  # fmt: skip
    return OK


def resend(context: Context) -> int:
    """Re-send an invitation with a new token."""
    args = context.args
    issued = context.service().invitations.resend(
        context.user_ref(context.actor()), context.company_ref(args.company), args.invitation
    )
    invitation = issued.invitation
    emit_one(context, f"re-sent as {invitation.id}; the old link no longer works\n"
                      f"token: {issued.token}",
             {"invitation": invitation.id, "replaces": args.invitation,
              "token": issued.token})  # fmt: skip
    return OK


def revoke(context: Context) -> int:
    """Revoke an invitation."""
    args = context.args
    invitation = context.service().invitations.revoke(
        context.user_ref(context.actor()), context.company_ref(args.company), args.invitation
    )
    emit_one(context, f"revoked {invitation.id} ({invitation.email})",
             {"invitation": invitation.id, "status": invitation.status.value})  # fmt: skip
    return OK


def list_invitations(context: Context) -> int:
    """Print a company's invitations."""
    invitations = context.service().invitations.list(
        context.user_ref(context.actor()), context.company_ref(context.args.company)
    )
    rows = [
        {"invitation": i.id, "email": i.email, "role": i.role, "status": i.status.value,
         "invited_by": i.invited_by, "expires_at": f"{i.expires_at:%Y-%m-%d %H:%M}"}
        for i in invitations
    ]  # fmt: skip
    columns = {"invitation": "invitation", "email": "email", "role": "role", "status": "status",
               "invited_by": "invited by", "expires_at": "expires (UTC)"}  # fmt: skip
    emit(context, columns, rows)
    return OK


def create_child(context: Context) -> int:
    """Create a child account under a partner."""
    args = context.args
    account = context.service().partners.create_child(
        context.user_ref(context.actor()), context.company_ref(args.partner), args.name,
        company_id=args.company_id,
    )  # fmt: skip
    emit_one(context, f"created {account.id}: {account.name} under {account.parent_id}",
             {"company": account.id, "name": account.name,
              "parent": account.parent_id})  # fmt: skip
    return OK


def set_license(context: Context) -> int:
    """Grant a license or change its limit."""
    args = context.args
    license_ = context.service().licenses.set(
        context.user_ref(context.actor()), context.company_ref(args.company), args.kind, args.limit
    )
    emit_one(context, f"{license_.company_id}: {license_.kind} {license_.usage}",
             {"company": license_.company_id, "kind": license_.kind, "limit": license_.limit,
              "used": license_.used})  # fmt: skip
    return OK


def list_licenses(context: Context) -> int:
    """Print an account's licenses."""
    with context.store().reader() as tx:
        found = tx.licenses.of_companies([context.company_ref(context.args.company)])  # type: ignore[list-item]
    rows = [{"kind": lic.kind, "limit": lic.limit, "used": lic.used, "usage": lic.usage}
            for lic in found]  # fmt: skip
    emit(context, {"kind": "license", "usage": "usage"}, rows)
    return OK


def set_roles(context: Context) -> int:
    """Set a company's marketplace roles."""
    company = context.service().leads.set_market_roles(
        context.user_ref(context.actor()), context.company_ref(context.args.company),
        context.args.roles,
    )  # fmt: skip
    roles = sorted(role.value for role in company.market_roles)
    emit_one(context, f"{company.id} plays {', '.join(roles) or 'no role'}",
             {"company": company.id, "roles": roles})  # fmt: skip
    return OK
