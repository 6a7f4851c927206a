"""Page inputs (analytics/inputs.py) and the fit/present wiring in analytics/report.py: modules on the engine
get Ibis tables over the stored parts and never load whole frames; parameters are completed in one place."""

from __future__ import annotations

import types
from dataclasses import dataclass

import pandas as pd
import pytest

from analytics import inputs as inp
from analytics import report
from analytics.params import Param, resolve
from data import repository as repo
from tests import fixtures


@dataclass(frozen=True)
class _Fit:
    gross: float
    lines: int
    grain: str


def _fake_module(calls: list[str]) -> types.ModuleType:
    mod = types.ModuleType("fake_page")
    mod.KINDS = {"orders": True}
    mod.PARAMS = [Param("grain", "str", "month", choices=("day", "month")), Param("digits", "int", 2)]
    mod.FIT_PARAMS = ("grain",)

    def fit(tables, params):
        calls.append(f"fit {sorted(params)}")
        t = tables["orders"]
        row = t.aggregate(gross=t.amount.sum(where=~t.is_return), lines=t.count()).to_pyarrow().to_pylist()[0]
        return _Fit(gross=float(row["gross"]), lines=int(row["lines"]), grain=params["grain"])

    def present(result, params, lang):
        calls.append(f"present {lang}")
        label = "毛销售额" if lang == "zh" else "gross sales"
        return {"kpis": {"gross_sales": round(result.gross, params["digits"])}, "label": label,
                "grain": result.grain}

    def compute(frames, params, lang="en"):  # pragma: no cover - must not be called for engine modules
        raise AssertionError("compute called for a module on the engine")

    mod.fit, mod.present, mod.compute = fit, present, compute
    return mod


def test_resolve_completes_parameters_and_keeps_given_values():
    spec = [Param("grain", "str", "month"), Param("k", "int", 3)]
    assert resolve(spec, {"k": 5, "grain": None}) == {"start": None, "end": None, "grain": "month", "k": 5}
    assert resolve(spec, None) == resolve(spec, {"grain": "month"})  # a spelt-out default is the same fit


def test_fit_params_keep_only_what_the_fit_depends_on():
    mod = _fake_module([])
    full = resolve(mod.PARAMS, {"digits": 0})
    assert inp.fit_params(mod, full) == {"start": None, "end": None, "grain": "month"}
    assert inp.fit_params(types.SimpleNamespace(), {"a": 1}) == {"a": 1}  # no FIT_PARAMS: all of them
    assert inp.uses_engine(mod) and not inp.uses_engine(types.SimpleNamespace(compute=lambda *a: {}))


def test_a_module_on_the_engine_gets_tables_over_the_parts_and_never_a_frame(engine, monkeypatch):
    orders = fixtures.online_retail_orders()
    info = repo.write_dataset(kind="orders", frame=orders, name="OR", content_hash="h", mapping={}, engine=engine)
    calls: list[str] = []
    monkeypatch.setattr(report, "module", lambda url: _fake_module(calls))
    loaded: list[int] = []
    real = repo.load_frame
    monkeypatch.setattr(repo, "load_frame", lambda **kw: loaded.append(1) or real(**kw))

    inputs, infos = report.load_inputs([info["id"]], engine=engine)
    assert [i["rows"] for i in infos] == [541_909]
    res = report.compute_page("fake", inputs, {"digits": 2}, "en")
    want = round(float(orders.loc[~orders["is_return"], "amount"].sum()), 2)
    assert res["kpis"]["gross_sales"] == pytest.approx(want, abs=0.01)
    assert loaded == []  # the lines were scanned where they lie, never loaded whole
    assert calls == ["fit ['end', 'grain', 'start']", "present en"]

    fitted = report.fit_page("fake", inputs, {"digits": 0})
    zh = report.present_page("fake", fitted, {"digits": 0}, "zh")
    assert zh["label"] == "毛销售额" and zh["kpis"]["gross_sales"] == round(fitted.gross)
    assert calls[-2:] == ["fit ['end', 'grain', 'start']", "present zh"]


def test_of_frames_registers_the_frames_as_tables():
    df = pd.DataFrame({"amount": [1.0, 2.5, -1.0], "is_return": [False, False, True]})
    inputs = inp.Inputs.of_frames({"orders": df})
    t = inputs.tables()["orders"]
    assert float(t.amount.sum().to_pyarrow().as_py()) == 2.5
    assert inputs.frames()["orders"] is df
    assert inputs.kinds == {"orders"}


def test_a_missing_required_kind_is_the_page_empty_state(monkeypatch):
    from analytics.common import AnalyticsError

    monkeypatch.setattr(report, "module", lambda url: _fake_module([]))
    with pytest.raises(AnalyticsError):
        report.fit_page("fake", inp.Inputs.of_frames({}), {})
