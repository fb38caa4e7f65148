"""The shipped contract module ``teamaccess.testing.contract.partner_properties``, on every store.

It proves R-PART-2, R-PART-5, R-PART-6.
"""

from teamaccess.testing.contract.partner_properties import *  # noqa: F403 - its tests, collected here
