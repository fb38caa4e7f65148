"""The shipped contract module ``teamaccess.testing.contract.access``, on every store.

It proves R-CO-6 and R-ALL-9.
"""

from teamaccess.testing.contract.access import *  # noqa: F403 - its tests, collected here
