"""Recommendations page (issue 8): renders in both languages on the demo workspace and on Online Retail,
filters change the numbers, a share link restores every control, bad link values are reset with a
warning, the empty state names the dataset, only analysts save target lists, and on Online Retail
(holdout 2011-09-01, k = 10) the chosen model beats the top-seller baseline on precision@10 and coverage
as shown on the page (tests/unit/test_report_recommend.py shows the headless report computes the same
numbers, tests/unit/test_recommend.py that they equal an independent computation)."""

from __future__ import annotations


import pytest

from components.ui import md_escape
from tests.app.conftest import make_app, open_tab, texts

PAGE = "pages/recommendations.py"


def _q(workspace, **extra):
    ids = workspace["ids"]
    return {"o": str(ids["orders"]), "cu": str(ids["customers"]), **extra}


def _metric(at, prefix):
    return next(m for m in at.metric if m.label.startswith(prefix))


def _models(at):
    return next(d.value for d in at.dataframe if "n_users" in d.value.columns)


def _widget(elements, label):
    return next(w for w in elements if w.label == label)


def _pct(s: str) -> float:
    return float(s.rstrip("%")) / 100


# the lists' English headers (analytics.recommend.TABLES) back to their keys
KEYS = {"Rank": "rank", "Product id": "product_id", "Product": "product_name", "Why": "reason", "Customer id": "customer_id",
        "Customer": "customer_status", "Score": "score", "Likelihood vs the top customer": "relative_score"}


def _frames(at):
    return [d.value.rename(columns=KEYS) for d in at.dataframe]


def _sample(at):
    return next(d for d in _frames(at) if list(d.columns) == ["rank", "product_id", "product_name", "reason"])


def _sample_products(at):
    return list(_sample(at)["product_id"])


@pytest.fixture(scope="module")
def demo_en(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace)).run()
    assert not at.exception, at.exception
    return at


def test_renders_in_english_on_the_demo_workspace(demo_en):
    at = demo_en
    body = texts(at)
    assert [t.value for t in at.title] == ["Recommendations"]
    # progress of the training is shown in steps
    assert "1/3 Order history" in body and "2/3 Training" in body
    # the verdict sentence and the KPI cards with definitions on hover
    assert "Personalisation earns its keep" in body
    prec = _metric(at, "Precision@10")
    assert prec.help.startswith("Precision@k = relevant products")
    assert "pts vs top sellers" in (prec.delta or "")
    # model comparison: four models, the baseline named, the chosen one starred
    models = _models(at)
    assert list(models["model"]) == ["Item-to-item", "Customer kNN", "Latent factors (ALS)", "Top sellers (baseline)"]
    chosen = models[models["chosen"] == "★"].iloc[0]
    base = models[models["model"] == "Top sellers (baseline)"].iloc[0]
    assert chosen["precision_at_k"] > base["precision_at_k"]
    assert _pct(prec.value) == pytest.approx(chosen["precision_at_k"], abs=5e-4)
    assert len(at.get("plotly_chart")) >= 2
    # only the open tab ran: the target tabs' groups were not read
    assert "Choose a group to build its target list" not in body
    assert "Choose a product to list the customers most likely to buy it" not in body
    # sample recommendations with a reason for every product
    open_tab(at, "sample")
    assert "Precision@10" not in [m.label for m in at.metric]
    assert len(at.selectbox(key="recommendations:sc").options) == 20
    sample = _sample(at)
    assert len(sample) == 10
    assert sample["reason"].str.contains("Bought together with|Customers like you|Fits your purchase|Top seller").all()
    # target tabs start with a useful prompt, not an empty table
    assert "Choose a group to build its target list" in texts(open_tab(at, "segment"))
    assert "Choose a product to list the customers most likely to buy it" in texts(open_tab(at, "product"))
    assert at.selectbox(key="recommendations:product").options[0] == "— choose a product —"
    open_tab(at, "models")  # as test_renders_in_chinese reads it
    assert _models(at)["precision_at_k"].tolist() == models["precision_at_k"].tolist()


def test_renders_in_chinese(workspace, demo_en):
    at = make_app("ana", page=PAGE, query=_q(workspace, lang="zh")).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["商品推荐"]
    body = texts(at)
    assert "个性化物有所值" in body
    assert any(m.label == "命中率" for m in at.metric)
    assert list(_models(at)["model"])[-1] == "热销榜（基线）"
    # same numbers as in English
    assert list(_models(at)["precision_at_k"]) == pytest.approx(list(_models(demo_en)["precision_at_k"]))


