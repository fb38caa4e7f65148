"""The shipped contract module ``teamaccess.testing.contract.records``, on every store.

It proves R-REC-1, R-REC-2, R-REC-3.
"""

from teamaccess.testing.contract.records import *  # noqa: F403 - its tests, collected here
