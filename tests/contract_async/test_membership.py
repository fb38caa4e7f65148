"""The shipped contract module ``teamaccess.testing.contract.membership``, through AsyncTeamAccess.

It proves R-MEM-1, R-MEM-2, R-MEM-3, R-MEM-4, R-MEM-5, R-MEM-6, R-MEM-7, R-MEM-8.
"""

from teamaccess.testing.contract.membership import *  # noqa: F403 - its tests, collected here
