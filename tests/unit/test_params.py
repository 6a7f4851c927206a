from datetime import date

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
