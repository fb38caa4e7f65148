"""The shipped contract module ``teamaccess.testing.contract.partners``, on every store.

It proves R-MEM-3, R-PART-1, R-PART-2, R-PART-3, R-PART-4, R-PART-5, R-PART-6.
"""

from teamaccess.testing.contract.partners import *  # noqa: F403 - its tests, collected here
