"""The shipped contract module ``teamaccess.testing.contract.grant_windows``, on every store.

It proves R-TIME-1, R-TIME-2, R-TIME-3, R-TIME-4.
"""

from teamaccess.testing.contract.grant_windows import *  # noqa: F403 - its tests, collected here
