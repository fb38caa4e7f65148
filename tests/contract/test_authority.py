"""The shipped contract module ``teamaccess.testing.contract.authority``, on every store.

It proves R-CO-4, R-INV-5, R-MEM-10, R-SEAT-4.
"""

from teamaccess.testing.contract.authority import *  # noqa: F403 - its tests, collected here
