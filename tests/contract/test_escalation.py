"""The shipped contract module ``teamaccess.testing.contract.escalation``, on every store.

It proves R-INV-1, R-MC-3, R-MEM-3, R-MEM-8, R-MEM-9.
"""

from teamaccess.testing.contract.escalation import *  # noqa: F403 - its tests, collected here
