"""The shipped property ``teamaccess.testing.contract.support_properties``, on every store.

It proves R-SUP-1, R-SUP-2, R-SUP-3 over random histories of support grants and time.
"""

from teamaccess.testing.contract.support_properties import *  # noqa: F403 - its tests, collected here
