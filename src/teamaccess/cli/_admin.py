"""``init``, ``demo``, ``user``, ``company`` and ``member``: the schema and the people.

Wherever a command takes a user, an e-mail address works too; wherever it takes a
company, so does its name when no other company has it.
"""

from __future__ import annotations

from collections.abc import Sequence

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import OK, Context, UsageError
from teamaccess.cli._output import emit, emit_one
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company, Membership

DEMO_DB = "sqlite:///teamaccess-demo.sqlite"
DEMO_PREFIX = "teamaccess_demo_"
_USER = "a user id or e-mail address"
_COMPANY = "a company id, or its name if no other company has it"


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    top.add("init", init, "create the tables, or upgrade them to this version's schema")
    top.add(
        "demo",
        demo,
        f"play the five seed stories on tables {DEMO_PREFIX}* (default --db {DEMO_DB})",
    )

    users = Commands(top.add("user", None, "list, show or register users"), "user commands")
    users.add("list", list_users, "list the registered users")
    users.add("show", show_user, "one user, their companies and their seats").add_argument(
        "user", help=_USER
    )
    add_user = users.add("add", register_user, "register a user")
    add_user.add_argument("user", help="the new user's id")
    add_user.add_argument("email", help="their e-mail address")
    add_user.add_argument(
        "--exist-ok", action="store_true", help="succeed if the same id and e-mail exist already"
    )

    companies = Commands(top.add("company", None, "list, show or edit companies"), "commands")
    companies.add("list", list_companies, "list the companies with their main contacts")
    companies.add("show", show_company, "one company and its members").add_argument(
        "company", help=_COMPANY
    )
    create = companies.add("create", create_company, "create a company; --as is its first member")
    create.add_argument("name")
    create.add_argument("--id", dest="company_id", help="its id (default: a new one)")
    rename = companies.add("rename", rename_company, "rename a company (main contact, R-MC-2)")
    rename.add_argument("company", help=_COMPANY)
    rename.add_argument("name")
    suspend = companies.add(
        "suspend", suspend_company, "suspend a company (platform admin, R-CO-5)"
    )
    suspend.add_argument("company", help=_COMPANY)
    suspend.add_argument("--reason", required=True, help="why (shown in every denial)")
    resume = companies.add("resume", resume_company, "resume a suspended company (R-CO-5)")
    resume.add_argument("company", help=_COMPANY)

    members = Commands(top.add("member", None, "list or edit a company's members"), "commands")
    members.add("list", list_members, "a company's members").add_argument("company", help=_COMPANY)
    for name, handler, summary in [
        ("add", add_member, "add a registered user to a company (R-MEM-3, R-MEM-9)"),
        ("remove", remove_member, "remove a member (R-MEM-7, R-MC-4)"),
        ("role", change_role, "change a member's role (R-MEM-8, R-MEM-9)"),
        ("transfer", transfer, "hand the main-contact role to a member (R-MC-3)"),
    ]:
        command = members.add(name, handler, summary)
        command.add_argument("company", help=_COMPANY)
        command.add_argument("user", help=_USER)
        if name == "add":
            command.add_argument("--role", help="their role (default: the policy's member role)")
        if name == "role":
            command.add_argument("role")


def init(context: Context) -> int:
    """Create or upgrade the schema with the shipped migrations."""
    from teamaccess.adapters.sql import SCHEMA_VERSION, upgrade_schema

    store = context.store(initialized=False)
    upgrade_schema(store.engine, prefix=context.args.prefix)
    print(f"{context.db_name()}: schema at version {SCHEMA_VERSION}", file=context.out)
    return OK


def demo(context: Context) -> int:
    """Recreate the demo tables (prefix ``teamaccess_demo_``) and play the stories."""
    from teamaccess._demo import run_demo

    context.args.db = context.args.db or DEMO_DB  # never the operator's database by accident
    context.args.prefix = DEMO_PREFIX
    store = context.store(initialized=False)
    store.drop_schema()
    store.create_schema()
    print(f"teamaccess demo on {context.db_name()}", file=context.out)
    run_demo(store, context.out)
    print(
        f"\nlook around: teamaccess company list --db {context.args.db} --prefix {DEMO_PREFIX}",
        file=context.out,
    )
    return OK


