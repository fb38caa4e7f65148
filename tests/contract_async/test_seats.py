"""The shipped contract module ``teamaccess.testing.contract.seats``, through AsyncTeamAccess.

It proves R-SEAT-1, R-SEAT-2, R-SEAT-3, R-SEAT-4, R-SEAT-5, R-SEAT-6, R-SEAT-7, R-SEAT-8, R-SEAT-9, R-SEAT-10, R-SEAT-11.
"""

from teamaccess.testing.contract.seats import *  # noqa: F403 - its tests, collected here
