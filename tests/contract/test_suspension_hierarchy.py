"""The shipped contract module ``teamaccess.testing.contract.suspension_hierarchy``, on every store.

It proves R-CO-8 through the partner hierarchy, in reviews and in reverse queries.
"""

from teamaccess.testing.contract.suspension_hierarchy import *  # noqa: F403 - its tests, collected here
