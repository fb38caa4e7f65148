"""The shipped contract module ``teamaccess.testing.contract.invitations``, on every store.

It proves R-INV-1, R-INV-2, R-INV-3, R-INV-4, R-ALL-9.
"""

from teamaccess.testing.contract.invitations import *  # noqa: F403 - its tests, collected here
