"""The shipped contract module ``teamaccess.testing.contract.lifecycle``, on every store.

It proves R-CO-1, R-CO-2, R-CO-3.
"""

from teamaccess.testing.contract.lifecycle import *  # noqa: F403 - its tests, collected here
