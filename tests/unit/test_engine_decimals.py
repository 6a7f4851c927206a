"""Decimal sums from the engine arrive as the nearest float64 (data.engine.decimal_to_float): the fast
path for unscaled integers up to 2**53 gives bit for bit what the exact-text path gives, for every
scale, sign, missing value and slice, and the values beyond it still take the text path."""
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from data import engine
from data.engine import _decimal_text_to_float, decimal_to_float


def _bits(a: pa.Array) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=np.float64).view(np.int64)


def _random_decimals(rng, n: int, scale: int, big: bool) -> list:
    top = 10 ** 30 if big else 2 ** 53
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.05:
            out.append(None)
        elif r < 0.1:
            out.append(Decimal(int(rng.choice([0, 1, -1, 2 ** 53, -(2 ** 53), 2 ** 53 + 1, -(2 ** 53) - 1]))
                               ).scaleb(-scale))
        else:
            n_ = int(rng.integers(-top, top, dtype=np.int64)) if top < 2 ** 63 else int(
                rng.integers(-2 ** 62, 2 ** 62)) * int(rng.integers(1, 2 ** 40))
            out.append(Decimal(n_).scaleb(-scale))
    return out


@pytest.mark.parametrize("scale", [0, 2, 4, 10, 18, 22])
def test_the_fast_path_equals_the_text_path_bit_for_bit(scale):
    rng = np.random.default_rng(scale)
    values = _random_decimals(rng, 20_000, scale, big=False)
    arr = pa.array(values, pa.decimal128(38, scale))
    fast, text = decimal_to_float(arr), _decimal_text_to_float(arr)
    assert fast.type == pa.float64()
    assert fast.null_count == text.null_count == sum(v is None for v in values)
    assert np.array_equal(np.asarray(fast.is_null()), np.asarray(text.is_null()))
    ok = ~np.asarray(text.is_null(), dtype=bool)
    assert np.array_equal(_bits(fast)[ok], _bits(text)[ok])
    # and the text path is the nearest double: float(Decimal) rounds correctly
    for v, f in zip(values[:2000], fast.to_pylist()[:2000]):
        assert (v is None and f is None) or float(v) == f


def test_values_beyond_two_to_the_53_take_the_text_path_and_are_still_exact():
    rng = np.random.default_rng(7)
    values = _random_decimals(rng, 5_000, 10, big=True)
    arr = pa.array(values, pa.decimal128(38, 10))
    fast = decimal_to_float(arr)
    for v, f in zip(values, fast.to_pylist()):
        assert (v is None and f is None) or float(v) == f


def test_a_slice_reads_its_own_values():
    values = [Decimal(i).scaleb(-2) for i in range(-500, 500)] + [None, Decimal("123456789012.0123456789")]
    arr = pa.array(values, pa.decimal128(38, 10))
    for start, length in ((0, 10), (3, 400), (995, 7), (1000, 2)):
        part = arr.slice(start, length)
        assert decimal_to_float(part).to_pylist() == [None if v is None else float(v)
                                                      for v in values[start:start + length]]


def test_a_table_of_chunks_and_other_columns_is_converted_column_by_column():
    a = pa.chunked_array([pa.array([Decimal("1.10"), None], pa.decimal128(12, 2)),
                          pa.array([Decimal("-0.30")], pa.decimal128(12, 2))])
    tbl = pa.table({"id": pa.array(["x", "y", "z"]), "amount": a,
                    "wide": pa.array([Decimal("0.1"), Decimal("0.2"), None], pa.decimal256(60, 30))})
    out = engine.decimals_to_float(tbl)
    assert out.schema.field("amount").type == pa.float64() and out.schema.field("wide").type == pa.float64()
    assert out.column("amount").to_pylist() == [1.1, None, -0.3]
    assert out.column("wide").to_pylist() == [0.1, 0.2, None]
    assert out.column("id").to_pylist() == ["x", "y", "z"]


def test_engine_sums_arrive_as_the_nearest_double():
    import ibis

    t = ibis.memtable({"c": ["a", "a", "b", "b", "c"], "x": [0.1, 0.2, 1e6 + 0.07, 2.3e9, None]})
    q = t.group_by("c").aggregate(s=t.x.cast("decimal(38, 10)").sum()).order_by("c")
    df = engine.to_frame(q)
    assert df["s"].tolist()[:2] == [float(Decimal("0.3")), float(Decimal("1000000.07") + Decimal("2300000000"))]
    assert np.isnan(df["s"].iloc[2])
