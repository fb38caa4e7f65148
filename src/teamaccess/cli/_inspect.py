"""``explain`` (a decision with its reason and rule) and ``outbox`` (events as JSON lines)."""

from __future__ import annotations

import json

from teamaccess.cli._app import DENIED, OK, Context, UsageError, _Commands
from teamaccess.domain.decisions import Decision
from teamaccess.domain.events import event_to_dict


def register(top: _Commands) -> None:
    """Add this module's commands to the tree."""
    explain_command = top.add(
        "explain",
        explain,
        "decide whether USER may do ACTION in company TARGET; print the reason and rule",
    )
    explain_command.add_argument("user")
    explain_command.add_argument(
        "action", help="e.g. edit_profile, manage_team, open_backoffice; or a lead action"
    )
    explain_command.add_argument("target", help="the company the user acts in")
    on = explain_command.add_mutually_exclusive_group()
    on.add_argument("--member", metavar="USER", help="the colleague the action is aimed at")
    on.add_argument("--lead", metavar="ID", help="decide a lead action on this lead")
    on.add_argument("--record", metavar="ID", help="decide whether the record may be seen")
    explain_command.add_argument("--json", action="store_true", help="print the decision as JSON")

    outbox_command = top.add(
        "outbox", outbox, "print pending outbox events as JSON lines, oldest first"
    )
    outbox_command.add_argument(
        "--limit", type=int, default=100, help="at most this many per batch (default 100)"
    )
    outbox_command.add_argument(
        "--drain",
        action="store_true",
        help="mark the printed events delivered, batch after batch, until none are pending",
    )


def explain(context: Context) -> int:
    """Print the decision; exit 0 when allowed, 1 when denied."""
    args = context.args
    service = context.service()
    if args.lead is not None:
        decision = service.leads.check(args.user, args.target, args.lead, args.action)
        target = f"lead {args.lead} for company {args.target}"
    elif args.record is not None:
        if args.action != "view":
            raise UsageError(f"records are only seen: the action is 'view', not {args.action!r}")
        decision = service.records.check(args.user, args.target, args.record)
        target = f"record {args.record} for company {args.target}"
    else:
        decision = service.check(args.user, args.target, args.action, target_user_id=args.member)
        target = f"company {args.target}" + (f", member {args.member}" if args.member else "")
    if args.json:
        print(json.dumps(_as_dict(decision, args.user, args.action, target)), file=context.out)
    else:
        _print_decision(context, decision, target)
    return OK if decision.allowed else DENIED


def _as_dict(decision: Decision, user: str, action: str, target: str) -> dict[str, object]:
    return {
        "allowed": decision.allowed,
        "reason": str(decision.reason),
        "rule": decision.rule,
        "detail": decision.detail,
        "user": user,
        "action": action,
        "target": target,
    }


def _print_decision(context: Context, decision: Decision, target: str) -> None:
    out = context.out
    print(decision, file=out)
    print(f"  user    {context.args.user}", file=out)
    print(f"  action  {context.args.action}", file=out)
    print(f"  target  {target}", file=out)
    print(f"  reason  {decision.reason}", file=out)
    print(f"  rule    {decision.rule}", file=out)
    if decision.detail:
        print(f"  detail  {decision.detail}", file=out)


def outbox(context: Context) -> int:
    """Print pending events; with ``--drain``, mark them delivered batch by batch."""
    service = context.service()
    limit = context.args.limit
    while True:
        messages = service.outbox.pending(limit=limit)
        for message in messages:
            line = {"position": message.position, **event_to_dict(message.event)}
            print(json.dumps(line, default=str, sort_keys=True), file=context.out)
        if not context.args.drain or not messages:
            return OK
        service.outbox.mark_delivered([message.position for message in messages])
