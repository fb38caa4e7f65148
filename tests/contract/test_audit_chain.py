"""The shipped contract module ``teamaccess.testing.contract.audit_chain``, on every store.

It proves R-ALL-4 for the sealed audit chain and ``ta.audit.verify`` (and R-CO-7, R-CO-6,
R-ALL-3 for it).
"""

from teamaccess.testing.contract.audit_chain import *  # noqa: F403 - its tests, collected here
