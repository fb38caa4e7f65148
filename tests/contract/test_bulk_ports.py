"""The shipped contract module ``teamaccess.testing.contract.bulk_ports``, on every store.

It proves R-ALL-5, R-ALL-6.
"""

from teamaccess.testing.contract.bulk_ports import *  # noqa: F403 - its tests, collected here
