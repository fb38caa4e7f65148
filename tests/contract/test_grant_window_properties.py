"""The shipped contract module ``teamaccess.testing.contract.grant_window_properties``, on every store.

It proves R-TIME-1, R-TIME-2, R-TIME-3.
"""

from teamaccess.testing.contract.grant_window_properties import *  # noqa: F403 - its tests, collected here
