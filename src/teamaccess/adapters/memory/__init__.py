"""The in-memory adapter: indexed dicts that behave like a database.

One lock serializes transactions; readers take it too, so they never see an
uncommitted change. Each write records how to undo itself; leaving a transaction
without ``commit`` (or an exception midway) replays the undo log, so a failed
command leaves nothing behind (R-ALL-3). Uniqueness is enforced here as a database
would enforce it, raising the same library errors as the SQL adapter.

The modules mirror the SQL adapter's: ``_repo`` (what every repository shares),
``_people``, ``_seats``, ``_partners``, ``_work``, ``_outbox``, ``_transaction``
(the unit of work) and ``_store`` (`MemoryStore`).
"""

from teamaccess.adapters.memory._store import MemoryStore

__all__ = ["MemoryStore"]
