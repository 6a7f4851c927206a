"""analytics.cached.Presented: the shared page result and what the screen prepares from it, and
components.ui's once-serialised figures (issues 13 and 18: a warm rerun does not redo them)."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io
import plotly.tools

from analytics.cached import Presented, source_of


def result() -> dict:
    return {"kpis": {"gmv": 1.0}, "rows": [{"a": 1}, {"a": 2}],
            "block": {"stages": [{"model": "AIPL", "n": 1}, {"model": "O5A", "n": 2}], "inner": {"deep": [{"x": 1}]}}}


def test_path_of_finds_the_parts_of_the_result_by_identity_only():
    r = result()
    p = Presented(r)
    assert p.path_of(r["rows"]) == ("rows",)
    assert p.path_of(r["block"]["stages"]) == ("block", "stages")
    assert p.path_of(r["block"]["inner"]["deep"]) == ("block", "inner", "deep")
    assert p.path_of([{"a": 1}, {"a": 2}]) is None  # equal rows that are not the result's
    assert p.path_of(list(r["rows"])) is None


def test_prepared_builds_once_per_part_and_key_and_never_for_rows_from_elsewhere():
    r = result()
    p = Presented(r)
    calls = []

    def build(tag):
        calls.append(tag)
        return {"tag": tag}

    first = p.prepared(r["rows"], ("t", "en"), lambda: build("en"))
    assert p.prepared(r["rows"], ("t", "en"), lambda: build("again")) is first
    assert p.prepared(r["rows"], ("t", "zh"), lambda: build("zh")) == {"tag": "zh"}
    assert p.prepared(r["block"]["stages"], ("t", "en"), lambda: build("stages"))["tag"] == "stages"
    other = [{"a": 1}]
    p.prepared(other, ("t", "en"), lambda: build("o1"))
    p.prepared(other, ("t", "en"), lambda: build("o2"))
    assert calls == ["en", "zh", "stages", "o1", "o2"]


def test_rows_derived_once_count_as_part_of_the_result_while_kept():
    r = result()
    p = Presented(r)
    stages = r["block"]["stages"]
    aipl = p.prepared(stages, ("model", "AIPL"), lambda: [x for x in stages if x["model"] == "AIPL"])
    assert aipl == [{"model": "AIPL", "n": 1}]
    assert p.prepared(stages, ("model", "AIPL"), lambda: []) is aipl
    assert p.path_of(aipl) == ("prepared", (("block", "stages"), ("model", "AIPL")))
    n = []
    p.prepared(aipl, ("table",), lambda: n.append(1) or "t")
    assert p.prepared(aipl, ("table",), lambda: n.append(1) or "t2") == "t" and n == [1]


def test_prepared_is_bounded_and_forgets_the_oldest():
    r = result()
    p = Presented(r)
    p.MAX_PREPARED = 3
    for i in range(5):
        p.prepared(r["rows"], (i,), lambda i=i: [i])
    assert len(p._prepared) == 3 and len(p._derived) == 3
    calls = []
    p.prepared(r["rows"], (0,), lambda: calls.append(0) or [0])  # evicted: built again
    p.prepared(r["rows"], (4,), lambda: calls.append(4) or [4])  # kept
    assert calls == [0]


def test_unchanged_sees_an_edit_of_the_shared_result():
    r = result()
    p = Presented(r)
    assert p.unchanged()
    r["rows"][0]["a"] = 5
    assert not p.unchanged()


def test_source_of_finds_the_presented_of_a_result_and_nothing_else():
    r = result()
    p = Presented(r)
    assert source_of(r) is p
    assert source_of(dict(r)) is None
    assert source_of(None) is None


def test_a_serialised_figure_sends_what_the_figure_sends_and_is_made_once():
    from components import ui

    fig = go.Figure(go.Scatter(x=np.arange(50), y=np.linspace(0, 1, 50), name="a", uid="u1"))
    fig.update_layout(title="t")
    want = plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                             validate=False)
    first = ui._serialised(fig)
    # what st.plotly_chart does with it
    got = plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(first, validate_figure=True),
                            validate=False)
    assert json.loads(got) == json.loads(want)
    assert ui._serialised(fig).to_dict() is first.to_dict()  # the same dict, not converted again
    again = plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(ui._serialised(fig), validate_figure=True),
                              validate=False)
    assert again == got  # sending it did not edit the kept dict
    assert ui._serialised({"data": []}) == {"data": []}  # not a plotly figure: as it is
