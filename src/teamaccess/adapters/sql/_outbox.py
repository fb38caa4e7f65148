"""The SQL outbox: events appended in the command's transaction, claimed by relays.

A claim selects due rows ``FOR UPDATE SKIP LOCKED`` (PostgreSQL, MariaDB; SQLite has
one writer at a time and no such clause), keeps per company the run the domain rule
allows (``teamaccess.domain.relay.in_company_order``), and leases
those rows to the relay, all in one short transaction.

Several relays share the work by shard of companies: each claim renews the relay's
row in ``<prefix>relays`` until its lease ends, reads which relays are alive, and
looks first at the rows of its share of the shards (``teamaccess.domain.relay.share``);
only when its share has nothing due does it look at every shard. A relay that dies
drops out when its lease ends and the others take its share over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from teamaccess.adapters.sql._repo import Repo, chunks
from teamaccess.adapters.sql._schema import Tables
from teamaccess.domain.audit import AuditFilter
from teamaccess.domain.audit_chain import (
    GENESIS,
    PLATFORM_CHAIN,
    EncodedPayload,
    SealedEvent,
    chain_key,
    relink,
    seal,
)
from teamaccess.domain.events import Event, OutboxMessage, decode_event, event_to_dict
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.privacy import redact
from teamaccess.domain.relay import in_company_order, shard_of, share
from teamaccess.errors import TransientStorageError

__all__ = ["Outbox"]

_CLAIM_ROUNDS = 4
"""Selects a claim makes at most, each looking past the companies held back before."""

_SEARCH_BATCH = 500
"""Rows an audit search for a target reads at a time (the target is inside the payload)."""

_FORGET = timedelta(hours=1)
"""A relay row this long past its lease is deleted by the next claim that sees it."""


def _message(row: sa.Row[Any]) -> OutboxMessage:
    """The message of a row; a payload this version cannot read is an ``UndecodableEvent``."""
    event = decode_event(
        row.payload,
        stored_type=row.event_type,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        company_id=row.company_id,
    )
    return OutboxMessage(
        int(row.position),
        event,
        row.delivered_at,
        attempts=int(row.attempts),
        dead_at=row.dead_at,
        last_error=row.last_error,
        retry_at=row.retry_at,
        leased_by=row.leased_by,
        leased_until=row.leased_until,
    )


def _insert_missing(table: sa.Table, dialect: str) -> sa.Executable:
    """An INSERT that does nothing where the key exists already (a concurrent first append)."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return table.insert().prefix_with("OR IGNORE")
    return table.insert().prefix_with("IGNORE")


def _has_context(payload: object) -> bool:
    return isinstance(payload, dict) and payload.get("context") is not None


def _outbox_row(event: Event) -> dict[str, Any]:
    # Encoded once: the seal and a bulk insert use the same text (an undecodable event
    # keeps its stored type).
    payload = EncodedPayload(event_to_dict(event))
    return {
        "event_type": str(payload["type"])[:64],
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "company_id": event.company_id,
        "payload": payload,
        "shard": shard_of(event.company_id),
    }


def _sealed(row: sa.Row[Any]) -> SealedEvent:
    """A row as its audit chain sees it: the columns beside the payload, the link, the seal."""
    return SealedEvent(
        int(row.position),
        row.event_type,
        row.company_id,
        row.actor_id,
        row.occurred_at,
        row.payload,
        row.chain_prev,
        row.chain_seal,
    )


def _seal_of(row: dict[str, Any], prev: str) -> str:
    return seal(
        prev,
        row["event_type"],
        row["company_id"],
        row["actor_id"],
        row["occurred_at"],
        row["payload"],
    )


