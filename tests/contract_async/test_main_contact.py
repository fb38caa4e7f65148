"""The shipped contract module ``teamaccess.testing.contract.main_contact``, through AsyncTeamAccess.

It proves R-MC-1, R-MC-2, R-MC-3, R-MC-4.
"""

from teamaccess.testing.contract.main_contact import *  # noqa: F403 - its tests, collected here
