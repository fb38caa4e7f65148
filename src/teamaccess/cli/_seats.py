"""``seats``: the seat pools (groups) and the all-or-nothing CSV import."""

from __future__ import annotations

from pathlib import Path

from teamaccess.cli._admin import _table
from teamaccess.cli._app import ERROR, OK, Context, UsageError, _Commands
from teamaccess.cli._progress import ProgressBar
from teamaccess.errors import CsvImportError


def register(top: _Commands) -> None:
    """Add this module's commands to the tree."""
    seats = _Commands(top.add("seats", None, "seat pools and CSV enrollment"), "seats commands")
    seats.add("list", list_pools, "list the seat pools with their usage")
    show = seats.add("show", show_pool, "one pool and its participants")
    show.add_argument("group", help="the pool's (group's) id")
    imported = seats.add(
        "import",
        import_csv,
        "enroll everyone in a CSV file (column 'email'), or nobody (R-SEAT-7)",
    )
    imported.add_argument("file", type=Path, help="the CSV file; '-' is not accepted")
    imported.add_argument("--group", required=True, help="the pool to enroll into")


def list_pools(context: Context) -> int:
    """Print every pool."""
    with context.store().reader() as tx:
        pools = sorted(tx.pools.all(), key=lambda pool: pool.id)
    rows = ((p.id, p.title, p.product_id, p.company_id or "-", p.leader_id, p.usage) for p in pools)
    _table(context.out, ("group", "title", "product", "company", "leader", "seats"), rows)
    return OK


def show_pool(context: Context) -> int:
    """Print a pool's usage and participants."""
    service = context.service()
    pool = service.seats.get(context.args.group)
    with context.store().reader() as tx:
        enrolled = tx.enrollments.of_pool(pool.id)
    print(f"{pool.id}: {pool.title} ({pool.usage})", file=context.out)
    rows = ((e.user_id, f"{e.enrolled_at:%Y-%m-%d %H:%M}") for e in enrolled)
    _table(context.out, ("participant", "enrolled"), rows)
    return OK


def import_csv(context: Context) -> int:
    """Enroll a CSV file's rows; on any bad row, list them all and enroll nobody."""
    path: Path = context.args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error
    service = context.service()
    progress = ProgressBar(f"importing {path.name}", context.err)
    try:
        enrolled = service.seats.enroll_csv(
            context.actor(), context.args.group, data, progress=progress
        )
    except CsvImportError as error:
        print(
            f"teamaccess: {len(error.errors)} bad row(s) in {path}; nothing enrolled",
            file=context.err,
        )
        for row_error in error.errors:
            print(f"  {path}:{row_error}", file=context.err)
        return ERROR
    pool = service.seats.get(context.args.group)
    print(f"enrolled {len(enrolled)} participant(s) into {pool.id}: {pool.usage}", file=context.out)
    return OK
