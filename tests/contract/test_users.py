"""The shipped contract module ``teamaccess.testing.contract.users``, on every store.

It proves R-ALL-1, R-ALL-4, R-ALL-6, R-ALL-7.
"""

from teamaccess.testing.contract.users import *  # noqa: F403 - its tests, collected here
