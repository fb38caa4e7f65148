"""``product`` and ``seats``: products, seat pools (groups) and the all-or-nothing CSV import."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from teamaccess.cli._commands import Commands
from teamaccess.cli._context import ADMINS_VARIABLE, ERROR, OK, Context, UsageError
from teamaccess.cli._output import emit, emit_one
from teamaccess.cli._progress import ProgressBar
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.seats import PoolId, SeatPool
from teamaccess.errors import CsvImportError
from teamaccess.service.defaults import random_ids

_GROUP = "the group (seat pool): its title, or its id"
_IN = "with a title: the company whose group it is (a title may repeat across companies)"


def register(top: Commands) -> None:
    """Add this module's commands to the tree."""
    products = Commands(top.add("product", None, "list or create products"), "product commands")
    products.add("list", list_products, "list the products with their access tags")
    create = products.add(
        "create",
        create_product,
        "define a product with its one access tag (R-TAG-1); platform admins only, named with "
        f"--platform-admin USER or ${ADMINS_VARIABLE} (R-SEAT-4)",
    )
    create.add_argument("product", help="the product's id")
    create.add_argument("name")
    create.add_argument("--tag", required=True, help="its one group-access tag")
    create.add_argument(
        "--replacement", choices=["refill", "consume"], default="refill",
        help="what a removed participant's seat becomes (R-SEAT-10; default refill)",
    )  # fmt: skip
    create.add_argument(
        "--no-notify", action="store_true", help="enrollments emit no notification (R-SEAT-8)"
    )

    seats = Commands(top.add("seats", None, "seat pools and enrollment"), "seats commands")
    seats.add("list", list_pools, "list the seat pools with their usage")
    show = seats.add("show", show_pool, "one pool and its participants")
    show.add_argument("group", help=_GROUP)
    show.add_argument("--company", help=_IN)
    buy_ = seats.add("buy", buy, "buy a pool of seats; --as leads it (R-SEAT-1)")
    buy_.add_argument("product")
    buy_.add_argument("seats", type=int)
    buy_.add_argument("title", help="the group's title")
    buy_.add_argument("--company", help="the company it is bought for (--as must be a member)")
    buy_.add_argument("--occupy", action="store_true", help="the buyer takes a seat (R-SEAT-2)")
    buy_.add_argument("--id", dest="pool_id", help="the group's id (default: pool_ and 32 hex)")
    resize_ = seats.add("resize", resize, "grow a pool, or shrink it to its seats in use")
    resize_.add_argument("group", help=_GROUP)
    resize_.add_argument("--company", help=_IN)
    resize_.add_argument("seats", type=int)
    enroll_ = seats.add("enroll", enroll, "enroll a person by e-mail (R-SEAT-5)")
    enroll_.add_argument("group", help=_GROUP)
    enroll_.add_argument("--company", help=_IN)
    enroll_.add_argument("email")
    remove_ = seats.add("remove", remove, "take a participant's seat (R-SEAT-9, R-SEAT-10)")
    remove_.add_argument("group", help=_GROUP)
    remove_.add_argument("--company", help=_IN)
    remove_.add_argument("user", help="a user id or e-mail address")
    imported = seats.add(
        "import",
        import_csv,
        "enroll everyone in a CSV file (column 'email'), or nobody (R-SEAT-7)",
    )
    imported.add_argument("file", help="the CSV file, or '-' for standard input")
    imported.add_argument("--group", required=True, help=_GROUP)
    imported.add_argument("--company", help=_IN)
    imported.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    imported.add_argument(
        "--encoding", help="the file's encoding if it is not UTF-8 (e.g. cp1252, utf-16)"
    )


def list_products(context: Context) -> int:
    """Print every product."""
    with context.store().reader() as tx:
        products = tx.products.all()
    rows = [
        {"product": p.id, "name": p.name, "tag": p.tag, "replacement": p.replacement.value,
         "notify": p.notify_on_enroll}
        for p in products
    ]  # fmt: skip
    columns = {"product": "product", "name": "name", "tag": "tag",
               "replacement": "replacement", "notify": "notify"}  # fmt: skip
    emit(context, columns, rows)
    return OK


def create_product(context: Context) -> int:
    """Define a product."""
    args = context.args
    product = context.service().seats.create_product(
        context.user_ref(context.actor()), args.product, args.name, tag=args.tag,
        replacement=args.replacement, notify_on_enroll=not args.no_notify,
    )  # fmt: skip
    emit_one(context, f"created product {product.id}: {product.name} (tag {product.tag})",
             {"product": product.id, "name": product.name, "tag": product.tag})  # fmt: skip
    return OK


def _pool_row(pool: SeatPool, emails: Mapping[UserId, str]) -> dict[str, object]:
    return {"group": pool.id, "title": pool.title, "product": pool.product_id,
            "company": pool.company_id, "leader": pool.leader_id,
            "leader_email": emails.get(pool.leader_id), "seats": pool.seats, "used": pool.used,
            "usage": pool.usage}  # fmt: skip


def list_pools(context: Context) -> int:
    """Print every pool."""
    with context.store().reader() as tx:
        pools = sorted(tx.pools.all(), key=lambda pool: pool.id)
        emails = {u.id: u.email for u in tx.users.all()}
    columns = {"group": "group", "title": "title", "product": "product", "company": "company",
               "leader": "leader", "leader_email": "e-mail", "usage": "seats"}  # fmt: skip
    emit(context, columns, [_pool_row(pool, emails) for pool in pools])
    return OK