class Outbox(Repo):
    def __init__(self, conn: Connection, tables: Tables) -> None:
        super().__init__(conn, tables)
        self._heads: dict[str, str] = {}  # the heads this transaction locked, as it left them
        self._changed: dict[str, int] = {}  # chain key -> first position rewritten

    def append(self, event: Event) -> None:
        row = _outbox_row(event)
        keys = self._link([row])
        self._c.execute(self._t.outbox.insert(), row)
        self._save_heads(keys)

    def extend(self, events: Sequence[Event]) -> None:
        rows = [_outbox_row(event) for event in events]
        keys = self._link(rows)
        self._insert(self._t.outbox, rows)
        self._save_heads(keys)

    def _link(self, rows: list[dict[str, Any]]) -> list[str]:
        """Seal each row after its chain's head (locked first, in key order); the keys."""
        keys = sorted({chain_key(row["company_id"]) for row in rows})
        for key in keys:
            self._lock_head(key)
        for row in rows:
            key = chain_key(row["company_id"])
            prev = self._heads[key]
            row["chain_prev"] = prev
            row["chain_seal"] = self._heads[key] = _seal_of(row, prev)
        return keys

    def _lock_head(self, key: str) -> str:
        """Lock the chain's head row (made if missing) for this transaction; its seal.

        Every command that appends to the chain locks the row before its insert takes
        a position, and writes it, so commands on one company link one after the other
        and in position order, on each node of a cluster too (R-ALL-12).
        """
        head = self._heads.get(key)
        if head is not None:
            return head
        h = self._t.audit_heads
        locked = sa.select(h.c.seal).where(h.c.chain == key).with_for_update()
        row = self._row(locked)
        if row is None:
            self._c.execute(
                _insert_missing(h, self._c.dialect.name), {"chain": key, "seal": GENESIS}
            )
            row = self._row(locked)
            if row is None:  # made by a command whose commit this snapshot cannot see
                raise TransientStorageError(f"the audit chain {key!r} began concurrently")
        self._heads[key] = str(row.seal)
        return self._heads[key]

    def _save_heads(self, keys: Sequence[str]) -> None:
        h = self._t.audit_heads
        for key in keys:
            self._c.execute(h.update().where(h.c.chain == key).values(seal=self._heads[key]))

    def chain(self, company_id: CompanyId | None, after: int, limit: int) -> Sequence[SealedEvent]:
        t = self._t.outbox
        mine = t.c.company_id.is_(None) if company_id is None else t.c.company_id == company_id
        statement = (
            sa.select(*self._chain_columns())
            .where(mine, t.c.position > after)
            .order_by(t.c.position)
            .limit(limit)
        )
        return [_sealed(row) for row in self._rows(statement)]

    def _chain_columns(self) -> list[sa.ColumnElement[Any]]:
        """What a chain needs of an outbox row (`_sealed`): not the relay's bookkeeping."""
        t = self._t.outbox
        names = ("position", "event_type", "company_id", "actor_id", "occurred_at", "payload")
        return [t.c[name] for name in (*names, "chain_prev", "chain_seal")]

    def head(self, company_id: CompanyId | None) -> str | None:
        h = self._t.audit_heads
        found = self._row(sa.select(h.c.seal).where(h.c.chain == chain_key(company_id)))
        return None if found is None else str(found.seal)

    def _rewritten(self, company_id: str | None, position: int) -> None:
        key = chain_key(company_id)
        self._changed[key] = min(self._changed.get(key, position), position)

    def reseal(self) -> Mapping[CompanyId | None, int]:
        t = self._t.outbox
        done: dict[CompanyId | None, int] = {}
        for key, start in sorted(self._changed.items()):
            company = None if key == PLATFORM_CHAIN else CompanyId(key)
            self._lock_head(key)
            mine = t.c.company_id.is_(None) if company is None else t.c.company_id == company
            last = self._row(
                sa.select(t.c.chain_seal)
                .where(mine, t.c.position < start)
                .order_by(t.c.position.desc())
                .limit(1)
            )
            prev = GENESIS if last is None or last.chain_seal is None else str(last.chain_seal)
            count, after = 0, start - 1
            while True:  # locking reads: they see what committed before the head was locked
                batch = self._rows(
                    sa.select(*self._chain_columns())
                    .where(mine, t.c.position > after)
                    .order_by(t.c.position)
                    .limit(_SEARCH_BATCH)
                    .with_for_update()
                )
                for event, new_prev, digest in relink(prev, [_sealed(row) for row in batch]):
                    if (event.prev, event.digest) != (new_prev, digest):
                        self._c.execute(
                            t.update().where(t.c.position == event.position),
                            {"chain_prev": new_prev, "chain_seal": digest},
                        )
                    prev = digest
                    count += 1
                if len(batch) < _SEARCH_BATCH:
                    break
                after = int(batch[-1].position)
            self._heads[key] = prev
            self._save_heads([key])
            done[company] = count
        self._changed.clear()
        return done

    def _waiting(self) -> sa.ColumnElement[bool]:
        t = self._t.outbox
        return sa.and_(t.c.delivered_at.is_(None), t.c.dead_at.is_(None))

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        statement = sa.select(t).where(self._waiting()).order_by(t.c.position).limit(limit)
        return [_message(row) for row in self._rows(statement)]

    def count_pending(self) -> int:
        t = self._t.outbox
        statement = sa.select(sa.func.count()).select_from(t).where(self._waiting())
        return int(self._c.execute(statement).scalar_one())

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        self._change(positions, delivered_at=at, leased_by=None, leased_until=None)

    def claim(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        mine = self._share(owner, now, until)
        found = self._claim(owner, now, until, limit, mine)
        if not found and mine is not None:  # nothing due in its share: any shard will do
            found = self._claim(owner, now, until, limit, None)
        return found

    def leave(self, owner: str) -> None:
        self._c.execute(self._t.relays.delete().where(self._t.relays.c.name == owner))

    def _share(self, owner: str, now: datetime, until: datetime) -> frozenset[int] | None:
        """Keep ``owner`` alive until ``until``; its shards among the live relays."""
        r = self._t.relays
        seen = {row.name: row.alive_until for row in self._rows(sa.select(r))}
        if owner in seen:
            self._c.execute(r.update().where(r.c.name == owner).values(alive_until=until))
        else:  # a second process under the same name is refused here (a key conflict)
            self._c.execute(r.insert().values(name=owner, alive_until=until))
        gone = sorted(name for name, alive in seen.items() if alive < now - _FORGET)
        if gone:
            self._c.execute(r.delete().where(r.c.name.in_(gone), r.c.alive_until < now - _FORGET))
        return share((name for name, alive in seen.items() if alive > now), owner)

    def _claim(
        self,
        owner: str,
        now: datetime,
        until: datetime,
        limit: int,
        shards: frozenset[int] | None,
    ) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        if shards is not None and not shards:
            return []
        claimed: list[tuple[int, str | None]] = []
        keep: list[int] = []
        blocked: set[str] = set()
        for _ in range(_CLAIM_ROUNDS):
            wanted = limit - len(keep)
            # A company whose earliest pending event is not due (a retry later, another
            # relay's lease) holds back its later events; the next round looks past them,
            # so a long queue of one company never starves the others (R-ALL-11).
            due = (
                sa.select(t.c.position, t.c.company_id)
                .where(
                    self._waiting(),
                    sa.or_(t.c.leased_until.is_(None), t.c.leased_until <= now),
                    sa.or_(t.c.retry_at.is_(None), t.c.retry_at <= now),
                )
                .order_by(t.c.position)
                .limit(wanted)
                .with_for_update(skip_locked=True)
            )
            if shards is not None:
                due = due.where(t.c.shard.in_(sorted(shards)))
            if claimed:
                due = due.where(t.c.position > claimed[-1][0])
            if blocked:
                due = due.where(
                    sa.or_(t.c.company_id.is_(None), t.c.company_id.not_in(sorted(blocked)))
                )
            found = [(int(row.position), row.company_id) for row in self._rows(due)]
            if not found:
                break
            claimed.extend(found)
            companies = sorted({company for _, company in claimed if company is not None})
            pending = self._rows_in(
                t.c.company_id,
                companies,
                sa.select(t.c.position, t.c.company_id).where(
                    self._waiting(), t.c.position <= claimed[-1][0]
                ),
            )
            keep = in_company_order(claimed, [(int(r.position), r.company_id) for r in pending])
            if len(found) < wanted or len(keep) >= limit:
                break
            kept = set(keep)
            blocked.update(c for p, c in claimed if c is not None and p not in kept)
        keep = keep[:limit]
        if not keep:
            return []
        self._change(keep, leased_by=owner, leased_until=until)
        rows = self._rows_in(t.c.position, keep, sa.select(t))
        return sorted((_message(row) for row in rows), key=lambda m: m.position)

    def release(self, owner: str, positions: Sequence[int]) -> None:
        self._change(positions, owner=owner, leased_by=None, leased_until=None)

    def failed(
        self,
        owner: str,
        position: int,
        error: str,
        retry_at: datetime | None,
        dead_at: datetime | None,
    ) -> None:
        t = self._t.outbox
        self._change(
            [position],
            owner=owner,
            attempts=t.c.attempts + 1,
            last_error=error,
            retry_at=retry_at,
            dead_at=dead_at,
            leased_by=None,
            leased_until=None,
        )

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        statement = sa.select(t).where(t.c.dead_at.is_not(None)).order_by(t.c.position).limit(limit)
        return [_message(row) for row in self._rows(statement)]

    def redrive(self, positions: Sequence[int] | None) -> int:
        t = self._t.outbox
        statement = (
            t.update()
            .where(t.c.dead_at.is_not(None), t.c.delivered_at.is_(None))
            .values(dead_at=None, attempts=0, retry_at=None)
        )
        if positions is None:
            return int(self._c.execute(statement).rowcount)
        done = 0
        for chunk in chunks(sorted(set(positions))):
            done += int(self._c.execute(statement.where(t.c.position.in_(chunk))).rowcount)
        return done

    def redact(self, old: str, new: str) -> int:
        t = self._t.outbox
        # The payload as text holds the string as given or JSON-escaped; only those rows
        # are read and rewritten. A relay's stored error may quote the payload: it is
        # redacted the same way (R-CO-9).
        text = sa.cast(t.c.payload, sa.Text)
        escaped = json.dumps(old)[1:-1]
        forms = {old: new, escaped: json.dumps(new)[1:-1]}
        like = sa.or_(
            *(text.contains(form, autoescape=True) for form in sorted(forms)),
            *(t.c.last_error.contains(form, autoescape=True) for form in sorted(forms)),
        )
        statement = (
            sa.select(t.c.position, t.c.company_id, t.c.payload, t.c.last_error)
            .where(like)
            .order_by(t.c.position)
        )
        changed = 0
        for row in self._rows(statement):
            values: dict[str, Any] = {}
            payload = redact(row.payload, old, new)
            if payload != row.payload:
                values["payload"] = payload
                self._rewritten(row.company_id, int(row.position))  # sealed again later
            if row.last_error is not None:
                error = row.last_error
                for form, replacement in forms.items():
                    error = error.replace(form, replacement)
                if error != row.last_error:
                    values["last_error"] = error
            if values:
                self._c.execute(t.update().where(t.c.position == row.position), values)
                changed += 1
        return changed

    def all(self) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        return [_message(row) for row in self._rows(sa.select(t).order_by(t.c.position))]

    def search(self, query: AuditFilter, limit: int) -> Sequence[OutboxMessage]:
        # Company, actor, kinds and time narrow the rows in SQL (ix_outbox_company);
        # the targets, inside the payload, are read from the events a batch at a time.
        t = self._t.outbox
        where = [t.c.company_id == query.company_id]
        if query.actor_id is not None:
            where.append(t.c.actor_id == query.actor_id)
        if query.kinds:
            where.append(t.c.event_type.in_(sorted(query.kinds)))
        if query.since is not None:
            where.append(t.c.occurred_at >= query.since)
        if query.until is not None:
            where.append(t.c.occurred_at < query.until)
        batch = limit if query.target_id is None else max(limit, _SEARCH_BATCH)
        found: list[OutboxMessage] = []
        after = query.after
        while len(found) < limit:
            statement = (
                sa.select(t).where(t.c.position > after, *where).order_by(t.c.position).limit(batch)
            )
            messages = [_message(row) for row in self._rows(statement)]
            found += [m for m in messages if query.matches(m)]
            if len(messages) < batch:
                break
            after = messages[-1].position
        return found[:limit]

    def forget_context(self, actor_id: UserId) -> int:
        t = self._t.outbox
        statement = sa.select(t.c.position, t.c.company_id, t.c.payload).where(
            t.c.actor_id == actor_id
        )
        told = [row for row in self._rows(statement) if _has_context(row.payload)]
        for row in told:
            payload = {k: v for k, v in row.payload.items() if k != "context"}
            self._c.execute(t.update().where(t.c.position == row.position), {"payload": payload})
            self._rewritten(row.company_id, int(row.position))
        return len(told)

    def purge(self, before: datetime, keep: frozenset[str]) -> int:
        t = self._t.outbox
        old = sa.and_(
            t.c.occurred_at < before,
            sa.not_(self._waiting()),
            t.c.event_type.not_in(sorted(keep)),
        )
        firsts = sa.select(t.c.company_id, sa.func.min(t.c.position).label("first"))
        for row in self._rows(firsts.where(old).group_by(t.c.company_id)):
            self._rewritten(row.company_id, int(row.first))  # their chains are sealed again
        return int(self._c.execute(t.delete().where(old)).rowcount)

    def _change(self, positions: Sequence[int], *, owner: str | None = None, **values: Any) -> None:
        """Update these undelivered rows (only those ``owner`` leases, if given)."""
        t = self._t.outbox
        for chunk in chunks(sorted(set(positions))):
            statement = t.update().where(t.c.position.in_(chunk), t.c.delivered_at.is_(None))
            if owner is not None:
                statement = statement.where(t.c.leased_by == owner)
            self._c.execute(statement.values(**values))
