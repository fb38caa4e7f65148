"""``explain``, ``actions``, ``outbox`` and ``completion``: decisions, events, the shell."""

from __future__ import annotations

import argparse
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
    "open_content": ("R-TAG-4", "with --tag: open content the tag protects; its holders"),
    "manage_group": ("R-SEAT-4", "with --group: manage a group; its leader, platform admins"),
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
    explain_command.add_argument(
        "target",
        nargs="?",
        help="the company the user acts in (id or name); with --group, the company whose "
        "group has that title; none with --tag",
    )
    on = explain_command.add_mutually_exclusive_group()
    on.add_argument("--member", metavar="USER", help="the colleague the action is aimed at")
    on.add_argument("--lead", metavar="ID", help="decide a lead action on this lead")
    on.add_argument("--record", metavar="ID", help="decide whether the record may be seen")
    on.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="open_content: may the user open content this tag protects (repeatable: any)",
    )
    on.add_argument(
        "--group", metavar="GROUP", help="manage_group: may the user manage it (title or id)"
    )

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


_OWN_KINDS = {"view": "record", "open_content": "tag", "manage_group": "group"}
"""The actions that only one kind of target has, with the option that names it."""


def _known(kind: str) -> list[str]:
    if kind == "lead":
        return [a.value for a in LeadAction]
    if kind in ("record", "tag", "group"):
        return [action for action, own in _OWN_KINDS.items() if own == kind]
    others = set(LeadAction) | set(_OWN_KINDS)
    return [str(getattr(a, "value", a)) for a in ACTIONS if a not in others]


def _kind(args: argparse.Namespace) -> str:
    for kind in ("lead", "record", "tag", "group"):
        if getattr(args, kind) is not None:
            return kind
    return "company"


def explain(context: Context) -> int:
    """Print the decision; exit 0 when allowed, 1 when denied; an unknown user is an error."""
    args = context.args
    kind = _kind(args)
    known = _known(kind)
    if args.action not in known:
        own = _OWN_KINDS.get(args.action)
        if own is not None and kind == "company":
            raise UsageError(f"{args.action} needs --{own} {own.upper()}")
        raise UsageError(f"unknown action {args.action!r} for a {kind}; known: {', '.join(known)}")
    service = context.service()
    user = context.known_user(args.user)
    if kind == "tag":
        if args.target is not None:
            raise UsageError(f"--tag decides content access, which no company changes: "
                             f"leave out {args.target!r}")  # fmt: skip
        decision = service.tags.can_access(user, args.tag)
        return _explained(context, decision, user, "content tagged " + " or ".join(args.tag))
    if kind == "group":
        group = context.pool_ref(args.group, args.target)
        pool = service.seats.get(group)
        decision = service.seats.check_group(user, group)
        return _explained(context, decision, user, f"group {group} ({pool.title})")
    if args.target is None:
        raise UsageError(f"{args.action} is decided in a company: name it after the action")
    company = context.company_ref(args.target)
    if args.lead is not None:
        decision = service.leads.check(user, company, args.lead, args.action)
        target = f"lead {args.lead} for company {company}"
    elif args.record is not None:
        decision = service.records.check(user, company, args.record)
        target = f"record {args.record} for company {company}"
    else:
        member = None if args.member is None else context.known_user(args.member)
        decision = service.check(user, company, args.action, target_user_id=member)
        target = f"company {company}" + (f", member {member}" if member else "")
    return _explained(context, decision, user, target)


def _explained(context: Context, decision: Decision, user: str, target: str) -> int:
    """Print ``decision`` for people or as JSON; the exit code says allowed or denied."""
    args = context.args
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
            'shell completion needs argcomplete: pip install "teamaccess[cli]"'
        ) from error
    print(shellcode(["teamaccess"], shell=context.args.shell), file=context.out)
    return OK
