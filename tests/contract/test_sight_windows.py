"""The shipped contract module ``teamaccess.testing.contract.partner_sight_windows``, on every store.

It proves R-TIME-1, R-TIME-2, R-TIME-3, R-TIME-4 for a partner's sight of a child account.
"""

from teamaccess.testing.contract.partner_sight_windows import *  # noqa: F403 - its tests, collected here
