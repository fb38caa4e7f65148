"""``grants expire-due`` and ``grants expiring``: time-bound grants (R-TIME-2, R-TIME-3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import OK, Context, UsageError
from teamaccess.cli._output import emit, emit_one


def register(top: Commands) -> None:
    """Add ``grants`` and its commands to the tree."""
    grants = Commands(
        top.add("grants", None, "time-bound grants: the expiry sweep, what expires soon"),
        "grants commands",
    )
    sweep = grants.add(
        "expire-due",
        expire_due,
        "end every membership and temporary role whose window has ended, one Expired event "
        "each (R-TIME-2); safe from several processes at once; prints when the next is due",
    )
    sweep.add_argument(
        "--now", help="sweep up to this ISO 8601 instant with offset (default: the clock)"
    )
    sweep.add_argument("--limit", type=int, default=500, help="the most grants to end")
    expiring = grants.add(
        "expiring",
        expiring_soon,
        "the grants that end within --days, soonest first (R-TIME-3): a company's for its "
        "managers (--company), or a user's own (--user)",
    )
    which = expiring.add_mutually_exclusive_group(required=True)
    which.add_argument("--company", help="the company (id or name)")
    which.add_argument("--user", help="the user (id or e-mail)")
    expiring.add_argument("--days", type=int, default=30, help="the horizon in days")


def expire_due(context: Context) -> int:
    """Run the sweep once; print what it ended and the schedule hint."""
    now = None
    if context.args.now is not None:
        try:
            now = datetime.fromisoformat(context.args.now)
        except ValueError:
            raise UsageError(f"--now is not an ISO 8601 instant: {context.args.now!r}") from None
    report = context.service().grants.expire_due(now=now, limit=context.args.limit)
    rows = [
        {
            "kind": g.kind,
            "company": g.company_id,
            "user": g.user_id or f"(sight of {g.parent_id})",
            "expired_at": g.expired_at.isoformat(),
            "held": False,
        }
        for g in report.expired
    ] + [
        {
            "kind": g.kind,
            "company": g.company_id,
            "user": g.user_id or f"(sight of {g.parent_id})",
            "expired_at": g.expired_at.isoformat(),
            "held": True,
        }
        for g in report.held
    ]
    due = None if report.next_due is None else report.next_due.isoformat()
    sleep = int(report.sleep_for(timedelta(hours=1)).total_seconds())
    if context.json():  # one object: what a scheduler reads (next_due, sleep_seconds)
        data = {"expired": rows, "more": report.more, "next_due": due, "sleep_seconds": sleep}
        emit_one(context, "", data)
        return OK
    if rows:
        columns = {"kind": "kind", "company": "company", "user": "user",
                   "expired_at": "ended at", "held": "held (R-MC-4)"}  # fmt: skip
        emit(context, columns, rows)
    more = "; more due now: run again" if report.more else ""
    print(
        f"{len(report.expired)} grant(s) expired; next due: {due or 'none'}; sleep {sleep}s{more}",
        file=context.out,
    )
    return OK


def expiring_soon(context: Context) -> int:
    """List the grants that end within ``--days``."""
    if context.args.days < 1:
        raise UsageError("--days must be at least 1")
    service = context.service()
    within = timedelta(days=context.args.days)
    if context.args.company is not None:
        company = context.company_ref(context.args.company)
        found = service.grants.expiring(context.actor(), company, within=within)
    else:
        user = context.user_ref(context.args.user)
        actor = context.args.as_user or user
        found = service.grants.expiring_for_user(actor, user, within=within)
    rows = [
        {
            "kind": g.kind,
            "company": g.company_id,
            "user": g.user_id or f"(sight of {g.parent_id})",
            "role": g.role,
            "ends_at": g.ends_at.isoformat(),
            "then": g.role_after or "",
        }
        for g in found
    ]
    columns = {"kind": "kind", "company": "company", "user": "user", "role": "role",
               "ends_at": "ends at", "then": "role after"}  # fmt: skip
    emit(context, columns, rows)
    return OK
