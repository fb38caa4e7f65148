"""The options every command takes, and the helper that adds commands to the tree."""

from __future__ import annotations

import argparse

from teamaccess.cli._context import (
    ACTOR_VARIABLE,
    ADMINS_VARIABLE,
    DB_VARIABLE,
    DEFAULT_DB,
    Handler,
)


def common_options(parser: argparse.ArgumentParser, *, top: bool) -> argparse.ArgumentParser:
    """Add the options every command takes, before or after its name.

    The top-level parser holds the defaults; a command's copies default to "not given",
    so that ``teamaccess --db URL company list`` and ``teamaccess company list --db URL``
    mean the same.
    """

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("database and identity")
    group.add_argument(
        "--db",
        metavar="URL",
        default=default(None),
        help=f"SQLAlchemy URL (default ${DB_VARIABLE}, else {DEFAULT_DB})",
    )
    group.add_argument(
        "--prefix", default=default("teamaccess_"), help="table name prefix (default teamaccess_)"
    )
    group.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        default=default(None),
        help=f"the acting user of commands that change things (default ${ACTOR_VARIABLE})",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print data as JSON (lists as JSON lines)",
    )
    group.add_argument(
        "--platform-admin",
        action="append",
        metavar="USER",
        default=default([]),
        help=f"a platform admin; repeatable (also ${ADMINS_VARIABLE}, comma-separated)",
    )
    return parser


class Commands:
    """Adds commands to a subparser action, each with the common options and a handler."""

    def __init__(self, parser: argparse.ArgumentParser, title: str) -> None:
        self.actions = parser.add_subparsers(title=title, metavar="COMMAND", required=True)

    def add(self, name: str, handler: Handler | None, summary: str) -> argparse.ArgumentParser:
        command = self.actions.add_parser(name, help=summary, description=summary)
        if handler is not None:
            common_options(command, top=False)
            command.set_defaults(handler=handler)
        return command