def test_a_filter_changes_the_results_and_the_url(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace)).run()
    before = _metric(at, "Precision@10").value
    first = _sample_products(open_tab(at, "sample"))[0]
    # force the top-seller baseline: the KPIs become the baseline's, the finding says so
    open_tab(at, "models")
    at.selectbox(key="recommendations:model").select("popular").run()
    assert not at.exception
    assert at.query_params["model"] in ("popular", ["popular"])
    after = _metric(at, "Precision@10")
    assert after.value != before and not after.delta
    assert "You chose Top sellers" in texts(at)
    assert "Personalisation earns its keep" in texts(at)  # the verdict is about the best personalised model
    # exclude the sample customer's former first product: it leaves their list
    at.selectbox(key="recommendations:model").select("auto").run()
    assert _sample_products(open_tab(at, "sample"))[0] == first
    at.multiselect(key="recommendations:exclude").select(first).run()
    assert not at.exception
    assert first not in _sample_products(at)
    assert at.query_params["exclude"] in (first, [first])
    # an uploaded list of product ids (CSV, header named like a product id) is added to the exclude list
    second = _sample_products(at)[0]
    csv = f"SKU,reason\n{second},out of stock\nNOPE-1,gone\n".encode()
    at.get("file_uploader")[0].set_value(("stock.csv", csv, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="recommendations:exclude").value == [first, second]
    assert second not in _sample_products(at)
    body = texts(at)
    assert "1 product ids from stock.csv were added" in body.replace("\\", "")
    assert "NOPE-1" in body.replace("\\", "")
    # the file's ids travel in the link like any other filter
    ex = at.query_params["exclude"]
    assert (ex if isinstance(ex, str) else ",".join(ex)).split(",") == [first, second]


def test_a_share_link_restores_every_control(workspace):
    q = _q(workspace, k="5", model="user", exclude_window_days="30", rp="1", exclude="LM-SK-001",
           boost="LM-SK-013", boost_factor="2", tsrc="cn8", tseg="重要价值", product="LM-SK-002",
           top_customers="20", holdout_from="2026-07-01")
    at = make_app("vic", page=PAGE, query=q).run()
    assert not at.exception, at.exception
    # a link with a target group opens on the target lists' tab, and names it from then on
    assert at.query_params["tab"] in ("segment", ["segment"])
    assert at.number_input(key="recommendations:k").value == 5
    assert at.selectbox(key="recommendations:model").value == "user"
    assert at.number_input(key="recommendations:exclude_window_days").value == 30
    assert at.toggle(key="recommendations:rp").value is True
    assert at.multiselect(key="recommendations:exclude").value == ["LM-SK-001"]
    assert at.multiselect(key="recommendations:boost").value == ["LM-SK-013"]
    assert at.number_input(key="recommendations:boost_factor").value == 2.0
    assert str(at.date_input(key="recommendations:holdout_from").value) == "2026-07-01"
    assert at.radio(key="recommendations:tsrc").value == "cn8"
    assert at.selectbox(key="recommendations:tseg_cn8").value == "重要价值"
    seg = next(d for d in _frames(at) if "customer_status" in d.columns and "reason" in d.columns
               and d["customer_id"].nunique() > 20)
    assert set(seg.groupby("customer_id").size()) == {5}
    assert "LM-SK-001" not in set(seg["product_id"])
    assert "promoted" in " ".join(seg["reason"]) or "LM-SK-013" not in set(seg["product_id"])
    # a viewer reads and exports, but cannot save the list
    assert "Your role (viewer) cannot save results" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("recommendations:save")]
    # the product tab: its controls from the link
    open_tab(at, "product")
    assert at.selectbox(key="recommendations:product").value == "LM-SK-002"
    assert at.number_input(key="recommendations:top_customers").value == 20
    buyers = next(d for d in _frames(at) if "relative_score" in d.columns)
    assert len(buyers) == 20 and buyers["relative_score"].iloc[0] == pytest.approx(1.0)
    assert not [b for b in at.button if b.key and b.key.startswith("recommendations:save")]
    # the numbers reflect it: k = 5, the forced model, the holdout date, the rules
    open_tab(at, "models")
    assert _metric(at, "Precision@5")
    body = texts(at)
    assert "Chosen model: Customer kNN" in body
    assert "before 1 Jul 2026" in body
    assert "LM-SK-001" not in _sample_products(open_tab(at, "sample"))
    # back on the target lists' tab, the link's group is still chosen (its widget was not drawn meanwhile)
    open_tab(at, "segment")
    assert at.selectbox(key="recommendations:tseg_cn8").value == "重要价值"
    assert at.query_params["tseg"] in ("重要价值", ["重要价值"])


