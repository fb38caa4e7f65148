"""Access reviews: who holds what in a company, through which grant, and what changed.

A review is a flat list of grants, one row each (a role, the main contact, a seat, a
pool's leadership, a tag with its source, a pending invitation, a partner's overview
right, an ancestor admin's right to manage the team), so that two reviews compare row
by row and a spreadsheet shows one per line.
CSV cells that a spreadsheet would run as a formula are neutralized (OWASP's advice
for CSV injection: a leading apostrophe).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from teamaccess.errors import InvalidInput

__all__ = ["AccessReview", "ReviewDiff", "ReviewRow", "neutralize"]

KINDS = (
    "role", "main_contact", "leader", "seat", "tag", "invitation", "overview", "team", "support",
)  # fmt: skip
"""The kinds of grant a review lists, in the order it lists them."""

_COLUMNS = ("company_id", "subject", "email", "kind", "grant", "via", "since", "until")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: a leading ``'`` before a formula start.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
    evaluated (``=HYPERLINK(...)``, DDE); prefixed, it is shown, never run.
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


@attrs.frozen(order=True)
class ReviewRow:
    """One grant held in a reviewed company.

    Attributes:
        company_id: The company it is held in.
        subject: Who holds it: a user id, or the invited address of an invitation.
        email: The holder's e-mail address.
        kind: ``role``, ``main_contact``, ``leader``, ``seat``, ``tag``,
            ``invitation``, ``overview``, ``team`` or ``support`` (platform staff under
            a support grant in force, R-SUP-1; ``grant`` lists its actions, ``via`` is
            the grant's id).
        grant: What is held: the role, the pool, the tag, the invited role,
            ``view_overview``, ``manage_team``.
        via: Where it comes from: the partner a role was received from as its staff
            (R-PART-6), the pool's product, the tag's source, the inviting member, the
            ancestor whose membership gives the overview (R-PART-2) or the team
            management (R-PART-5).
        since: When it began (ISO 8601), where the store knows it.
        until: When it ends (ISO 8601), for a time-bound grant (R-TIME-3); empty if never.
    """

    company_id: str
    subject: str
    email: str
    kind: str
    grant: str
    via: str = ""
    since: str = ""
    until: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the grant between two reviews (not when it began)."""
        return (self.company_id, self.subject, self.kind, self.grant, self.via)


@attrs.frozen
class ReviewDiff:
    """What changed between two reviews.

    Attributes:
        gained: Grants in the later review only.
        lost: Grants in the earlier review only.
    """

    gained: tuple[ReviewRow, ...]
    lost: tuple[ReviewRow, ...]

    def __bool__(self) -> bool:
        """Whether anything changed."""
        return bool(self.gained or self.lost)

    def to_json(self) -> str:
        """The diff as JSON: ``{"gained": [...], "lost": [...]}``."""
        return json.dumps(
            {"gained": [attrs.asdict(r) for r in self.gained],
             "lost": [attrs.asdict(r) for r in self.lost]},
            indent=2, ensure_ascii=False,
        )  # fmt: skip

    def to_csv(self) -> str:
        """The diff as CSV: the review's columns after a ``change`` column."""
        rows = [("gained", r) for r in self.gained] + [("lost", r) for r in self.lost]
        return csv_text(("change", *_COLUMNS), [(c, *attrs.astuple(r)) for c, r in rows])


@attrs.frozen
class AccessReview:
    """Everything held in a company, or a partner and its subtree, at one moment.

    Attributes:
        company_id: The reviewed company (the root of a subtree review).
        taken_at: When it was taken.
        companies: The companies it covers, the reviewed one first.
        rows: The grants, ordered by company, subject, kind.
    """

    company_id: str
    taken_at: datetime
    companies: tuple[str, ...]
    rows: tuple[ReviewRow, ...]

    def to_json(self) -> str:
        """The review as JSON (`from_json` reads it back)."""
        return json.dumps(
            {
                "company_id": self.company_id,
                "taken_at": self.taken_at.isoformat(),
                "companies": list(self.companies),
                "rows": [attrs.asdict(row) for row in self.rows],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_csv(self) -> str:
        """The rows as CSV with a header line, formula-like cells neutralized."""
        return csv_text(_COLUMNS, [attrs.astuple(row) for row in self.rows])

    @classmethod
    def from_json(cls, text: str) -> AccessReview:
        """Read a review written by `to_json`.

        Raises:
            InvalidInput: ``text`` is not such a review.
        """
        try:
            data = json.loads(text)
            return cls(
                company_id=str(data["company_id"]),
                taken_at=datetime.fromisoformat(data["taken_at"]),
                companies=tuple(str(c) for c in data["companies"]),
                rows=tuple(ReviewRow(**_strings(row)) for row in data["rows"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInput(f"not an access review written by to_json: {error}") from error

    def diff(self, earlier: AccessReview) -> ReviewDiff:
        """Who gained and who lost what since ``earlier``."""
        before = {row.key: row for row in earlier.rows}
        now = {row.key: row for row in self.rows}
        return ReviewDiff(
            gained=tuple(sorted(now[k] for k in now.keys() - before.keys())),
            lost=tuple(sorted(before[k] for k in before.keys() - now.keys())),
        )


def _strings(row: Any) -> dict[str, str]:
    if not isinstance(row, dict) or set(row) - set(_COLUMNS):
        raise ValueError(f"a row needs the fields {', '.join(_COLUMNS)}: {row!r}")
    if not all(isinstance(value, str) for value in row.values()):
        raise ValueError(f"a row holds strings only: {row!r}")
    return row


def csv_text(header: tuple[str, ...], rows: Iterable[Iterable[object]]) -> str:
    """CSV with a header line, each cell as text with formula starts neutralized."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([neutralize(str(cell)) for cell in row] for row in rows)
    return out.getvalue()
