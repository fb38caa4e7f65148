"""Products, seat pools and their groups: ``ta.seats`` (seed 002, R-SEAT-*).

Seat accounting never oversells: every command that changes a pool first locks its
row (``SELECT ... FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite; the lock of the
in-memory store), and the stores refuse ``used > seats`` as a CHECK constraint would.
Every tag a seat grants or ends is an outbox event in the same transaction (R-TAG-5).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.domain.csvimport import CsvLimits, check_limits
from teamaccess.domain.decisions import Action, Decision
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    EnrollmentNotificationRequested,
    ProductCreated,
    SeatPoolResized,
    SeatsPurchased,
    SingleAccessPurchased,
    stamp,
)
from teamaccess.domain.grant_events import SeatWindowChanged
from teamaccess.domain.ids import CompanyId, UserId, check_id, check_name
from teamaccess.domain.inputs import (
    check_bool,
    check_count,
    check_csv,
    check_optional_id,
    check_tag,
)
from teamaccess.domain.models import Company
from teamaccess.domain.seats import (
    Enrollment,
    GroupView,
    PoolId,
    Product,
    ProductId,
    ReplacementPolicy,
    SeatPool,
    TagGrant,
    decide_group,
    pool_source,
    purchase_source,
)
from teamaccess.domain.windows import check_window, decide_window_grant
from teamaccess.errors import (
    AlreadyEnrolled,
    NotEnrolled,
    SeatsExhausted,
    SeatsInUse,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore, parse_enum, raise_if_denied
from teamaccess.service._enrolment import (
    Progress,
    checked_rows,
    enroll_people,
    find_pool,
    find_product,
    lock_pool,
    pool_company,
)
from teamaccess.service._erasure import is_erased, live_user
from teamaccess.service._tagging import grant, take_seat

__all__ = ["MAX_SEATS", "WRITE_BATCH", "GroupView", "Progress", "Seats"]

MAX_SEATS = 1_000_000
"""The most seats one pool may have."""
WRITE_BATCH = 1000
"""How many people an import writes between two progress reports."""


class Seats:
    """Products, seat pools and their groups: ``ta.seats``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def create_product(
        self,
        actor_id: str,
        product_id: str,
        name: str,
        *,
        tag: str,
        replacement: ReplacementPolicy = ReplacementPolicy.REFILL,
        notify_on_enroll: bool = True,
    ) -> Product:
        """Define a product with its one group-access tag (R-TAG-1); platform admins only.

        Args:
            actor_id: A platform admin.
            product_id: The product's id.
            name: Its display name.
            tag: The access tag its buyers and participants receive.
            replacement: ``refill`` (default) or ``consume`` (R-SEAT-10).
            notify_on_enroll: Whether enrollments emit a notification event (R-SEAT-8).
        """
        check_id(actor_id, "user")
        product = Product(
            ProductId(check_id(product_id, "product")),
            check_name(name, "product name"),
            check_tag(tag),
            parse_enum(ReplacementPolicy, replacement, "replacement policy"),
            check_bool(notify_on_enroll, "notify_on_enroll"),
        )

        def work(tx: Transaction, now: datetime) -> Product:
            self._core.user(tx, actor_id)
            self._core.require_platform_admin(actor_id, "R-SEAT-4")
            tx.products.add(product)
            tx.outbox.append(
                ProductCreated(
                    **stamp(now, UserId(actor_id), None),
                    product_id=product.id,
                    name=product.name,
                    tag=product.tag,
                )
            )
            return product

        return self._core.command(work)

    def purchase(
        self,
        buyer_id: str,
        product_id: str,
        seats: int,
        title: str,
        *,
        occupy_seat: bool = False,
        company_id: str | None = None,
    ) -> SeatPool:
        """Buy a pool of ``seats`` seats with a group title; the buyer leads it (R-SEAT-1).

        With ``occupy_seat`` the buyer takes one of the seats and gets access
        (R-SEAT-2). With ``company_id`` the pool belongs to that company, of which the
        buyer must be a member (R-MEM-1).
        """
        check_id(buyer_id, "user")
        check_id(product_id, "product")
        check_optional_id(company_id, "company")
        count = check_count(seats, "seats", 1, MAX_SEATS)
        title = check_name(title, "group title")
        check_bool(occupy_seat, "occupy_seat")

        def work(tx: Transaction, now: datetime) -> SeatPool:
            buyer = live_user(tx, buyer_id)  # an erased person leads nothing (R-CO-9)
            product = find_product(tx, product_id)
            owner: CompanyId | None = None
            if company_id is not None:
                company = self._core.company(tx, company_id, lock=True)
                self._core.require(tx, Action.OPEN_BACKOFFICE, company, buyer.id)
                owner = company.id
            pool = SeatPool(
                id=PoolId(self._core.ids("pool")),
                product_id=product.id,
                title=title,
                leader_id=buyer.id,
                seats=count,
                used=0,
                consumed=0,
                created_at=now,
                company_id=owner,
            )
            tx.pools.add(pool)
            tx.outbox.append(
                SeatsPurchased(
                    **stamp(now, buyer.id, owner),
                    pool_id=pool.id,
                    product_id=product.id,
                    title=title,
                    seats=count,
                    leader_id=buyer.id,
                )
            )
            if occupy_seat:
                enroll_people(
                    tx, now, buyer.id, pool, product, [(buyer.email, buyer)], self._core.directory
                )
                pool = attrs.evolve(pool, used=1)
            return pool

        return self._core.command(work)

    def purchase_single_access(self, buyer_id: str, product_id: str) -> TagGrant:
        """A single-access purchase: no group; the buyer alone gets the tag (R-SEAT-3)."""
        check_id(buyer_id, "user")
        check_id(product_id, "product")

        def work(tx: Transaction, now: datetime) -> TagGrant:
            buyer = live_user(tx, buyer_id)  # an erased person holds nothing (R-CO-9)
            product = find_product(tx, product_id)
            purchase_id = self._core.ids("purchase")
            tx.outbox.append(
                SingleAccessPurchased(
                    **stamp(now, buyer.id, None),
                    purchase_id=purchase_id,
                    product_id=product.id,
                    user_id=buyer.id,
                )
            )
            return grant(
                tx, now, buyer.id, None, buyer.id, product.tag, purchase_source(purchase_id)
            )

        return self._core.command(work)

    def check_group(self, actor_id: str, pool_id: str) -> Decision:
        """May the actor manage this group? Leader or platform admin (R-SEAT-4)."""
        check_id(pool_id, "group")
        check_id(actor_id, "user")
        with self._core.store.reader() as tx:
            pool = tx.pools.get(PoolId(check_id(pool_id, "group")))
            company = None if pool is None else pool_company(tx, pool)
            return self._decide_group(tx, actor_id, pool, company)

    def group(self, actor_id: str, pool_id: str) -> GroupView:
        """The group management view: pool usage and participants (R-SEAT-4, R-SEAT-6).

        Refused while the pool's company is suspended or closed (R-CO-8), except to a
        platform admin, who may still read it.
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        with self._core.store.reader() as tx:
            pool = find_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, pool_company(tx, pool), reading=True)
            return GroupView(pool, tx.enrollments.of_pool(pool.id))

    def led_by(self, actor_id: str) -> Sequence[SeatPool]:
        """The groups the actor leads, ordered by id: the buyer's group page (R-SEAT-4).

        Each is one the actor may manage with `group`, `enroll` and `remove`: the pools
        of a suspended or closed company are left out while it lasts (R-CO-8), and an
        erased person leads none (R-CO-9).
        """
        check_id(actor_id, "user")
        with self._core.store.reader() as tx:
            led = tx.pools.of_leader(UserId(actor_id))
            if not led:
                return []
            owners = tx.pools.owners([pool.id for pool in led])
            member_of = {
                m.company_id
                for m in tx.memberships.of_user(UserId(actor_id))
                if self._core.counts(m)  # an expired membership leads nothing (R-TIME-1)
            }
            leader = tx.users.get(UserId(actor_id))
            admin = actor_id in self._core.platform_admins
            return [
                pool
                for pool in led
                if decide_group(
                    actor_id,
                    pool,
                    platform_admin=admin,
                    leader_is_member=pool.company_id is None or pool.company_id in member_of,
                    company=owners.get(pool.id),
                    insider=pool.company_id in member_of,
                    leader_erased=leader is None or is_erased(leader),
                ).allowed
            ]

    def get(self, pool_id: str) -> SeatPool:
        """Return the pool with its usage, or raise `UnknownGroup`."""
        check_id(pool_id, "group")
        with self._core.store.reader() as tx:
            return find_pool(tx, pool_id)

    def enroll(self, actor_id: str, pool_id: str, email: str) -> Enrollment:
        """Enroll a person by e-mail, registering them if needed (R-SEAT-5, R-SEAT-6).

        Raises:
            AccessDenied: The actor is neither leader nor platform admin (R-SEAT-4).
            AlreadyEnrolled: The person already holds a seat.
            SeatsExhausted: No seat is free.
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        address = normalize_email(email)

        def work(tx: Transaction, now: datetime) -> Enrollment:
            pool, company = lock_pool(tx, pool_id)
            user = tx.users.get_by_email(address)
            if user is not None:  # the company, its pool, then the person, as erasure (R-CO-9)
                user = live_user(tx, user.id)
            self._require_leader(tx, actor_id, pool, company)
            product = find_product(tx, pool.product_id)
            if user is not None and tx.enrollments.get(pool.id, user.id) is not None:
                raise AlreadyEnrolled(f"{address!r} is already enrolled in {pool.title!r}")
            if pool.free < 1:
                raise SeatsExhausted(f"group {pool.title!r} has {pool.usage}")
            people = [(address, user)]
            return enroll_people(
                tx, now, UserId(actor_id), pool, product, people, self._core.directory
            )[0]

        return self._core.command(work)

    def enroll_csv(
        self,
        actor_id: str,
        pool_id: str,
        data: bytes | str,
        *,
        limits: CsvLimits | None = None,
        progress: Progress | None = None,
    ) -> list[Enrollment]:
        """Enroll everyone in a CSV file, or nobody (R-SEAT-7).

        Every row is validated first; if any is bad (malformed or duplicate address,
        already enrolled, more rows than free seats),
        [CsvImportError][teamaccess.errors.CsvImportError]
        lists each bad row with its number, column and reason, and nothing changes.

        ``progress``, if given, is called as ``progress(done, total, phase)``: in the
        ``"checking"`` phase with the rows checked so far (about a hundred times), then
        in the ``"writing"`` phase after each batch of 1,000 people written, and once
        more with ``done == total`` when the seats are committed. A retried command
        reports from the start again.
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        check_csv(data)
        check_limits(limits)

        def work(tx: Transaction, now: datetime) -> list[Enrollment]:
            pool, company = lock_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, company)
            product = find_product(tx, pool.product_id)
            people = checked_rows(tx, pool, data, limits, progress)
            enrolled: list[Enrollment] = []
            for start in range(0, len(people), WRITE_BATCH):
                batch = people[start : start + WRITE_BATCH]
                enrolled += enroll_people(
                    tx, now, UserId(actor_id), pool, product, batch, self._core.directory
                )
                pool = attrs.evolve(pool, used=pool.used + len(batch))
                if progress is not None:
                    progress(len(enrolled), len(people), "writing")
            return enrolled

        enrolled = self._core.command(work)
        if progress is not None:
            progress(len(enrolled), len(enrolled), "writing")
        return enrolled

    def validate_csv(
        self,
        actor_id: str,
        pool_id: str,
        data: bytes | str,
        *,
        limits: CsvLimits | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Check a CSV file as `enroll_csv` would, and write nothing (a dry run).

        Returns:
            How many people the import would enroll.

        Raises:
            CsvImportError: The bad rows, exactly as the import would list them.
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        check_csv(data)
        check_limits(limits)
        with self._core.store.reader() as tx:
            pool = find_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, pool_company(tx, pool))
            return len(checked_rows(tx, pool, data, limits, progress))

    def remove(self, actor_id: str, pool_id: str, user_id: str) -> SeatPool:
        """Take a participant's seat; their access ends at once (R-SEAT-9, R-TAG-3).

        The product's replacement policy decides whether the seat is freed (R-SEAT-10).
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> SeatPool:
            pool, company = lock_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, company)
            product = find_product(tx, pool.product_id)
            user = UserId(check_id(user_id, "user"))
            if tx.enrollments.get(pool.id, user) is None:
                raise NotEnrolled(f"{user_id!r} holds no seat in {pool.title!r}")
            return take_seat(tx, now, UserId(actor_id), pool, product, user)

        return self._core.command(work)

    def set_window(
        self, actor_id: str, pool_id: str, user_id: str, *, expires_at: datetime | None = None
    ) -> TagGrant:
        """Give a participant's seat an end, move it, or clear it (``None``) (R-TIME-4).

        From ``expires_at`` on the seat's tag opens no content (R-TIME-1); the sweep,
        `ta.grants.expire_due`, then takes the seat as a removal does, by the product's
        replacement policy (R-SEAT-10), with `EnrollmentExpired` (R-TIME-2). Only the
        group's leader or a platform admin (R-SEAT-4), not beyond the leader's own
        membership of the pool's company (R-TIME-4); a suspended company refuses (R-CO-8).
        Emits `SeatWindowChanged`; the same end again emits nothing.

        Returns:
            The seat's tag grant, with its new end.

        Raises:
            NotEnrolled: The user holds no seat in the pool.
        """
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        check_id(user_id, "user")
        ends = check_window(None, expires_at).expires_at

        def work(tx: Transaction, now: datetime) -> TagGrant:
            pool, company = lock_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, company)
            user = UserId(check_id(user_id, "user"))
            if tx.enrollments.get(pool.id, user) is None:
                raise NotEnrolled(f"{user_id!r} holds no seat in {pool.title!r}")
            if pool.company_id is not None and actor_id not in self._core.platform_admins:
                leader = tx.memberships.get(pool.company_id, UserId(actor_id))
                if leader is not None:
                    raise_if_denied(decide_window_grant(leader, ends, by_role=False, now=now))
            tag, source = find_product(tx, pool.product_id).tag, pool_source(pool.id)
            tx.tags.lock_holders([user])
            held = next(g for g in tx.tags.of_users([user]) if (g.tag, g.source) == (tag, source))
            if held.expires_at == ends:
                return held
            tx.tags.set_expiry(user, tag, source, ends)
            tx.outbox.append(
                SeatWindowChanged(
                    **stamp(now, UserId(actor_id), pool.company_id), pool_id=pool.id,
                    user_id=user, expires_at=ends, old_expires_at=held.expires_at,
                )
            )  # fmt: skip
            return attrs.evolve(held, expires_at=ends)

        return self._core.command(work)

    def reinvite(self, actor_id: str, pool_id: str, user_id: str) -> None:
        """Ask the host to e-mail a participant again (R-SEAT-8)."""
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> None:
            pool, company = lock_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, company)
            user = self._core.user(tx, user_id)
            if tx.enrollments.get(pool.id, user.id) is None:
                raise NotEnrolled(f"{user_id!r} holds no seat in {pool.title!r}")
            tx.outbox.append(
                EnrollmentNotificationRequested(
                    **stamp(now, UserId(actor_id), pool.company_id),
                    pool_id=pool.id,
                    user_id=user.id,
                    email=user.email,
                    title=pool.title,
                    reinvite=True,
                )
            )

        self._core.command(work)

    def resize(self, actor_id: str, pool_id: str, seats: int) -> SeatPool:
        """Grow a pool, or shrink it down to the seats in use but not below (R-SEAT-11)."""
        check_id(actor_id, "user")
        check_id(pool_id, "group")
        count = check_count(seats, "seats", 1, MAX_SEATS)

        def work(tx: Transaction, now: datetime) -> SeatPool:
            pool, company = lock_pool(tx, pool_id)
            self._require_leader(tx, actor_id, pool, company)
            if count < pool.used:
                raise SeatsInUse(
                    f"group {pool.title!r} has {pool.used} in use; it cannot shrink to {count}"
                )
            if count == pool.seats:
                return pool
            resized = attrs.evolve(pool, seats=count)
            tx.pools.update(resized)
            tx.outbox.append(
                SeatPoolResized(
                    **stamp(now, UserId(actor_id), pool.company_id),
                    pool_id=pool.id,
                    old_seats=pool.seats,
                    new_seats=count,
                )
            )
            return resized

        return self._core.command(work)

    def _decide_group(
        self,
        tx: Transaction,
        actor_id: str,
        pool: SeatPool | None,
        company: Company | None,
        *,
        reading: bool = False,
    ) -> Decision:
        """The group decision, with the facts it needs (R-SEAT-4, R-MEM-10, R-CO-8, R-CO-9).

        The leader's membership of the pool's company, whether the leader was erased,
        and the company itself, whose gate the decision applies.
        """
        member = insider = True
        erased = False
        if pool is not None and actor_id == pool.leader_id:
            leader = tx.users.get(pool.leader_id)
            erased = leader is None or is_erased(leader)
        if pool is not None and pool.company_id is not None:
            # an expired or not yet started membership is none (R-TIME-1, R-MEM-10)
            insider = self._core.counts(tx.memberships.get(pool.company_id, UserId(actor_id)))
            if actor_id == pool.leader_id:
                member = insider
        return decide_group(
            actor_id,
            pool,
            platform_admin=actor_id in self._core.platform_admins,
            leader_is_member=member,
            company=company,
            insider=insider,
            reading=reading,
            leader_erased=erased,
        )

    def _require_leader(
        self,
        tx: Transaction,
        actor_id: str,
        pool: SeatPool,
        company: Company | None,
        *,
        reading: bool = False,
    ) -> None:
        raise_if_denied(self._decide_group(tx, actor_id, pool, company, reading=reading))
