"""The shipped contract module ``teamaccess.testing.contract.inbox``, on every store.

It proves R-ALL-6, R-LEAD-6.
"""

from teamaccess.testing.contract.inbox import *  # noqa: F403 - its tests, collected here
