"""``teamaccess audit verify``: check a company's sealed audit chain (issue 32)."""

from __future__ import annotations

import attrs

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import DENIED, OK, Context, UsageError
from teamaccess.cli._output import emit_one


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    audit = Commands(top.add("audit", None, "the audit trail of a company"), "audit commands")
    verify_command = audit.add(
        "verify",
        verify,
        "check that no stored event of COMPANY was changed, deleted or moved; exit 1 if one was",
    )
    verify_command.add_argument("company", nargs="?", help="the company (id or name)")
    verify_command.add_argument(
        "--platform",
        action="store_true",
        help="check the chain of the events without a company instead (platform admins)",
    )


def verify(context: Context) -> int:
    """Print the verdict; exit 0 when the chain is whole, 1 when it is broken."""
    args = context.args
    if args.platform == (args.company is not None):
        raise UsageError("name a COMPANY or give --platform, not both")
    company = None if args.platform else context.company_ref(args.company)
    verdict = context.service().audit.verify(context.user_ref(context.actor()), company)
    emit_one(context, verdict.message, {**attrs.asdict(verdict), "message": verdict.message})
    return OK if verdict.ok else DENIED
