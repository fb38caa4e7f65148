"""The shipped contract module ``teamaccess.testing.contract.sight``, on every store.

It proves R-ALL-9 for records and leads, R-CO-8 and R-ALL-6 for records.
"""

from teamaccess.testing.contract.sight import *  # noqa: F403 - its tests, collected here
