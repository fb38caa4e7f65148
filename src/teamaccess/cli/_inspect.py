"""``explain``, ``actions``, ``outbox`` and ``completion``: decisions, events, the shell."""

from __future__ import annotations

import json
from pathlib import Path

from teamaccess.cli import _relay
from teamaccess.cli._commands import Commands
from teamaccess.cli._context import DENIED, OK, Context, UsageError
from teamaccess.cli._output import emit
from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.events import event_to_dict
from teamaccess.domain.leads import LeadAction
from teamaccess.domain.review import AccessReview

ACTIONS: dict[str, tuple[str, str]] = {
    Action.OPEN_BACKOFFICE: ("R-MEM-6", "open the company's back office: members"),
    Action.VIEW_MEMBERS: ("R-MEM-6", "see the member list with roles: members"),
    Action.EDIT_PROFILE: ("R-MC-2", "edit the company profile: the main contact"),
    Action.ADD_MEMBER: ("R-MEM-3", "add a colleague: any member, or team managers"),
    Action.REMOVE_MEMBER: ("R-MEM-7", "remove a member (--member): self, or team managers"),
    Action.MANAGE_TEAM: ("R-MEM-8", "change roles: roles with manage_team"),
    Action.INVITE: ("R-INV-1", "invite by e-mail: roles with manage_team"),
    Action.SET_SHOW_AS_CONTACT: ("R-MEM-5", "the contact flag (--member): self, or managers"),
    Action.TRANSFER_MAIN_CONTACT: ("R-MC-3", "hand on the main contact: it, or reassigners"),
    Action.SWITCH_INTO: ("R-PART-2", "switch into an account: its members"),
    Action.VIEW_OVERVIEW: ("R-PART-2", "an account's overview: members and ancestors' members"),
    Action.CREATE_CHILD_ACCOUNT: ("R-PART-1", "create a child account: team managers"),
    Action.EDIT_ACCOUNT: ("R-PART-4", "set custom property values: team managers"),
    "reassign_main_contact": ("R-MC-3", "a role permission: move the main contact"),
    LeadAction.VIEW: ("R-LEAD-2", "with --lead: see the lead"),
    LeadAction.PICK: ("R-LEAD-3", "with --lead: pick it for the company"),
    LeadAction.EDIT: ("R-LEAD-3", "with --lead: change it; the picking company"),
    LeadAction.ASSIGN: ("R-LEAD-5", "with --lead: assign it; responsible handlers"),
    "view": ("R-REC-1", "with --record: see the record"),
}
"""Every action ``explain`` knows: its rule and who may."""


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    explain_command = top.add(
        "explain",
        explain,
        "decide whether USER may do ACTION in company TARGET; print the reason and rule",
    )
    explain_command.add_argument("user", help="a user id or e-mail address")
    explain_command.add_argument("action", help="see 'teamaccess actions'")
    explain_command.add_argument("target", help="the company the user acts in (id or name)")
    on = explain_command.add_mutually_exclusive_group()
    on.add_argument("--member", metavar="USER", help="the colleague the action is aimed at")
    on.add_argument("--lead", metavar="ID", help="decide a lead action on this lead")
    on.add_argument("--record", metavar="ID", help="decide whether the record may be seen")

    top.add("actions", actions, "list the actions 'explain' knows, with the rule behind each")

    review = top.add(
        "access-review",
        access_review,
        "who holds what in COMPANY, through which grant; --since FILE: what changed (R-CO-6)",
    )
    review.add_argument("company", help="the company (id or name)")
    review.add_argument("--format", choices=["json", "csv"], default="json", dest="review_format")
    review.add_argument("--subtree", action="store_true", help="include every account below it")
    review.add_argument(
        "--since", metavar="FILE", help="an earlier JSON review: print gained and lost grants"
    )

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
    _relay.register_outbox(outbox_command)
    _relay.register(top)
    completion_command = top.add(
        "completion", completion, "print the shell completion script (bash, zsh or fish)"
    )
    completion_command.add_argument("shell", choices=["bash", "zsh", "fish"])