def list_users(context: Context) -> int:
    """Print every user."""
    with context.store().reader() as tx:
        users = sorted(tx.users.all(), key=lambda user: user.id)
    emit(
        context,
        {"user": "user", "email": "email"},
        [{"user": u.id, "email": u.email} for u in users],
    )
    return OK


def show_user(context: Context) -> int:
    """Print a user, the companies they belong to, and the seats they hold."""
    service = context.service()
    user = service.users.get(context.user_ref(context.args.user))
    memberships = service.members.of_user(user.id)
    with context.store().reader() as tx:
        held = [(e, tx.pools.get(e.pool_id)) for e in tx.enrollments.of_user(user.id)]
    seats = [
        {"group": e.pool_id, "title": p.title if p else None,
         "company": p.company_id if p else None, "product": p.product_id if p else None,
         "leader": p.leader_id if p else None, "enrolled": f"{e.enrolled_at:%Y-%m-%d}"}
        for e, p in held
    ]  # fmt: skip
    if context.json():
        emit_one(context, "", {"user": user.id, "email": user.email, "companies": [
            {"company": m.company_id, "role": m.role, "main_contact": m.is_main_contact}
            for m in memberships
        ], "seats": seats})  # fmt: skip
        return OK
    print(f"{user.id} <{user.email}>", file=context.out)
    rows = [
        {"company": m.company_id, "role": m.role, "main": m.is_main_contact} for m in memberships
    ]
    emit(context, {"company": "company", "role": "role", "main": "main contact"}, rows)
    print(file=context.out)
    columns = {"group": "seat in group", "title": "title", "company": "company",
               "product": "product", "enrolled": "enrolled"}  # fmt: skip
    emit(context, columns, seats)
    return OK


def register_user(context: Context) -> int:
    """Register a user."""
    args = context.args
    user = context.service().users.register(args.user, args.email, exist_ok=args.exist_ok)
    emit_one(
        context, f"registered {user.id} <{user.email}>", {"user": user.id, "email": user.email}
    )
    return OK


def list_companies(context: Context) -> int:
    """Print every company with its main contact and member count."""
    with context.store().reader() as tx:
        companies = sorted(tx.companies.all(), key=lambda company: company.id)
        members = tx.memberships.of_companies([company.id for company in companies])
        emails = {u.id: u.email for u in tx.users.all()}
    counts: dict[str, int] = {}
    mains: dict[str, str] = {}
    for membership in members:
        counts[membership.company_id] = counts.get(membership.company_id, 0) + 1
        if membership.is_main_contact:
            mains[membership.company_id] = membership.user_id
    rows = [
        {
            "company": c.id,
            "name": c.name,
            "main_contact": mains.get(c.id),
            "main_contact_email": emails.get(UserId(mains.get(c.id, ""))),
            "members": counts.get(c.id, 0),
            "parent": c.parent_id,
            "state": _state(c),
        }
        for c in companies
    ]
    columns = {"company": "company", "name": "name", "main_contact": "main contact",
               "main_contact_email": "e-mail", "members": "members", "parent": "parent",
               "state": "state"}  # fmt: skip
    emit(context, columns, rows)
    return OK


def show_company(context: Context) -> int:
    """Print one company and its members."""
    company, members = _company_and_members(context)
    if not context.json():
        print(f"{company.id}: {company.name}", file=context.out)
        print(f"  created  {company.created_at:%Y-%m-%d %H:%M} UTC", file=context.out)
        print(f"  parent   {company.parent_id or '-'}", file=context.out)
        print(f"  state    {_state(company)}", file=context.out)
    _emit_members(context, members)
    return OK


