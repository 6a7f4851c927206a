from datetime import date
from pathlib import Path

import pytest

from analytics.params import Param, parse_params, to_query

SPEC = [Param("grain", "str", "month", choices=("day", "week", "month")), Param("k", "int", 10, min=1, max=50),
        Param("from", "date"), Param("cats", "list"), Param("rp", "bool", False), Param("th", "float", 0.1)]


def test_parse_valid_values():
    p = parse_params(SPEC, {"grain": "week", "k": "20", "from": "2024-06-18", "cats": "a,b", "rp": "1", "th": "0.15"})
    assert p.values == {"grain": "week", "k": 20, "from": date(2024, 6, 18), "cats": ["a", "b"], "rp": True, "th": 0.15}
    assert p.problems == []


def test_bad_values_fall_back_to_defaults_and_are_reported():
    p = parse_params(SPEC, {"grain": "hour", "k": "999", "from": "18/06/2024", "rp": "maybe", "th": "nan"})
    assert p.values["grain"] == "month" and p.values["k"] == 10 and p.values["from"] is None
    assert p.values["rp"] is False and p.values["th"] == 0.1
    assert len(p.problems) == 5


def test_query_round_trip_omits_defaults():
    vals = {"grain": "month", "k": 20, "from": date(2025, 1, 2), "cats": ["x"], "rp": True, "th": 0.1}
    q = to_query(SPEC, vals)
    assert q == {"k": "20", "from": "2025-01-02", "cats": "x", "rp": "1"}
    assert parse_params(SPEC, q).values == vals


# ---------------------------------------------------------------- ranges (issue 12, item 8)

import importlib  # noqa: E402
import math  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402

from analytics.params import ID_MAX, JS_SAFE_INT, id_param, parse_float, parse_id, parse_int  # noqa: E402
from analytics.registry import PAGES  # noqa: E402


@pytest.mark.parametrize("spec, raw", [
    (Param("horizon", "int", 3, min=1, max=52), "1e400"),
    (Param("k", "int", None, min=2, max=12), "1e400"),
    (id_param("o", 0, min=0), "1e400"),
    (id_param("persona"), "1e400"),
    (Param("seed", "int", 42, min=0), "1e20"),             # beyond the browser's safe integers
    (Param("seed", "int", 42, min=0), str(JS_SAFE_INT + 1)),
    (Param("n", "int", 5), "-" + str(JS_SAFE_INT + 1)),    # no explicit bounds: safe ones all the same
    (id_param("plan"), "²"),                               # str.isdigit() says yes, int() says no
    (id_param("plan"), "١٢"),                              # Arabic-Indic digits
    (id_param("plan"), "12345678901234567890123"),          # 23 digits: beyond a 64-bit key
    (id_param("plan"), str(ID_MAX + 1)),
    (id_param("plan"), "0"),
    (Param("k", "int", 10, min=1, max=50), "2.5"),           # not a whole number
    (Param("th", "float", 0.1), "1e400"),
    (Param("th", "float", 0.1), "inf"),
    (Param("th", "float", 0.1), "١.٥"),
    (Param("k", "int", 10, min=1, max=50), "9" * 5000),       # a 5,000-digit number is refused before int()
])
def test_out_of_range_and_malformed_numbers_fall_back_with_a_problem(spec, raw):
    p = parse_params([spec], {spec.key: raw})
    assert p.values[spec.key] == spec.default
    assert len(p.problems) == 1 and p.problems[0].startswith(f"{spec.key}=")


def test_numbers_in_range_are_read_exactly():
    assert parse_int("9007199254740991") == JS_SAFE_INT  # exact, not through a float
    assert parse_int("+42") == 42 and parse_int("4.2e1") == 42 and parse_int("42.0") == 42
    assert parse_id(str(ID_MAX)) == ID_MAX and parse_id("7") == 7
    assert parse_id("0") is None and parse_id("-3") is None and parse_id("²") is None and parse_id(None) is None
    assert parse_float("1.5e3") == 1500.0 and parse_float(" 0.25 ") == 0.25
    spec = [id_param("plan"), Param("seed", "int", 0, min=0)]
    assert parse_params(spec, {"plan": str(ID_MAX), "seed": str(JS_SAFE_INT)}).values == {"plan": ID_MAX, "seed": JS_SAFE_INT}


def test_int_params_always_have_bounds_the_browser_can_hold():
    for spec in [Param("n", "int", 5), Param("seed", "int", 0, min=0), id_param("o", 0, min=0)]:
        lo, hi = spec.bounds()
        assert lo is not None and hi is not None and -ID_MAX <= lo <= hi <= ID_MAX
    assert Param("n", "int", 5).bounds() == (-JS_SAFE_INT, JS_SAFE_INT)
    assert Param("seed", "int", 0, min=0).bounds() == (0, JS_SAFE_INT)


def _all_specs() -> list[Param]:
    from components.sidebar import KIND_KEYS

    specs = [p for info in PAGES for p in getattr(importlib.import_module(info.module), "PARAMS", [])]
    specs += [id_param(k, 0, min=0) for k in KIND_KEYS.values()]  # the sidebar's dataset pickers
    # the object ids the pages read from the link go through the same parser
    pages = Path(__file__).resolve().parents[2] / "pages"
    assert 'p=id_param("persona")' in (pages / "persona_builder.py").read_text(encoding="utf-8")
    assert "plan_id = parse_id(raw)" in (pages.parent / "components" / "promotion_plans.py").read_text(encoding="utf-8")
    sidebar = (pages.parent / "components" / "sidebar.py").read_text(encoding="utf-8")
    assert "id_param(key, default, min=0)" in sidebar and "parse_id(" in sidebar
    specs += [id_param("persona"), id_param("plan")]
    return specs


SPECS = _all_specs()
NUMERIC_TEXT = hs.one_of(
    hs.text(max_size=40),
    hs.from_regex(r"\A[+-]?[0-9]{1,30}(\.[0-9]{0,5})?([eE][+-]?[0-9]{1,4})?\Z"),
    hs.sampled_from(["1e400", "-1e400", "nan", "inf", "²", "١٢", "1e20", "9" * 23, "0x10", "1_000", " 7 ", "",
                     "2024-02-30", "9999-12-31", "[a](http://x)", "true", "maybe"]),
)


@settings(max_examples=300, deadline=None)
@given(data=hs.data())
def test_parse_params_never_raises_and_keeps_values_in_range(data):
    """Arbitrary URL text for every parameter of every page: never an exception, every value in range."""
    spec = data.draw(hs.sampled_from(SPECS))
    raw = data.draw(NUMERIC_TEXT)
    p = parse_params([spec], {spec.key: raw})
    v = p.values[spec.key]
    if v == spec.default and (p.problems or raw in ("", None)):
        return
    assert not p.problems
    if spec.type in ("int", "float"):
        lo, hi = spec.bounds()
        assert isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        assert (lo is None or v >= lo) and (hi is None or v <= hi), (spec, raw, v)
        if spec.type == "int":
            assert isinstance(v, int) and -JS_SAFE_INT <= v <= ID_MAX
    if spec.choices is not None and spec.type != "list":
        assert v in spec.choices
    if spec.type == "list" and spec.choices is not None:
        assert all(x in spec.choices for x in v)
    if spec.type == "date":
        assert isinstance(v, date)
