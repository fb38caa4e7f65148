"""``init``, ``demo``, ``user``, ``company`` and ``member``: the schema and the people."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from teamaccess.cli._app import OK, Context, UsageError, _Commands
from teamaccess.domain.ids import CompanyId
from teamaccess.domain.models import Company, Membership

DEMO_DB = "sqlite:///teamaccess-demo.sqlite"
DEMO_PREFIX = "teamaccess_demo_"


def register(top: _Commands) -> None:
    """Add this module's commands to the tree."""
    top.add("init", init, "create the tables, or upgrade them to this version's schema")
    top.add(
        "demo",
        demo,
        f"play the five seed stories on tables {DEMO_PREFIX}* (default --db {DEMO_DB})",
    )

    users = _Commands(top.add("user", None, "list or register users"), "user commands")
    users.add("list", list_users, "list the registered users")
    add_user = users.add("add", register_user, "register a user")
    add_user.add_argument("user", help="the new user's id")
    add_user.add_argument("email", help="their e-mail address")

    companies = _Commands(top.add("company", None, "list, show or edit companies"), "commands")
    companies.add("list", list_companies, "list the companies with their main contacts")
    show = companies.add("show", show_company, "one company and its members")
    show.add_argument("company")
    create = companies.add("create", create_company, "create a company; --as is its first member")
    create.add_argument("name")
    create.add_argument("--id", dest="company_id", help="its id (default: a new one)")
    rename = companies.add("rename", rename_company, "rename a company (main contact, R-MC-2)")
    rename.add_argument("company")
    rename.add_argument("name")

    members = _Commands(top.add("member", None, "list or edit a company's members"), "commands")
    members.add("list", list_members, "a company's members").add_argument("company")
    add = members.add("add", add_member, "add a registered user to a company")
    add.add_argument("company")
    add.add_argument("user")
    add.add_argument("--role", help="their role (default: the policy's member role)")
    remove = members.add("remove", remove_member, "remove a member")
    remove.add_argument("company")
    remove.add_argument("user")
    role = members.add("role", change_role, "change a member's role")
    role.add_argument("company")
    role.add_argument("user")
    role.add_argument("role")


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
    _table(context.out, ("user", "email"), ((u.id, u.email) for u in users))
    return OK


def register_user(context: Context) -> int:
    """Register a user."""
    user = context.service().users.register(context.args.user, context.args.email)
    print(f"registered {user.id} <{user.email}>", file=context.out)
    return OK


def list_companies(context: Context) -> int:
    """Print every company with its main contact and member count."""
    with context.store().reader() as tx:
        companies = sorted(tx.companies.all(), key=lambda company: company.id)
        members = tx.memberships.of_companies([company.id for company in companies])
    counts: dict[str, int] = {}
    mains: dict[str, str] = {}
    for membership in members:
        counts[membership.company_id] = counts.get(membership.company_id, 0) + 1
        if membership.is_main_contact:
            mains[membership.company_id] = membership.user_id
    rows = (
        (
            c.id,
            c.name,
            mains.get(c.id, "-"),
            str(counts.get(c.id, 0)),
            c.parent_id or "-",
            "closed" if c.is_closed else "open",
        )
        for c in companies
    )
    _table(context.out, ("company", "name", "main contact", "members", "parent", "state"), rows)
    return OK


def show_company(context: Context) -> int:
    """Print one company and its members."""
    company, members = _company_and_members(context)
    print(f"{company.id}: {company.name}", file=context.out)
    print(f"  created  {company.created_at:%Y-%m-%d %H:%M} UTC", file=context.out)
    print(f"  parent   {company.parent_id or '-'}", file=context.out)
    print(f"  state    {'closed' if company.is_closed else 'open'}", file=context.out)
    _print_members(context.out, members)
    return OK


def create_company(context: Context) -> int:
    """Create a company with the acting user as first member and main contact."""
    company = context.service().companies.create(
        context.actor(), context.args.name, company_id=context.args.company_id
    )
    print(
        f"created {company.id}: {company.name} (main contact {context.actor()})", file=context.out
    )
    return OK


def rename_company(context: Context) -> int:
    """Rename a company."""
    company = context.service().companies.update_profile(
        context.actor(), context.args.company, name=context.args.name
    )
    print(f"renamed {company.id}: {company.name}", file=context.out)
    return OK


def list_members(context: Context) -> int:
    """Print a company's members."""
    _print_members(context.out, _company_and_members(context)[1])
    return OK


def _company_and_members(context: Context) -> tuple[Company, Sequence[Membership]]:
    with context.store().reader() as tx:
        company = tx.companies.get(CompanyId(context.args.company))
        if company is None:
            raise UsageError(f"no company {context.args.company!r}")
        return company, tx.memberships.of_company(company.id)


def add_member(context: Context) -> int:
    """Add a member."""
    args = context.args
    member = context.service().members.add(context.actor(), args.company, args.user, role=args.role)
    print(f"added {member.user_id} to {member.company_id} as {member.role}", file=context.out)
    return OK


def remove_member(context: Context) -> int:
    """Remove a member."""
    args = context.args
    context.service().members.remove(context.actor(), args.company, args.user)
    print(f"removed {args.user} from {args.company}", file=context.out)
    return OK


def change_role(context: Context) -> int:
    """Change a member's role."""
    args = context.args
    member = context.service().members.change_role(
        context.actor(), args.company, args.user, args.role
    )
    print(f"{member.user_id} is now {member.role} in {member.company_id}", file=context.out)
    return OK


def _print_members(out: TextIO, members: Sequence[Membership]) -> None:
    rows = (
        (m.user_id, m.role, "yes" if m.is_main_contact else "", f"{m.joined_at:%Y-%m-%d}")
        for m in members
    )
    _table(out, ("user", "role", "main contact", "joined"), rows)


def _table(out: TextIO, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Print rows as left-aligned columns under a header."""
    lines = [tuple(headers), *(tuple(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip(),
            file=out,
        )
    if len(lines) == 1:
        print("(none)", file=out)
