"""The shipped contract module ``teamaccess.testing.contract.suspension_reach``, through AsyncTeamAccess.

It proves R-CO-8 for seat pools, tags and invitations.
"""

from teamaccess.testing.contract.suspension_reach import *  # noqa: F403 - its tests, collected here
