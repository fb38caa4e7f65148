"""``domains``: claim, verify, set the mode of and list a company's domains (R-DOM-1..4)."""

from __future__ import annotations

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import OK, Context
from teamaccess.cli._output import emit, emit_one
from teamaccess.domain.domains import EnrollmentMode

_COMPANY = "a company id, or its name if no other company has it"


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    domains = Commands(top.add("domains", None, "verified company domains"), "domains commands")
    claim_ = domains.add("claim", claim, "claim a domain; prints the TXT value or the code once")
    claim_.add_argument("company", help=_COMPANY)
    claim_.add_argument("domain")
    claim_.add_argument(
        "--email", metavar="ADDRESS", help="prove by a code mailed to ADDRESS at the domain"
    )
    verify_ = domains.add("verify", verify, "confirm a claim with what the host saw (R-DOM-1)")
    verify_.add_argument("company", help=_COMPANY)
    verify_.add_argument("domain")
    verify_.add_argument(
        "--txt", action="append", default=[], metavar="VALUE", help="a TXT string found; repeatable"
    )
    verify_.add_argument("--code", help="the code the person entered (e-mail challenge)")
    verify_.add_argument("--address", help="the address the code was mailed to")
    mode_ = domains.add("mode", set_mode, "how people with a matching address join (R-DOM-2)")
    mode_.add_argument("company", help=_COMPANY)
    mode_.add_argument("domain")
    mode_.add_argument("mode", choices=[mode.value for mode in EnrollmentMode])
    mode_.add_argument("--role", help="the default role (default: the member role; R-MEM-9)")
    domains.add("list", list_domains, "a company's domains").add_argument("company", help=_COMPANY)


def claim(context: Context) -> int:
    """Claim a domain and print its challenge."""
    args = context.args
    method = "dns_txt" if args.email is None else "email"
    challenge = context.service().domains.claim(
        context.user_ref(context.actor()), context.company_ref(args.company), args.domain,
        method=method, address=args.email,
    )  # fmt: skip
    claim_ = challenge.claim
    until = f"{challenge.expires_at:%Y-%m-%d %H:%M} UTC"
    if challenge.txt_record is not None:
        text = (f"claimed {claim_.domain} for {claim_.company_id}; publish this TXT record "
                f"until {until}:\n{challenge.txt_record}")  # fmt: skip
    else:
        text = (f"claimed {claim_.domain} for {claim_.company_id}; mail this code to "
                f"{challenge.address} (valid until {until}):\n{challenge.secret}")  # fmt: skip
    emit_one(context, text, {"company": claim_.company_id, "domain": claim_.domain,
                             "method": method, "txt_record": challenge.txt_record,
                             "code": None if challenge.txt_record else challenge.secret,
                             "address": challenge.address,
                             "expires_at": challenge.expires_at})  # fmt: skip
    return OK


def verify(context: Context) -> int:
    """Verify a claim with the host's proof."""
    args = context.args
    claim_ = context.service().domains.verify(
        context.user_ref(context.actor()), context.company_ref(args.company), args.domain,
        txt_records=args.txt, code=args.code, address=args.address,
    )  # fmt: skip
    emit_one(context, f"verified {claim_.domain} for {claim_.company_id}",
             {"company": claim_.company_id, "domain": claim_.domain,
              "state": claim_.state.value})  # fmt: skip
    return OK


def set_mode(context: Context) -> int:
    """Set a verified domain's enrollment mode."""
    args = context.args
    claim_ = context.service().domains.set_mode(
        context.user_ref(context.actor()), context.company_ref(args.company), args.domain,
        args.mode, default_role=args.role,
    )  # fmt: skip
    emit_one(context, f"{claim_.domain}: {claim_.mode.value} as {claim_.default_role}",
             {"company": claim_.company_id, "domain": claim_.domain, "mode": claim_.mode.value,
              "default_role": claim_.default_role})  # fmt: skip
    return OK


def list_domains(context: Context) -> int:
    """Print a company's domains."""
    claims = context.service().domains.list(
        context.user_ref(context.actor()), context.company_ref(context.args.company)
    )
    rows = [
        {"domain": c.domain, "state": c.state.value, "mode": c.mode.value,
         "default_role": c.default_role or "", "method": c.method.value}
        for c in claims
    ]  # fmt: skip
    columns = {"domain": "domain", "state": "state", "mode": "mode",
               "default_role": "default role", "method": "proof"}  # fmt: skip
    emit(context, columns, rows)
    return OK
