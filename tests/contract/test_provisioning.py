"""The shipped contract module ``teamaccess.testing.contract.provisioning``, on every store.

It proves R-PROV-1 and R-PROV-2 (and R-ALL-3, R-ALL-6, R-ALL-9 for the directory).
"""

from teamaccess.testing.contract.provisioning import *  # noqa: F403 - its tests, collected here