def show_pool(context: Context) -> int:
    """Print a pool's usage and participants, with their e-mail addresses."""
    pool = context.service().seats.get(_group(context))
    with context.store().reader() as tx:
        enrolled = tx.enrollments.of_pool(pool.id)
        emails = {u.id: u.email for u in tx.users.all()}
    if not context.json():
        print(f"{pool.id}: {pool.title} ({pool.usage})", file=context.out)
    rows = [
        {"group": pool.id, "user": e.user_id, "email": emails.get(e.user_id),
         "enrolled": f"{e.enrolled_at:%Y-%m-%d %H:%M}"}
        for e in enrolled
    ]  # fmt: skip
    emit(context, {"user": "participant", "email": "email", "enrolled": "enrolled"}, rows)
    return OK


def buy(context: Context) -> int:
    """Buy a pool of seats."""
    args = context.args
    company = None if args.company is None else context.company_ref(args.company)
    ids = None
    if args.pool_id is not None:
        chosen = check_id(args.pool_id, "group")
        with context.store().reader() as tx:
            if tx.pools.get(PoolId(chosen)) is not None:
                raise UsageError(f"a group with id {chosen!r} exists already")

        def ids(kind: str) -> str:  # the purchase makes one id: the pool's
            return chosen if kind == "pool" else random_ids(kind)

    pool = context.service(ids=ids).seats.purchase(
        context.user_ref(context.actor()), args.product, args.seats, args.title,
        occupy_seat=args.occupy, company_id=company,
    )  # fmt: skip
    emit_one(context, f"bought {pool.id}: {pool.title} ({pool.usage})", _pool_row(pool, {}))
    return OK


def resize(context: Context) -> int:
    """Grow or shrink a pool."""
    service = context.service()
    pool = service.seats.resize(context.user_ref(context.actor()), _group(context),
                                context.args.seats)  # fmt: skip
    emit_one(context, f"resized {pool.id}: {pool.usage}", _pool_row(pool, {}))
    return OK


def enroll(context: Context) -> int:
    """Enroll one person."""
    service = context.service()
    enrolled = service.seats.enroll(
        context.user_ref(context.actor()), _group(context), context.args.email
    )
    pool = service.seats.get(enrolled.pool_id)
    emit_one(context, f"enrolled {enrolled.user_id} into {pool.id}: {pool.usage}",
             {"group": pool.id, "user": enrolled.user_id, "usage": pool.usage})  # fmt: skip
    return OK


def remove(context: Context) -> int:
    """Take a participant's seat."""
    user = context.user_ref(context.args.user)
    pool = context.service().seats.remove(context.user_ref(context.actor()), _group(context), user)
    emit_one(context, f"removed {user} from {pool.id}: {pool.usage}",
             {"group": pool.id, "user": user, "usage": pool.usage})  # fmt: skip
    return OK


def import_csv(context: Context) -> int:
    """Enroll a CSV file's rows; on any bad row, list them all and enroll nobody."""
    args = context.args
    name = "standard input" if args.file == "-" else args.file
    data = _read(args.file, args.encoding)
    service = context.service()
    actor = context.user_ref(context.actor())
    group = _group(context)
    progress = ProgressBar(f"importing {Path(name).name}:", context.err)
    try:
        if args.dry_run:
            count = service.seats.validate_csv(actor, group, data, progress=progress)
        else:
            count = len(service.seats.enroll_csv(actor, group, data, progress=progress))
    except CsvImportError as error:
        progress.end(complete=True)  # every row was checked: that is how they were found
        print(f"teamaccess: {len(error.errors)} bad row(s) in {name}; nothing enrolled",
              file=context.err)  # fmt: skip
        for row_error in error.errors:
            print(f"  {name}:{row_error}", file=context.err)
        return ERROR
    finally:
        progress.end(complete=False)  # a line the bar left open ends before what follows
    pool = service.seats.get(group)
    if args.dry_run:
        text = f"dry run: {count} participant(s) would be enrolled into {pool.id}; nothing written"
    else:
        text = f"enrolled {count} participant(s) into {pool.id}: {pool.usage}"
    emit_one(context, text, {"group": pool.id, "enrolled": 0 if args.dry_run else count,
                             "valid_rows": count, "dry_run": args.dry_run,
                             "usage": pool.usage})  # fmt: skip
    return OK


def _group(context: Context) -> str:
    """The pool id of the command's group, named by id or by title (``--company``)."""
    return context.pool_ref(context.args.group, context.args.company)


def _read(file: str, encoding: str | None) -> bytes | str:
    """The file's bytes, or its text when an encoding is named; '-' reads standard input."""
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {file}: {error.strerror or error}") from error
    if encoding is None:
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            likely = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "cp1252"
            raise UsageError(
                f"{file} is not UTF-8 text: save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8), "
                f"or name its encoding, e.g. --encoding {likely}"
            ) from None
        return raw
    try:
        return raw.decode(encoding)
    except LookupError as error:
        raise UsageError(f"unknown encoding {encoding!r}") from error
    except UnicodeDecodeError as error:
        raise UsageError(f"{file} is not {encoding} text: {error.reason}") from error
