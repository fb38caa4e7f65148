"""The shipped contract module ``teamaccess.testing.contract.seat_properties``, on every store.

It proves R-SEAT-6, R-SEAT-10, R-TAG-3.
"""

from teamaccess.testing.contract.seat_properties import *  # noqa: F403 - its tests, collected here