def _known(kind: str) -> list[str]:
    if kind == "lead":
        return [a.value for a in LeadAction]
    if kind == "record":
        return ["view"]
    return [str(getattr(a, "value", a)) for a in ACTIONS if a not in set(LeadAction) | {"view"}]


def explain(context: Context) -> int:
    """Print the decision; exit 0 when allowed, 1 when denied."""
    args = context.args
    kind = "lead" if args.lead is not None else "record" if args.record is not None else "company"
    known = _known(kind)
    if args.action not in known:
        raise UsageError(f"unknown action {args.action!r} for a {kind}; known: {', '.join(known)}")
    service = context.service()
    user = context.user_ref(args.user)
    company = context.company_ref(args.target)
    if args.lead is not None:
        decision = service.leads.check(user, company, args.lead, args.action)
        target = f"lead {args.lead} for company {company}"
    elif args.record is not None:
        decision = service.records.check(user, company, args.record)
        target = f"record {args.record} for company {company}"
    else:
        member = None if args.member is None else context.user_ref(args.member)
        decision = service.check(user, company, args.action, target_user_id=member)
        target = f"company {company}" + (f", member {member}" if member else "")
    if context.json():
        print(json.dumps(_as_dict(decision, user, args.action, target)), file=context.out)
    else:
        _print_decision(context, decision, user, target)
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


def _print_decision(context: Context, decision: Decision, user: str, target: str) -> None:
    out = context.out
    print(decision, file=out)
    print(f"  user    {user}", file=out)
    print(f"  action  {context.args.action}", file=out)
    print(f"  target  {target}", file=out)
    print(f"  reason  {decision.reason}", file=out)
    print(f"  rule    {decision.rule}", file=out)
    if decision.detail:
        print(f"  detail  {decision.detail}", file=out)


def access_review(context: Context) -> int:
    """Print the review (JSON or CSV), or with ``--since`` its diff to an earlier one."""
    args = context.args
    earlier = None
    if args.since is not None:
        try:
            text = Path(args.since).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot read {args.since}: {error.strerror}") from error
        earlier = AccessReview.from_json(text)
    review = context.service().access.review(
        context.user_ref(context.actor()), context.company_ref(args.company), subtree=args.subtree
    )
    if earlier is None:
        out = review.to_csv() if args.review_format == "csv" else review.to_json() + "\n"
    else:
        diff = review.diff(earlier)
        out = diff.to_csv() if args.review_format == "csv" else diff.to_json() + "\n"
    context.out.write(out)
    return OK


def actions(context: Context) -> int:
    """Print every action with its rule."""
    rows = [
        {"action": str(getattr(a, "value", a)), "rule": rule, "who": who}
        for a, (rule, who) in ACTIONS.items()
    ]
    emit(context, {"action": "action", "rule": "rule", "who": "who may"}, rows)
    return OK


def outbox(context: Context) -> int:
    """Print pending events; with ``--drain``, mark them delivered batch by batch."""
    service = context.service()
    limit = context.args.limit
    while True:
        messages = service.outbox.pending(limit=limit)
        for message in messages:
            line = {"position": message.position, **event_to_dict(message.event)}
            print(json.dumps(line, default=str, sort_keys=True), file=context.out)
        if not context.args.drain:
            more = service.outbox.count_pending() - len(messages)
            if more > 0:
                print(f"teamaccess: {more} more event(s) pending beyond these {len(messages)}; "
                      "raise --limit or use --drain", file=context.err)  # fmt: skip
            return OK
        if not messages:
            return OK
        service.outbox.mark_delivered([message.position for message in messages])


def completion(context: Context) -> int:
    """Print the completion script of a shell (needs ``argcomplete``, in the ``cli`` extra)."""
    try:
        from argcomplete.shell_integration import shellcode
    except ImportError as error:
        raise UsageError(
            "shell completion needs argcomplete: pip install 'teamaccess[cli]'"
        ) from error
    print(shellcode(["teamaccess"], shell=context.args.shell), file=context.out)
    return OK
