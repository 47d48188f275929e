"""The cross-check's kept counts are packed into plain NumPy arrays (no pickle) and read
back equal, whatever the groups (``geodata/queries/crosscheck._pack``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodata.queries import crosscheck as q

_code = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._城市管理", min_size=1, max_size=24)
_side = st.lists(
    st.tuples(
        st.integers(0, 2**62),
        _code,
        *(st.integers(0, 2**31) for _ in range(4)),
    ),
    max_size=40,
)


@given(cells=_side, grids=_side, empty=st.sampled_from([None, 0, 1]))
def test_packed_counts_read_back_equal(cells, grids, empty) -> None:  # type: ignore[no-untyped-def]
    sets = {}
    for side, rows in ((0, cells), (1, grids)):
        if side == empty:
            continue
        cols = list(zip(*rows, strict=True)) if rows else [()] * 6
        sets[side] = {
            "place": np.array(cols[0], np.int64),
            "cat": np.array(cols[1], object),
            **{
                c: np.array(v, np.int64)
                for c, v in zip(("own", "ext", "rej", "timely"), cols[2:], strict=True)
            },
        }
    back = q._unpack(q._pack(sets))
    for side in (0, 1):
        want = sets.get(side)
        got = back[side]
        if want is None:
            assert all(len(v) == 0 for v in got.values())
            continue
        assert got["cat"].dtype == object
        assert list(got["cat"]) == list(want["cat"])
        for c in ("place", "own", "ext", "rej", "timely"):
            assert got[c].tolist() == want[c].tolist()


@pytest.mark.parametrize("body", [b"", b"garbage", b"PK\x03\x04 truncated"])
def test_an_unreadable_body_is_refused_not_trusted(body: bytes) -> None:
    with pytest.raises(q.UNREADABLE):
        q._unpack(body)


def test_one_grouping_set_can_be_read_alone() -> None:
    sets = {
        side: {
            "place": np.array([side + 1], np.int64),
            "cat": np.array(["a.b"], object),
            **{c: np.array([side], np.int64) for c in ("own", "ext", "rej", "timely")},
        }
        for side in (0, 1)
    }
    back = q._unpack(q._pack(sets), (1,))
    assert set(back) == {1} and back[1]["place"].tolist() == [2]
