"""The shipped contract module ``teamaccess.testing.contract.leads``, through AsyncTeamAccess.

It proves R-LEAD-1, R-LEAD-2, R-LEAD-3, R-LEAD-4, R-LEAD-5, R-LEAD-7.
"""

from teamaccess.testing.contract.leads import *  # noqa: F403 - its tests, collected here
