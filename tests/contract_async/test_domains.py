"""The shipped contract module ``teamaccess.testing.contract.domains``, through AsyncTeamAccess.

It proves R-DOM-1, R-DOM-2, R-DOM-3, R-DOM-4.
"""

from teamaccess.testing.contract.domains import *  # noqa: F403 - its tests, collected here
