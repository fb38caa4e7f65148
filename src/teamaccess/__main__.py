"""Command line: ``python -m teamaccess demo [--db URL]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]

DEFAULT_DB = "sqlite:///teamaccess-demo.sqlite"
DEMO_PREFIX = "teamaccess_demo_"


def _demo(args: argparse.Namespace) -> int:
    try:
        from teamaccess.adapters.sql import SqlStore
    except ImportError:
        print("the demo needs the SQL extra: pip install 'teamaccess[sql]'", file=sys.stderr)
        return 2
    from teamaccess._demo import run_demo
    from teamaccess.errors import StorageError

    store = SqlStore.from_url(args.db, prefix=DEMO_PREFIX)
    try:
        store.drop_schema()
        store.create_schema()
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"cannot use database {args.db}: {type(error).__name__}: {reason}", file=sys.stderr)
        return 1
    print(f"teamaccess demo on {store.engine.url.render_as_string(hide_password=True)}")
    try:
        run_demo(store, sys.stdout)
    except StorageError as error:
        print(f"storage failed: {error}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the teamaccess command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="teamaccess", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="play the trade-fair team story (seed 000) and explain each decision"
    )
    demo.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"SQLAlchemy URL (default {DEFAULT_DB}); its {DEMO_PREFIX}* tables are recreated",
    )
    args = parser.parse_args(argv)
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