def create_company(context: Context) -> int:
    """Create a company with the acting user as first member and main contact."""
    actor = context.user_ref(context.actor())
    company = context.service().companies.create(
        actor, context.args.name, company_id=context.args.company_id
    )
    text = f"created {company.id}: {company.name} (main contact {actor})"
    emit_one(context, text, {"company": company.id, "name": company.name, "main_contact": actor})
    return OK


def rename_company(context: Context) -> int:
    """Rename a company."""
    company = context.service().companies.update_profile(
        context.user_ref(context.actor()),
        context.company_ref(context.args.company),
        name=context.args.name,
    )
    emit_one(context, f"renamed {company.id}: {company.name}", {"company": company.id,
                                                                "name": company.name})  # fmt: skip
    return OK


def suspend_company(context: Context) -> int:
    """Suspend a company."""
    company = context.service().companies.suspend(
        context.user_ref(context.actor()),
        context.company_ref(context.args.company),
        reason=context.args.reason,
    )
    emit_one(context, f"suspended {company.id}: {company.suspension_reason}",
             {"company": company.id, "suspended": True})  # fmt: skip
    return OK


def resume_company(context: Context) -> int:
    """Resume a suspended company."""
    company = context.service().companies.resume(
        context.user_ref(context.actor()), context.company_ref(context.args.company)
    )
    emit_one(context, f"resumed {company.id}", {"company": company.id, "suspended": False})
    return OK


def _state(company: Company) -> str:
    if company.is_closed:
        return "closed"
    return "suspended" if company.is_suspended else "open"


def list_members(context: Context) -> int:
    """Print a company's members."""
    _emit_members(context, _company_and_members(context)[1])
    return OK


def _company_and_members(context: Context) -> tuple[Company, Sequence[Membership]]:
    company_id = CompanyId(context.company_ref(context.args.company))
    with context.store().reader() as tx:
        company = tx.companies.get(company_id)
        if company is None:  # pragma: no cover - company_ref found it a moment ago
            raise UsageError(f"no company {context.args.company!r}")
        return company, tx.memberships.of_company(company.id)


def _emit_members(context: Context, members: Sequence[Membership]) -> None:
    with context.store().reader() as tx:
        emails = {u.id: u.email for u in tx.users.all()}
    rows = [
        {
            "user": m.user_id,
            "email": emails.get(m.user_id),
            "role": m.role,
            "main_contact": m.is_main_contact,
            "joined": f"{m.joined_at:%Y-%m-%d}",
        }
        for m in members
    ]
    columns = {"user": "user", "email": "email", "role": "role",
               "main_contact": "main contact", "joined": "joined"}  # fmt: skip
    emit(context, columns, rows)


def _member_args(context: Context) -> tuple[str, str, str]:
    """The acting user, the company and the member a member command names."""
    args = context.args
    return (
        context.user_ref(context.actor()),
        context.company_ref(args.company),
        context.user_ref(args.user),
    )


def _done(context: Context, text: str, member: Membership) -> int:
    data = {"company": member.company_id, "user": member.user_id, "role": member.role,
            "main_contact": member.is_main_contact}  # fmt: skip
    emit_one(context, text, data)
    return OK


def add_member(context: Context) -> int:
    """Add a member."""
    actor, company, user = _member_args(context)
    member = context.service().members.add(actor, company, user, role=context.args.role)
    return _done(context, f"added {member.user_id} to {member.company_id} as {member.role}", member)


def remove_member(context: Context) -> int:
    """Remove a member."""
    actor, company, user = _member_args(context)
    context.service().members.remove(actor, company, user)
    emit_one(context, f"removed {user} from {company}", {"company": company, "user": user})
    return OK


def change_role(context: Context) -> int:
    """Change a member's role."""
    actor, company, user = _member_args(context)
    member = context.service().members.change_role(actor, company, user, context.args.role)
    return _done(context, f"{member.user_id} is now {member.role} in {member.company_id}", member)


def transfer(context: Context) -> int:
    """Hand the main-contact role to another member."""
    actor, company, user = _member_args(context)
    member = context.service().members.transfer_main_contact(actor, company, user)
    return _done(context, f"{member.user_id} is now the main contact of {company}", member)
