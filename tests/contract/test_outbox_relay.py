"""The shipped contract module ``teamaccess.testing.contract.outbox_relay``, on every store.

It proves R-ALL-8 (with tests/sql/test_relay_*.py for gaps, kills and concurrent relays).
"""

from teamaccess.testing.contract.outbox_relay import *  # noqa: F403 - its tests, collected here
