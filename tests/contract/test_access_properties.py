"""The shipped contract module ``teamaccess.testing.contract.access_properties``, on every store.

It proves R-CO-6 and R-PART-2.
"""

from teamaccess.testing.contract.access_properties import *  # noqa: F403 - its tests, collected here
