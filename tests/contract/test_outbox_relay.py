"""The shipped contract module ``teamaccess.testing.contract.outbox_relay``, on every store.

It proves R-ALL-8 (with tests/sql/test_relay_*.py for gaps, kills and concurrent relays), R-ALL-11 and R-CO-9.
"""

from teamaccess.testing.contract.outbox_relay import *  # noqa: F403 - its tests, collected here
