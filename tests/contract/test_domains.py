"""The shipped contract module ``teamaccess.testing.contract.domains``, on every store.

It proves R-DOM-1, R-DOM-2, R-DOM-3, R-DOM-4, R-MEM-9, R-ALL-3, R-ALL-9, R-CO-8, R-CO-9.
"""

from teamaccess.testing.contract.domains import *  # noqa: F403 - its tests, collected here
