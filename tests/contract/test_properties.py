"""The shipped contract module ``teamaccess.testing.contract.properties``, on every store.

It proves R-ALL-3, R-ALL-6, R-MC-1, R-MEM-2.
"""

from teamaccess.testing.contract.properties import *  # noqa: F403 - its tests, collected here
