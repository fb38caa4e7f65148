"""The shipped contract module ``teamaccess.testing.contract.roles``, on every store.

It proves R-ROLE-1, R-ROLE-2, R-ROLE-3.
"""

from teamaccess.testing.contract.roles import *  # noqa: F403 - its tests, collected here
