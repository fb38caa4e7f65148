"""The parser of the whole command tree, and ``main``: one line per error, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO, cast

from teamaccess import __version__
from teamaccess.cli._commands import Commands, common_options
from teamaccess.cli._context import (
    ADMINS_VARIABLE,
    DENIED,
    ERROR,
    OK,
    Context,
    Handler,
    UsageError,
)
from teamaccess.cli._safe import EscapingWriter, escape
from teamaccess.errors import AccessDenied, TeamAccessError

__all__ = ["DENIED", "ERROR", "OK", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    from teamaccess.cli import _accounts, _admin, _audit, _domains, _grants, _inspect, _seats

    parser = argparse.ArgumentParser(
        prog="teamaccess",
        description="Operate a teamaccess database: schema, companies, members, seats, "
        "decisions and the outbox.",
        epilog="Exit codes: 0 done (explain: allowed), 1 denied (explain), 2 error.",
    )
    parser.add_argument("--version", action="version", version=f"teamaccess {__version__}")
    common_options(parser, top=True)
    top = Commands(parser, "commands")
    _admin.register(top)
    _seats.register(top)
    _accounts.register(top)
    _domains.register(top)
    _inspect.register(top)
    _grants.register(top)
    _audit.register(top)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the ``teamaccess`` command line; returns the exit code."""
    safe_out = EscapingWriter(out or sys.stdout)
    parser = build_parser()
    _complete(parser)
    args = _parse(parser, argv)
    context = Context(args, cast("TextIO", safe_out), sys.stderr)
    try:
        handler: Handler = args.handler
        return handler(context)
    except BrokenPipeError:  # `teamaccess ... | head`: the reader has gone; so do we
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return OK
    except (UsageError, TeamAccessError) as error:
        kind = "" if isinstance(error, UsageError) else f"{type(error).__name__}: "
        print(f"teamaccess: {kind}{escape(str(error))}{_hint(error)}", file=sys.stderr)
    except Exception as error:  # a driver or connection error: one line, not a traceback
        if not _is_database_error(error):
            raise
        first = (str(error).strip().splitlines() or [""])[0]
        print(f"teamaccess: cannot use {context.db_name()}: {escape(first)}", file=sys.stderr)
    finally:
        context.close()
    return ERROR


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an optional positional may also follow the options.

    argparse gives an optional positional (``explain``'s COMPANY) nothing once options
    come between it and the positionals before it, so ``explain ben manage_group
    --group "ACME staff" acme`` would refuse ``acme``: it is taken as that positional.
    """
    args, extras = parser.parse_known_args(argv)
    if len(extras) == 1 and not extras[0].startswith("-") and getattr(args, "target", 0) is None:
        args.target = extras[0]
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _hint(error: Exception) -> str:
    """What the operator can do about ``error`` on the command line, if there is a way."""
    if isinstance(error, AccessDenied) and error.decision.reason == "not_platform_admin":
        return f" (name them with --platform-admin USER or ${ADMINS_VARIABLE})"
    return ""


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request, if this run is one (argcomplete)."""
    try:
        import argcomplete
    except ImportError:  # pragma: no cover - the cli extra installs it
        return
    argcomplete.autocomplete(parser)


def _is_database_error(error: Exception) -> bool:
    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - no SQL extra, no database errors
        return False
    return isinstance(error, SQLAlchemyError)
