"""The shipped contract module ``teamaccess.testing.contract.everywhere``, on every store.

It proves R-ALL-1, R-ALL-2, R-ALL-3, R-ALL-4, R-ALL-6, R-MC-2.
"""

from teamaccess.testing.contract.everywhere import *  # noqa: F403 - its tests, collected here
