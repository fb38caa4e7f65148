"""The SQL unit of work: one connection, one transaction, every repository, the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from teamaccess.adapters.sql._partners import Articles, Licenses, PropertyDefinitions
from teamaccess.adapters.sql._people import Companies, Invitations, Memberships, Users
from teamaccess.adapters.sql._repo import Repo
from teamaccess.adapters.sql._schema import (
    Tables,
)
from teamaccess.adapters.sql._seats import Enrollments, Products, SeatPools, TagGrants
from teamaccess.adapters.sql._work import InboxRequests, Leads, Records, ServiceLinks
from teamaccess.domain.events import Event, OutboxMessage, event_from_dict, event_to_dict

__all__ = ["Outbox", "SqlTransaction"]


# -- outbox ---------------------------------------------------------------------------


def _message(row: sa.Row[Any]) -> OutboxMessage:
    return OutboxMessage(int(row.position), event_from_dict(row.payload), row.delivered_at)


def _outbox_row(event: Event) -> dict[str, Any]:
    return {
        "event_type": event.type,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "company_id": event.company_id,
        "payload": event_to_dict(event),
    }


class Outbox(Repo):
    def append(self, event: Event) -> None:
        self._c.execute(self._t.outbox.insert(), _outbox_row(event))

    def extend(self, events: Sequence[Event]) -> None:
        self._insert(self._t.outbox, [_outbox_row(event) for event in events])

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        statement = (
            sa.select(t).where(t.c.delivered_at.is_(None)).order_by(t.c.position).limit(limit)
        )
        return [_message(row) for row in self._rows(statement)]

    def count_pending(self) -> int:
        t = self._t.outbox
        statement = sa.select(sa.func.count()).select_from(t).where(t.c.delivered_at.is_(None))
        return int(self._c.execute(statement).scalar_one())

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        if not positions:
            return
        t = self._t.outbox
        self._c.execute(
            t.update()
            .where(t.c.position.in_(list(positions)), t.c.delivered_at.is_(None))
            .values(delivered_at=at)
        )

    def all(self) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        return [_message(row) for row in self._rows(sa.select(t).order_by(t.c.position))]


class SqlTransaction:
    def __init__(
        self, conn: Connection, tables: Tables, commit: Callable[[], None] | None = None
    ) -> None:
        self._conn = conn
        self._commit = commit or conn.commit
        self.users = Users(conn, tables)
        self.companies = Companies(conn, tables)
        self.memberships = Memberships(conn, tables)
        self.invitations = Invitations(conn, tables)
        self.products = Products(conn, tables)
        self.pools = SeatPools(conn, tables)
        self.enrollments = Enrollments(conn, tables)
        self.tags = TagGrants(conn, tables)
        self.properties = PropertyDefinitions(conn, tables)
        self.articles = Articles(conn, tables)
        self.licenses = Licenses(conn, tables)
        self.leads = Leads(conn, tables)
        self.inbox = InboxRequests(conn, tables)
        self.records = Records(conn, tables)
        self.links = ServiceLinks(conn, tables)
        self.outbox = Outbox(conn, tables)
        self.committed = False

    def commit(self) -> None:
        self._commit()
        self.committed = True