def test_a_bad_link_value_is_reset_with_a_warning(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace, k="abc", model="nonsense", tab="nonsense")).run()
    assert not at.exception, at.exception
    assert "were not valid and were reset" in texts(at)
    assert "tab=nonsense" in texts(at)
    assert "tab" not in at.query_params  # the first tab is open, and the link no longer names another
    assert at.number_input(key="recommendations:k").value == 10
    assert at.selectbox(key="recommendations:model").value == "auto"
    assert _metric(at, "Precision@10")


def test_the_open_tab_survives_a_language_switch(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace, tab="sample")).run()
    assert not at.exception, at.exception
    assert len(at.selectbox(key="recommendations:sc").options) == 20 and not at.metric
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["商品推荐"]
    assert len(at.selectbox(key="recommendations:sc").options) == 20 and not at.metric
    assert at.query_params["tab"] in ("sample", ["sample"])


def test_a_choice_that_went_away_in_a_hidden_tab_is_reset_quietly(workspace):
    """A sample customer chosen on the sample tab, the tab left, the seed changed (another sample): back on
    the tab the choice is the first of the new sample, and no "bad link" warning blames the link."""
    other = make_app("ana", page=PAGE, query=_q(workspace, tab="sample", seed="1")).run()
    new_sample = {o.split(" · ")[0] for o in other.selectbox(key="recommendations:sc").options}  # "id · history"
    at = make_app("ana", page=PAGE, query=_q(workspace, tab="sample")).run()
    sc = at.selectbox(key="recommendations:sc")
    gone = next(c for c in (o.split(" · ")[0] for o in sc.options) if c not in new_sample)
    sc.select(gone).run()
    assert at.query_params["sc"] in (gone, [gone])
    open_tab(at, "models")
    at.number_input(key="recommendations:seed").set_value(1).run()
    assert not at.exception, at.exception
    open_tab(at, "sample")
    assert at.selectbox(key="recommendations:sc").value != gone
    assert {o.split(" · ")[0] for o in at.selectbox(key="recommendations:sc").options} == new_sample
    assert "were not valid and were reset" not in texts(at)


def test_empty_state_names_the_dataset_and_offers_the_template(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace, o="0")).run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "This page needs a Orders dataset" in body and "Upload your Orders export" in body
    assert any(b.proto.label.startswith("Download the") for b in at.get("download_button"))
    assert not at.metric


def test_an_analyst_saves_a_segment_target_list(workspace):
    at = make_app("ana", page=PAGE, query=_q(workspace, tsrc="rfm", tseg="Champions")).run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "customers in Champions" in body
    seg = next(d for d in _frames(at) if "customer_status" in d.columns and "reason" in d.columns
               and d["customer_id"].nunique() > 20)
    sizes = seg.groupby("customer_id").size()
    assert sizes.max() == 10 and sizes.min() >= 1  # heavy buyers of a 60-product range have few new products left
    assert seg["reason"].str.len().min() > 0
    at.text_input(key="recommendations:save_name:segment").input("Champions autumn")
    at.button(key="recommendations:save:segment").click().run()
    assert not at.exception
    assert "Saved “Champions autumn”" in texts(at)
    from analytics import cached

    saved = [o for o in cached.list_objects("reco_target_list") if o["name"] == "Champions autumn"]
    assert saved and saved[0]["owner"] == "ana"
    assert saved[0]["payload"]["target"] == {"source": "rfm", "value": "Champions", "label": "Champions"}


