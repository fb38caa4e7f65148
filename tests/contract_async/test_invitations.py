"""The shipped contract module ``teamaccess.testing.contract.invitations``, through AsyncTeamAccess.

It proves R-INV-1, R-INV-2, R-INV-3, R-INV-4.
"""

from teamaccess.testing.contract.invitations import *  # noqa: F403 - its tests, collected here
