"""The shipped contract module ``teamaccess.testing.contract.lead_properties``, on every store.

It proves R-CO-2, R-LEAD-2, R-LEAD-3, R-LEAD-4.
"""

from teamaccess.testing.contract.lead_properties import *  # noqa: F403 - its tests, collected here