def test_online_retail_chosen_model_beats_popularity_as_shown(workspace, online_retail, monkeypatch):
    import analytics.recommend as reco

    fits = []
    real_fit = reco.fit
    monkeypatch.setattr(reco, "fit", lambda *a, **kw: fits.append(1) or real_fit(*a, **kw))
    q = {"o": str(online_retail), "cu": "0", "holdout_from": "2011-09-01", "k": "10"}
    at = make_app("ana", page=PAGE, query=q).run()
    assert not at.exception, at.exception
    models = _models(at).set_index("model")
    chosen = models[models["chosen"] == "★"]
    assert len(chosen) == 1 and chosen.index[0] != "Top sellers (baseline)"
    base = models.loc["Top sellers (baseline)"]
    assert chosen["precision_at_k"].iloc[0] > base["precision_at_k"]
    assert chosen["coverage"].iloc[0] > base["coverage"]
    assert "Personalisation earns its keep" in texts(at)
    # a warm rerun with the same settings comes from the cache
    n_fits = len(fits)
    assert n_fits <= 1  # 0 when an earlier test of the session fitted the same settings
    at.run()
    assert not at.exception and len(fits) == n_fits
    # a target list for an RFM group, built through analytics.segmentation, on its tab (no refit)
    open_tab(at, "segment")
    assert len(fits) == n_fits
    at.selectbox(key="recommendations:tseg_rfm").select("Champions").run()
    assert not at.exception
    assert "customers in Champions" in texts(at)
    # and in Chinese (the holdout evaluation is shared across languages)
    zh = make_app("ana", page=PAGE, query={**q, "lang": "zh"}).run()
    assert not zh.exception
    assert [t.value for t in zh.title] == ["商品推荐"]
    assert list(_models(zh)["precision_at_k"]) == pytest.approx(list(models["precision_at_k"]))


def test_a_saved_persona_gets_a_target_list(workspace):
    from data import repository

    pid = repository.save_object(kind="persona", name="High-value <b>beauty</b> fans", owner="ana",
                                 payload={"version": 1, "source": "rfm", "segment": "Champions",
                                          "params": {"start": None, "end": None}, "results": {}})
    at = make_app("ana", page=PAGE, query=_q(workspace, tsrc="persona", tseg=str(pid))).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="recommendations:tseg_persona").value == str(pid)
    body = texts(at)
    assert "customers in High\\-value <b>beauty</b> fans" not in body  # user text is escaped
    assert md_escape("High-value <b>beauty</b> fans") in body and "High-value \\<b\\>beauty\\</b\\> fans" in body
    seg = next(d for d in _frames(at) if "customer_status" in d.columns and "reason" in d.columns
               and d["customer_id"].nunique() > 20)
    assert seg["customer_id"].nunique() > 100


def test_a_name_typed_for_a_target_list_survives_a_look_at_another_tab(workspace):
    """Only the open tab is drawn, and Streamlit drops the state of a widget a run does not draw: the name
    field is kept (state.keep), so the name typed is still there after a look at another tab and after a
    language switch; an untouched default follows the language, and another target shows its own default."""
    at = make_app("ana", page=PAGE, query=_q(workspace, tsrc="rfm", tseg="Champions")).run()
    assert not at.exception, at.exception
    key = "recommendations:save_name:segment"
    default = at.text_input(key=key).value
    assert "Champions" in default
    # an untouched default follows the language
    at.sidebar.radio(key="lang").set_value("zh").run()
    zh_default = at.text_input(key=key).value
    assert zh_default != default and "10" in zh_default
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.text_input(key=key).value == default
    at.text_input(key=key).input("Champions autumn").run()
    open_tab(at, "sample")
    assert not [w for w in at.text_input if w.key == key]  # the segment tab did not run
    open_tab(at, "segment")
    assert at.text_input(key=key).value == "Champions autumn"
    # what was typed survives a language switch too
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.text_input(key=key).value == "Champions autumn"
    at.sidebar.radio(key="lang").set_value("en").run()
    at.button(key="recommendations:save:segment").click().run()
    assert "Saved “Champions autumn”" in texts(at)
    at.query_params["tseg"] = "Loyal"
    at.run()
    assert at.text_input(key=key).value != "Champions autumn" and "Loyal" in at.text_input(key=key).value


def test_a_link_with_only_a_sample_customer_opens_on_the_first_tab_and_keeps_the_customer(workspace):
    """Links made before the open tab was in the URL carry ``sc=`` (the sample tab wrote it on every run), and
    then opened on the first tab: they still do, and the sample tab shows the linked customer."""
    first = make_app("ana", page=PAGE, query=_q(workspace, tab="sample")).run()
    sc = first.selectbox(key="recommendations:sc").options[3].split(" · ")[0]
    at = make_app("ana", page=PAGE, query=_q(workspace, sc=sc)).run()
    assert not at.exception, at.exception
    assert at.metric and not [w for w in at.selectbox if w.key == "recommendations:sc"]
    assert "tab" not in at.query_params
    open_tab(at, "sample")
    assert at.selectbox(key="recommendations:sc").value == sc
