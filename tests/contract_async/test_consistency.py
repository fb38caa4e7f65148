"""The shipped contract module ``teamaccess.testing.contract.consistency``, through AsyncTeamAccess.

It proves R-ALL-12.
"""

from teamaccess.testing.contract.consistency import *  # noqa: F403 - its tests, collected here
