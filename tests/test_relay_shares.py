"""How relays share the shards (R-ALL-8): ``shard_of`` and ``share``, pure.

Every live relay's share is disjoint from the others' and together they are every
shard; a company is in one shard, the same in every process.
"""

from __future__ import annotations

import zlib

from hypothesis import given
from hypothesis import strategies as st

from teamaccess.domain.relay import SHARDS, shard_of, share

names = st.text(min_size=1, max_size=12)


@given(st.sets(names, min_size=1, max_size=80))
def test_r_all_8_the_live_relays_shares_are_every_shard_once(relays: set[str]) -> None:
    """R-ALL-8: the shares of the live relays are disjoint and cover every shard; a lone relay takes all."""
    shares = {me: share(relays - {me}, me) for me in relays}
    if len(relays) == 1:
        assert list(shares.values()) == [None]
        return
    taken = [shard for mine in shares.values() if mine is not None for shard in mine]
    assert sorted(taken) == list(range(SHARDS))
    sizes = sorted(len(mine or ()) for mine in shares.values())
    assert sizes[-1] - sizes[0] <= 1  # as even as the count allows


@given(st.one_of(st.none(), st.text(max_size=100)))
def test_r_all_8_a_company_has_one_shard_in_every_process(company: str | None) -> None:
    """R-ALL-8: a company's shard is CRC-32 of its id modulo SHARDS (no per-process hash seed); none is shard 0."""
    shard = shard_of(company)
    assert 0 <= shard < SHARDS
    assert shard == (0 if company is None else zlib.crc32(company.encode()) % SHARDS)
