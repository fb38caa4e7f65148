"""The shipped contract module ``teamaccess.testing.contract.audit``, on every store.

It proves R-ALL-4 for the searchable audit trail (and R-CO-6, R-CO-7, R-CO-8, R-ALL-7, R-ALL-9 for it).
"""

from teamaccess.testing.contract.audit import *  # noqa: F403 - its tests, collected here
