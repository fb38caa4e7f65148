"""The shipped contract module ``teamaccess.testing.contract.support``, on every store.

It proves R-SUP-1, R-SUP-2, R-SUP-3 (and R-TIME-1, R-TIME-2, R-CO-3, R-CO-7, R-CO-8, R-ALL-6 for support grants).
"""

from teamaccess.testing.contract.support import *  # noqa: F403 - its tests, collected here
