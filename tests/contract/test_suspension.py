"""The shipped contract module ``teamaccess.testing.contract.suspension``, on every store.

It proves R-CO-5.
"""

from teamaccess.testing.contract.suspension import *  # noqa: F403 - its tests, collected here
