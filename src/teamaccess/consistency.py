"""Read-your-writes across replicas (R-ALL-12): tokens, modes and scopes, in one place.

``from teamaccess.consistency import Consistency, last_token``. Every command issues a
[ConsistencyToken][teamaccess.consistency.ConsistencyToken] (`last_token`); reads and
checks take ``consistency=`` a [Consistency][teamaccess.consistency.Consistency];
[consistency_scope][teamaccess.consistency.consistency_scope] carries a web request's
token. See the guide "Consistency and replicas".
"""

from __future__ import annotations

from teamaccess.domain.consistency import KINDS, Consistency, ConsistencyToken, Mode
from teamaccess.service._tokens import TokenScope, consistency_scope, last_token

__all__ = [
    "KINDS",
    "Consistency",
    "ConsistencyToken",
    "Mode",
    "TokenScope",
    "consistency_scope",
    "last_token",
]
