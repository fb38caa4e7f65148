"""The shipped contract module ``teamaccess.testing.contract.privacy``, through AsyncTeamAccess.

It proves R-CO-7.
"""

from teamaccess.testing.contract.privacy import *  # noqa: F403 - its tests, collected here
