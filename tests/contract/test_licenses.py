"""The shipped contract module ``teamaccess.testing.contract.licenses``, on every store.

It proves R-ALL-7, R-LIC-1, R-LIC-2, R-LIC-3.
"""

from teamaccess.testing.contract.licenses import *  # noqa: F403 - its tests, collected here
