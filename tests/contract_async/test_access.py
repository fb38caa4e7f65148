"""The shipped contract module ``teamaccess.testing.contract.access``, through AsyncTeamAccess.

It proves R-CO-6.
"""

from teamaccess.testing.contract.access import *  # noqa: F403 - its tests, collected here
