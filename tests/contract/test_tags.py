"""The shipped contract module ``teamaccess.testing.contract.tags``, on every store.

It proves R-TAG-1, R-TAG-2, R-TAG-3, R-TAG-4, R-TAG-5.
"""

from teamaccess.testing.contract.tags import *  # noqa: F403 - its tests, collected here
