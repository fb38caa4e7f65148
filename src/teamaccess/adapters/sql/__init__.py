"""The SQL adapter (extra ``teamaccess[sql]``): SQLite, PostgreSQL, MariaDB/MySQL.

>>> from teamaccess import TeamAccess
>>> from teamaccess.adapters.sql import SqlStore
>>> store = SqlStore.from_url("sqlite://")  # in-memory SQLite; use a file or a server URL
>>> store.create_schema()
>>> ta = TeamAccess(store)
>>> ta.users.register("anna", "anna@example.com").email
'anna@example.com'
"""

from teamaccess._extras import needs_extra

with needs_extra("teamaccess.adapters.sql", "sql"):
    import sqlalchemy  # noqa: F401 - the extra's one dependency, checked first

from teamaccess.adapters.sql._filters import allowed_companies, company_clause, company_filter
from teamaccess.adapters.sql._schema import DEFAULT_PREFIX, SCHEMA_VERSION, Tables, build_tables
from teamaccess.adapters.sql._store import SqlStore, create_async_engine, create_engine
from teamaccess.adapters.sql.migrations import upgrade_schema

__all__ = [
    "DEFAULT_PREFIX",
    "SCHEMA_VERSION",
    "SqlStore",
    "Tables",
    "allowed_companies",
    "build_tables",
    "company_clause",
    "company_filter",
    "create_async_engine",
    "create_engine",
    "upgrade_schema",
]
