"""The shipped contract module ``teamaccess.testing.contract.privacy``, on every store.

It proves R-CO-7 and R-CO-9.
"""

from teamaccess.testing.contract.privacy import *  # noqa: F403 - its tests, collected here
