"""Persona builder on the engine (issue 13): the numbers before and after the move of the line-level work
into Ibis / DuckDB, and the fit / present split.

``EXPECTED`` was recorded with the pandas implementation (analytics/personas.py before issue 13) on the
demo workspace (seed 7: orders + customers) and on Online Retail (orders only), for RFM, cn8, tier and
cluster segments; the engine implementation must give the same segment and base sizes, TGI rows,
intervals and persona cards.
"""

from __future__ import annotations

import math

import pytest

from analytics import personas
from analytics.common import NotEnoughData
from analytics.params import parse_params
from analytics.report import page_params

CASES = {
    "demo_rfm": ("demo", {}, "en"),
    "demo_tier_zh": ("demo", {"source": "tier"}, "zh"),
    "demo_cluster": ("demo", {"source": "cluster", "segment": "2", "k": "4"}, "en"),
    "retail_rfm": ("retail", {}, "en"),
    "retail_cn8": ("retail", {"source": "cn8", "analysis_date": "2011-10-01"}, "en"),
    "retail_tier_zh": ("retail", {"source": "tier", "start": "2011-01-01"}, "zh"),
    "retail_cluster": ("retail", {"source": "cluster", "segment": "1", "k": "3"}, "en"),
}
ORDER_ATTRS = ("category", "channel", "hour_band", "weekday", "price_sensitivity")


def _load() -> dict:
    from data import demo
    from tests.fixtures import online_retail_orders

    d = demo.generate(seed=7)
    return {"demo": {"orders": d["orders"], "customers": d["customers"]},
            "retail": {"orders": online_retail_orders()}}


@pytest.fixture(scope="module")
def datasets():
    return _load()


def _params(raw: dict) -> dict:
    return parse_params(page_params(personas.PAGE), raw).values


def _row(x: dict, keys) -> list:
    return [x[k] for k in keys]


TOP_KEYS = ("attribute", "value", "unit", "segment_count", "segment_n", "base_count", "base_n", "segment_share",
            "base_share", "tgi", "ci_low", "ci_high", "tgi_low", "tgi_high", "n_eff", "significant")
ORDER_KEYS = ("attribute", "value", "segment_count", "segment_n", "base_count", "base_n", "n_eff", "significant")


def digest(r: dict) -> dict:
    """The key numbers and texts of a page result."""
    rows = r["attributes"]
    fin = [x for x in rows if x["tgi"] is not None]
    top = sorted(fin, key=lambda x: (-x["tgi"], x["attribute"], str(x["value"])))[:8]
    per_attr: dict[str, int] = {}
    for x in rows:
        per_attr[x["attribute"]] = per_attr.get(x["attribute"], 0) + 1
    card = r["card"]
    return {
        "segment": dict(r["segment"]), "analysis_date": str(r["analysis_date"]), "size": r["size"],
        "base_size": r["base_size"], "kpis": dict(r["kpis"]), "stats": dict(r["stats"]),
        "rows_per_attribute": dict(sorted(per_attr.items())),
        "top": [_row(x, TOP_KEYS) for x in top],
        "order_rows": [_row(x, ORDER_KEYS) for x in rows if x["attribute"] in ORDER_ATTRS],
        "card": {"name": card["name"], "name_basis": [[b["attribute"], b["value"]] for b in card["name_basis"]],
                 "needs": [[n["attribute"], n["value"], n["text"]] for n in card["needs"]],
                 "channels": [[c["attribute"], c["value"], c["text"]] for c in card["channels"]],
                 "offers": [[o["attribute"], o["value"], o["text"]] for o in card["offers"]],
                 "portrait": card["portrait"]},
        "warnings": list(r["warnings"]), "findings": list(r["findings"]),
    }


def same(got, want, path: str = "") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{path}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{path}[{i}]")
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, float) and math.isnan(want):
        assert got is None or (isinstance(got, float) and math.isnan(got)), f"{path}: {got!r} != nan"
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), f"{path}: {got!r} != {want!r}"


@pytest.mark.parametrize("case", list(CASES))
def test_numbers_match_the_pandas_implementation(datasets, case):
    ds, raw, lang = CASES[case]
    same(digest(personas.compute(datasets[ds], _params(raw), lang)), EXPECTED[case], case)


def _rows(out) -> int:
    """Rows of an engine result (a table, a column or a scalar)."""
    n = getattr(out, "num_rows", None)
    if n is not None:
        return int(n)
    return len(out) if hasattr(out, "__len__") and not isinstance(out, (str, bytes)) else 1


def test_fit_holds_aggregates_not_order_lines(datasets, monkeypatch):
    """Online Retail: no engine result that fit brings into Python is as long as the orders table
    (engine.to_frame, and every result the DuckDB backend hands to Python)."""
    from ibis.backends.duckdb import Backend

    from data import engine

    orders = datasets["retail"]["orders"]
    sizes: list[int] = []
    to_frame, to_pyarrow, execute = engine.to_frame, Backend.to_pyarrow, Backend.execute

    def counting_to_frame(expr, **kw):
        df = to_frame(expr, **kw)
        sizes.append(len(df))
        return df

    def counting_to_pyarrow(self, *a, **kw):
        out = to_pyarrow(self, *a, **kw)
        sizes.append(_rows(out))
        return out

    def counting_execute(self, *a, **kw):
        out = execute(self, *a, **kw)
        sizes.append(_rows(out))
        return out

    monkeypatch.setattr(engine, "to_frame", counting_to_frame)
    monkeypatch.setattr(Backend, "to_pyarrow", counting_to_pyarrow)
    monkeypatch.setattr(Backend, "execute", counting_execute)
    tables = engine.tables_from_frames({"orders": orders})
    for raw in ({}, {"source": "tier"}, {"source": "cluster", "k": "3"}):
        sizes.clear()
        fitted = personas.fit(tables, _params(raw))
        assert sizes and max(sizes) < len(orders), (raw, max(sizes))
        frames = [v for v in vars(fitted).values() if hasattr(v, "shape")]
        assert frames and all(len(f) < len(orders) for f in frames)
        assert len(fitted.customers) == 4339 and fitted.source == (raw.get("source") or "rfm")
    # the order attributes are per segment and value, whatever the number of customers
    st = fitted.order_stats
    assert len(st) <= (st["segment"].nunique(dropna=False) + 1) * (st["value"].nunique() + 1) * len(ORDER_ATTRS)


def test_present_in_another_language_and_segment_never_refits(datasets, monkeypatch):
    import dataclasses

    from data import engine

    data = datasets["demo"]
    params = _params({})
    want_zh = digest(personas.compute(data, params, "zh"))
    fitted = personas.fit(engine.tables_from_frames(data), params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fitted.source = "tier"
    assert "segment" not in personas.FIT_PARAMS and "min_size" not in personas.FIT_PARAMS
    assert {"source", "analysis_date", "k", "tier_basis"} <= set(personas.FIT_PARAMS)

    def no_engine(*a, **kw):
        raise AssertionError("present must not fit again nor query the engine")

    monkeypatch.setattr(personas, "fit", no_engine)
    monkeypatch.setattr(engine, "to_frame", no_engine)
    monkeypatch.setattr(engine, "scalar", no_engine)
    zh = personas.present(fitted, params, "zh")
    same(digest(zh), want_zh)
    en = personas.present(fitted, params, "en")
    assert en["size"] == zh["size"] and en["card"]["name"] != zh["card"]["name"]
    # another segment of the same source, from the same fit
    loyal = personas.present(fitted, {**params, "segment": "Loyal"}, "en")
    assert loyal["segment"]["value"] == "Loyal" and loyal["size"] != en["size"]
    assert loyal["base_size"] == en["base_size"]
    with pytest.raises(NotEnoughData):
        personas.present(fitted, {**params, "min_size": 100000}, "en")


def test_segment_options_take_tables(datasets):
    from data import engine

    tables = engine.tables_from_frames(datasets["demo"])
    opts = personas.segment_options(tables, {"source": "tier"}, "zh")
    assert [o["value"] for o in opts] == ["3", "2", "1", "0"]
    top = personas.compute(datasets["demo"], _params({"source": "tier"}), "zh")
    assert opts[0]["customers"] == top["size"] and opts[0]["label"] == top["segment"]["label"]
    rfm = personas.segment_options(tables, {}, "en")
    assert sum(o["customers"] for o in rfm) == top["base_size"]
    with pytest.raises(NotEnoughData):
        personas.segment_options({}, {}, "en")


# ---------------------------------------------------------------- recorded with the pandas implementation
# (one edit since: Chinese lists are joined with the enumeration comma 、, analytics.i18n.fmt_list)

EXPECTED = {
    'demo_rfm': {
        'segment': {'source': 'rfm', 'value': 'Champions', 'label': 'Champions'},
        'analysis_date': '2026-11-01',
        'size': 2629,
        'base_size': 18800,
        'kpis': {'size': 2629, 'share_of_base': 0.1398404255319149, 'avg_monetary': 7108.8938759984785, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.41159117881070995, 'avg_frequency': 17.705211106884747},
        'stats': {'avg_monetary': 7108.8938759984785, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.41159117881070995, 'avg_frequency': 17.705211106884747, 'avg_recency': 10.07417268923545},
        'rows_per_attribute': {'acquisition_channel': 7, 'age_band': 6, 'category': 5, 'channel': 7, 'city_tier': 5, 'frequency_band': 5, 'gender': 2, 'hour_band': 4, 'income_band': 4, 'interests': 20, 'member_level': 4, 'occupation': 9, 'price_sensitivity': 2, 'recency_band': 5, 'region': 22, 'spend_band': 5, 'weekday': 7},
        'top': [
            ['recency_band', '0-30', 'customers', 2574, 2629, 3654, 18800, 0.9790794979079498, 0.19436170212765957, 503.7409567780366, 0.9728692178389727, 0.9838917719125003, 500.54573878961924, 506.21689414217315, 2629.0, True],
            ['member_level', '黑金', 'customers', 399, 2629, 600, 18800, 0.1517687333586915, 0.031914893617021274, 475.5420311905668, 0.1385622493355192, 0.1659913940805397, 434.16171458462685, 520.1063681190244, 2629.0, True],
            ['frequency_band', '11+', 'customers', 1416, 2629, 2809, 18800, 0.5386078356789654, 0.1494148936170213, 360.4780103511765, 0.5195096574402125, 0.5575933520554401, 347.6960327474544, 373.18458592532124, 2629.0, True],
            ['member_level', '金卡', 'customers', 770, 2629, 1800, 18800, 0.2928870292887029, 0.09574468085106383, 305.9042305904231, 0.27580337268047755, 0.3105750640645187, 288.06130035516543, 324.37840024516396, 2629.0, True],
            ['spend_band', '≥ 3,100', 'customers', 1565, 2629, 3736, 18800, 0.5952833777101559, 0.19872340425531915, 299.553733965496, 0.5763950533551209, 0.6138936548090267, 290.0489026519345, 308.91864856557015, 2629.0, True],
            ['frequency_band', '6-10', 'customers', 682, 2629, 2610, 18800, 0.2594142259414226, 0.13882978723404255, 186.85775661681018, 0.2430190739541151, 0.27651143337593104, 175.0482218520063, 199.1729864930078, 2629.0, True],
            ['member_level', '银卡', 'customers', 1115, 2629, 4595, 18800, 0.4241156333206542, 0.2444148936170213, 173.5228271257519, 0.40534848270240986, 0.44310422277165196, 165.8444281785703, 181.2918256388913, 2629.0, True],
            ['spend_band', '1,400-3,100', 'customers', 803, 2629, 3635, 18800, 0.3054393305439331, 0.19335106382978723, 157.97137315614697, 0.288127371971787, 0.32331903830381553, 149.01773295927362, 167.2186497967464, 2629.0, True],
        ],
        'order_rows': [
            ['category', '护肤 Skincare', 28674, 65381, 70288, 160766, 52183.109866992585, False],
            ['category', '彩妆 Makeup', 13351, 65381, 32414, 160766, 24902.883499086398, False],
            ['category', '个护 Personal care', 10344, 65381, 26172, 160766, 30168.5838230825, True],
            ['category', '套装 Gift sets', 7061, 65381, 17308, 160766, 62655.68613504337, False],
            ['category', '香氛 Fragrance', 5951, 65381, 14584, 160766, 58802.78548686616, False],
            ['channel', 'Douyin', 12591, 46547, 30060, 114744, 2771.5727557626547, False],
            ['channel', 'Taobao', 11875, 46547, 29590, 114744, 2871.9897707983505, False],
            ['channel', 'Pinduoduo', 5744, 46547, 14555, 114744, 3069.307882813383, False],
            ['channel', 'JD', 5474, 46547, 13523, 114744, 3050.6058325681993, False],
            ['channel', 'WeChat', 4363, 46547, 10706, 114744, 3034.3009165460335, False],
            ['channel', 'Xiaohongshu', 3725, 46547, 9004, 114744, 2872.515991485659, False],
            ['channel', 'Kuaishou', 2775, 46547, 7306, 114744, 3161.592113152366, False],
            ['hour_band', 'evening', 20553, 46547, 50392, 114744, 46547.0, False],
            ['hour_band', 'afternoon', 13750, 46547, 33965, 114744, 46547.0, False],
            ['hour_band', 'morning', 8776, 46547, 21533, 114744, 46034.776314370974, False],
            ['hour_band', 'night', 3468, 46547, 8854, 114744, 46515.04004920903, True],
            ['weekday', 'sat', 7680, 46547, 18766, 114744, 46027.60022420877, False],
            ['weekday', 'sun', 7019, 46547, 17671, 114744, 44340.43040147642, False],
            ['weekday', 'fri', 6782, 46547, 16466, 114744, 46547.0, False],
            ['weekday', 'thu', 6529, 46547, 15623, 114744, 46547.0, True],
            ['weekday', 'tue', 6388, 46547, 15572, 114744, 43843.53174384762, False],
            ['weekday', 'mon', 6119, 46547, 15557, 114744, 45285.88856785285, True],
            ['weekday', 'wed', 6030, 46547, 15089, 114744, 46547.0, False],
            ['price_sensitivity', 'full_price', 25075, 46547, 61327, 114744, 44461.240875876465, False],
            ['price_sensitivity', 'discounted', 21472, 46547, 53417, 114744, 44461.240875876465, False],
        ],
        'card': {
            'name': 'Young customers',
            'name_basis': [
                ['age_band', '25-29'],
            ],
            'needs': [],
            'channels': [],
            'offers': [
                ['weekday', 'thu', 'Schedule campaigns on Thursday.'],
            ],
            'portrait': '2,629 customers (14.0% of the base) in Champions. They spend 7,108.89 on average against 2,415.29 for the base, 41.2% of all net sales. Over-represented: Member level 黑金 (TGI 476); Member level 金卡 (TGI 306); Member level 银卡 (TGI 174); Age 25-29 (TGI 109). Under-represented: Member level 普通 (TGI 21); Interest 户外 (TGI 85); Time of day Night (0-6h) (TGI 97).',
        },
        'warnings': [],
        'findings': [
            'Schedule campaigns on Thursday (Day of week = Thursday: 14.0% of the segment, TGI 103).',
        ],
    },
    'demo_tier_zh': {
        'segment': {'source': 'tier', 'value': '3', 'label': '白金会员'},
        'analysis_date': '2026-11-01',
        'size': 606,
        'base_size': 18800,
        'kpis': {'size': 606, 'share_of_base': 0.03223404255319149, 'avg_monetary': 19586.069306930694, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.2613926384497044, 'avg_frequency': 38.493399339933994},
        'stats': {'avg_monetary': 19586.069306930694, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.2613926384497044, 'avg_frequency': 38.493399339933994, 'avg_recency': 31.85148514851485},
        'rows_per_attribute': {'acquisition_channel': 7, 'age_band': 6, 'category': 5, 'channel': 7, 'city_tier': 5, 'frequency_band': 5, 'gender': 2, 'hour_band': 4, 'income_band': 4, 'interests': 20, 'member_level': 4, 'occupation': 9, 'price_sensitivity': 2, 'recency_band': 5, 'region': 22, 'spend_band': 5, 'weekday': 7},
        'top': [
            ['member_level', '黑金', 'customers', 405, 606, 600, 18800, 0.6683168316831684, 0.031914893617021274, 2094.0594059405944, 0.6298741766919175, 0.7046389939844308, 1973.6057536346748, 2207.8688478178833, 606.0, True],
            ['frequency_band', '11+', 'customers', 592, 606, 2809, 18800, 0.976897689768977, 0.1494148936170213, 653.8154705466986, 0.9615978757880408, 0.986189441128279, 643.5756520048119, 660.0342290214185, 606.0, True],
            ['spend_band', '≥ 3,100', 'customers', 606, 606, 3736, 18800, 1.0, 0.19872340425531915, 503.2119914346895, 0.9937008893620932, 1.0, 500.04220342632107, 503.2119914346895, 606.0, True],
            ['recency_band', '0-30', 'customers', 460, 606, 3654, 18800, 0.759075907590759, 0.19436170212765957, 390.5480860072871, 0.7234639280863295, 0.7914239914841279, 372.2255568698138, 407.19132566780524, 606.0, True],
            ['member_level', '金卡', 'customers', 201, 606, 1800, 18800, 0.3316831683168317, 0.09574468085106383, 346.42464246424646, 0.29536100601556936, 0.3701258233080825, 308.48816183848356, 386.5758598995529, 606.0, True],
            ['income_band', '≥ 12,000', 'customers', 311, 606, 4974, 18800, 0.5132013201320133, 0.2645744680851064, 193.9723526031735, 0.4734484421312644, 0.5527878849806063, 178.94713936605893, 208.93470521985117, 606.0, True],
            ['occupation', '企业管理者', 'customers', 88, 606, 1531, 18800, 0.14521452145214522, 0.08143617021276596, 178.31698258003462, 0.11939786875331401, 0.17550084011516784, 146.61527972320727, 215.50723671882136, 606.0, True],
            ['region', '北京', 'customers', 42, 606, 739, 18800, 0.06930693069306931, 0.03930851063829787, 176.31533112715874, 0.05168091608389176, 0.09235891189133504, 131.4751315801306, 234.95907219987805, 606.0, True],
        ],
        'order_rows': [
            ['category', '护肤 Skincare', 14721, 33187, 70288, 160766, 22058.492068375603, False],
            ['category', '彩妆 Makeup', 6496, 33187, 32414, 160766, 11008.601585680479, False],
            ['category', '个护 Personal care', 4554, 33187, 26172, 160766, 14562.814593883852, True],
            ['category', '套装 Gift sets', 4048, 33187, 17308, 160766, 33187.0, True],
            ['category', '香氛 Fragrance', 3368, 33187, 14584, 160766, 26840.17667551001, True],
            ['channel', 'Taobao', 6277, 23327, 29590, 114744, 1002.90491304405, False],
            ['channel', 'Douyin', 6139, 23327, 30060, 114744, 922.2945062394741, False],
            ['channel', 'JD', 2709, 23327, 13523, 114744, 1091.7340770491107, False],
            ['channel', 'WeChat', 2454, 23327, 10706, 114744, 1038.8419435913015, False],
            ['channel', 'Pinduoduo', 2381, 23327, 14555, 114744, 1000.6730325386434, True],
            ['channel', 'Xiaohongshu', 2017, 23327, 9004, 114744, 1002.0409230083725, False],
            ['channel', 'Kuaishou', 1350, 23327, 7306, 114744, 959.6289293366174, False],
            ['hour_band', 'evening', 10178, 23327, 50392, 114744, 23327.0, False],
            ['hour_band', 'afternoon', 6985, 23327, 33965, 114744, 23327.0, False],
            ['hour_band', 'morning', 4383, 23327, 21533, 114744, 23068.70860686727, False],
            ['hour_band', 'night', 1781, 23327, 8854, 114744, 23327.0, False],
            ['weekday', 'sat', 3788, 23327, 18766, 114744, 23327.0, False],
            ['weekday', 'sun', 3612, 23327, 17671, 114744, 21241.787875157246, False],
            ['weekday', 'fri', 3404, 23327, 16466, 114744, 23327.0, False],
            ['weekday', 'tue', 3244, 23327, 15572, 114744, 22016.35569821418, False],
            ['weekday', 'thu', 3185, 23327, 15623, 114744, 23327.0, False],
            ['weekday', 'mon', 3085, 23327, 15557, 114744, 21508.287975220646, False],
            ['weekday', 'wed', 3009, 23327, 15089, 114744, 23327.0, False],
            ['price_sensitivity', 'full_price', 12396, 23327, 61327, 114744, 22376.163073341682, False],
            ['price_sensitivity', 'discounted', 10931, 23327, 53417, 114744, 22376.163073341682, False],
        ],
        'card': {
            'name': '忠实都市宝妈',
            'name_basis': [
                ['frequency_band', '11+'],
                ['city_tier', '一线'],
                ['gender', '女'],
            ],
            'needs': [
                ['category', '套装 Gift sets', '套装 Gift sets 更多的选择和新品。'],
                ['interests', '母婴', '关于 母婴 的内容。'],
            ],
            'channels': [],
            'offers': [
                ['category', '香氛 Fragrance', '套装 Gift sets 与 香氛 Fragrance 组合销售。'],
            ],
            'portrait': '白金会员共 606 位客户（占全体 3.2%）。人均净销售额 2.0万，全体为 2,415.29，贡献全部净销售额的 26.1%。显著偏高：会员等级黑金（TGI 2094）；订单数11+ 单（TGI 654）；最近购买距上次购买 0-30 天（TGI 391）；会员等级金卡（TGI 346）。显著偏低：会员等级普通（TGI 0）；会员等级银卡（TGI 0）；订单数1 单（TGI 0）。',
        },
        'warnings': [],
        'findings': [
            '套装 Gift sets 与 香氛 Fragrance 组合销售（品类 = 香氛 Fragrance：占分群 10.1%，TGI 112）。',
            '套装 Gift sets 更多的选择和新品（品类 = 套装 Gift sets：占分群 12.2%，TGI 113）。',
        ],
    },
    'demo_cluster': {
        'segment': {'source': 'cluster', 'value': '2', 'label': 'Cluster 2'},
        'analysis_date': '2026-11-01',
        'size': 5610,
        'base_size': 18800,
        'kpis': {'size': 5610, 'share_of_base': 0.29840425531914894, 'avg_monetary': 2713.141532976827, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.3352036602322371, 'avg_frequency': 6.5693404634581105},
        'stats': {'avg_monetary': 2713.141532976827, 'base_avg_monetary': 2415.2868085106384, 'net_sales_share': 0.3352036602322371, 'avg_frequency': 6.5693404634581105, 'avg_recency': 323.53743315508024},
        'rows_per_attribute': {'acquisition_channel': 7, 'age_band': 6, 'category': 5, 'channel': 7, 'city_tier': 5, 'frequency_band': 5, 'gender': 2, 'hour_band': 4, 'income_band': 4, 'interests': 20, 'member_level': 4, 'occupation': 9, 'price_sensitivity': 2, 'recency_band': 5, 'region': 22, 'spend_band': 5, 'weekday': 7},
        'top': [
            ['frequency_band', '6-10', 'customers', 1856, 5610, 2610, 18800, 0.33083778966131905, 0.13882978723404255, 238.304614775203, 0.31864489282622854, 0.34326219629938504, 229.52199176755158, 247.2539958018559, 5610.0, True],
            ['spend_band', '1,400-3,100', 'customers', 2539, 5610, 3635, 18800, 0.45258467023172905, 0.19335106382978723, 234.0740522794087, 0.4395966126647233, 0.4656376188499376, 227.35670751297928, 240.82495830478203, 5610.0, True],
            ['member_level', '银卡', 'customers', 3096, 5610, 4595, 18800, 0.5518716577540107, 0.2444148936170213, 225.7929742279739, 0.53882728344376, 0.5648450422300508, 220.45599409668526, 231.1009095522297, 5610.0, True],
            ['frequency_band', '3-5', 'customers', 2592, 5610, 4240, 18800, 0.46203208556149733, 0.225531914893617, 204.8632832206639, 0.44901639850114866, 0.4750997342530722, 199.09217669390554, 210.6574293386264, 5610.0, True],
            ['recency_band', '91-180', 'customers', 1144, 5610, 2492, 18800, 0.20392156862745098, 0.1325531914893617, 153.84131180562113, 0.1935825405680113, 0.2146657998299278, 146.04140299673404, 161.94691158919113, 5610.0, True],
            ['recency_band', '181-365', 'customers', 1656, 5610, 3962, 18800, 0.29518716577540105, 0.21074468085106382, 140.06861980256284, 0.2833947561581754, 0.30725987545966443, 134.4730291714714, 145.79721500862422, 5610.0, True],
            ['spend_band', '≥ 3,100', 'customers', 1532, 5610, 3736, 18800, 0.2730837789661319, 0.19872340425531915, 137.4190322420578, 0.26158313042358633, 0.28489497753943377, 131.631767986173, 143.3625689973596, 5610.0, True],
            ['spend_band', '650-1,400', 'customers', 1443, 5610, 3883, 18800, 0.2572192513368984, 0.20654255319148937, 124.53571787622172, 0.24595012570009736, 0.2688206386719635, 119.07963850532654, 130.15266564596737, 5610.0, True],
        ],
        'order_rows': [
            ['category', '护肤 Skincare', 22704, 52201, 70288, 160766, 52201.0, False],
            ['category', '彩妆 Makeup', 10288, 52201, 32414, 160766, 41424.94291922548, True],
            ['category', '个护 Personal care', 8419, 52201, 26172, 160766, 41060.93662771195, False],
            ['category', '套装 Gift sets', 5939, 52201, 17308, 160766, 52201.0, True],
            ['category', '香氛 Fragrance', 4851, 52201, 14584, 160766, 52201.0, False],
            ['channel', 'Douyin', 9755, 36854, 30060, 114744, 7677.422725750418, False],
            ['channel', 'Taobao', 9407, 36854, 29590, 114744, 8340.153742907372, False],
            ['channel', 'Pinduoduo', 4571, 36854, 14555, 114744, 7870.8031455545115, False],
            ['channel', 'JD', 4323, 36854, 13523, 114744, 7975.63902716348, False],
            ['channel', 'WeChat', 3535, 36854, 10706, 114744, 7997.681921271671, False],
            ['channel', 'Xiaohongshu', 2837, 36854, 9004, 114744, 7642.013400236645, False],
            ['channel', 'Kuaishou', 2426, 36854, 7306, 114744, 7174.75849753492, False],
            ['hour_band', 'evening', 16091, 36854, 50392, 114744, 36057.08002109704, False],
            ['hour_band', 'afternoon', 10965, 36854, 33965, 114744, 36214.41578376815, False],
            ['hour_band', 'morning', 6827, 36854, 21533, 114744, 35092.33225841669, False],
            ['hour_band', 'night', 2971, 36854, 8854, 114744, 36854.0, True],
            ['weekday', 'sat', 5959, 36854, 18766, 114744, 36854.0, False],
            ['weekday', 'sun', 5729, 36854, 17671, 114744, 36854.0, False],
            ['weekday', 'fri', 5222, 36854, 16466, 114744, 36854.0, False],
            ['weekday', 'mon', 5137, 36854, 15557, 114744, 36854.0, True],
            ['weekday', 'tue', 5040, 36854, 15572, 114744, 36854.0, False],
            ['weekday', 'wed', 4904, 36854, 15089, 114744, 36189.87602140139, False],
            ['weekday', 'thu', 4863, 36854, 15623, 114744, 35383.05007838068, True],
            ['price_sensitivity', 'full_price', 19551, 36854, 61327, 114744, 31320.231524322076, False],
            ['price_sensitivity', 'discounted', 17303, 36854, 53417, 114744, 31320.231524322076, False],
        ],
        'card': {
            'name': 'Urban night-owl women',
            'name_basis': [
                ['city_tier', '一线'],
                ['hour_band', 'night'],
                ['gender', '女'],
            ],
            'needs': [
                ['category', '套装 Gift sets', 'More choice and news in 套装 Gift sets.'],
                ['hour_band', 'night', 'Fast mobile shopping in the evening.'],
            ],
            'channels': [],
            'offers': [
                ['category', '套装 Gift sets', 'Content and new arrivals in 套装 Gift sets.'],
                ['hour_band', 'night', 'Schedule messages for the Night (0-6h).'],
                ['weekday', 'mon', 'Schedule campaigns on Monday.'],
            ],
            'portrait': '5,610 customers (29.8% of the base) in Cluster 2. They spend 2,713.14 on average against 2,415.29 for the base, 33.5% of all net sales. Over-represented: Member level 银卡 (TGI 226); Member level 金卡 (TGI 124); Region 上海 (TGI 119); City tier 一线 (TGI 117). Under-represented: Member level 黑金 (TGI 17); Member level 普通 (TGI 52); Region 湖南 (TGI 84).',
        },
        'warnings': [],
        'findings': [
            'Content and new arrivals in 套装 Gift sets (Category = 套装 Gift sets: 11.4% of the segment, TGI 106).',
            'Schedule messages for the Night (0-6h) (Time of day = Night (0-6h): 8.1% of the segment, TGI 104).',
            'More choice and news in 套装 Gift sets (Category = 套装 Gift sets: 11.4% of the segment, TGI 106).',
        ],
    },
    'retail_rfm': {
        'segment': {'source': 'rfm', 'value': 'Champions', 'label': 'Champions'},
        'analysis_date': '2011-12-10',
        'size': 651,
        'base_size': 4339,
        'kpis': {'size': 651, 'share_of_base': 0.15003457017746025, 'avg_monetary': 6577.394070660523, 'base_avg_monetary': 1915.2977769071213, 'net_sales_share': 0.5152391989264976, 'avg_frequency': 12.101382488479263},
        'stats': {'avg_monetary': 6577.394070660523, 'base_avg_monetary': 1915.2977769071213, 'net_sales_share': 0.5152391989264976, 'avg_frequency': 12.101382488479263, 'avg_recency': 5.382488479262673},
        'rows_per_attribute': {'frequency_band': 5, 'hour_band': 3, 'recency_band': 5, 'spend_band': 5, 'weekday': 6},
        'top': [
            ['frequency_band', '11+', 'customers', 224, 651, 337, 4339, 0.34408602150537637, 0.07766766536068219, 443.0235155227976, 0.3086029351108581, 0.38139836632539603, 397.337725651636, 491.06454346762416, 651.0, True],
            ['spend_band', '≥ 2,000', 'customers', 397, 651, 876, 4339, 0.6098310291858678, 0.20188983636782667, 302.06128260701837, 0.5718208118509066, 0.6465526556102542, 283.2340756416762, 320.2502251932526, 651.0, True],
            ['frequency_band', '6-10', 'customers', 214, 651, 535, 4339, 0.32872503840245776, 0.12330029960820466, 266.605222734255, 0.29373695662434535, 0.3657226011110471, 238.22890743795034, 296.6112834057633, 651.0, True],
            ['recency_band', '0-30', 'customers', 651, 651, 1668, 4339, 1.0, 0.38442037335791657, 260.1318944844125, 0.9941337574630472, 0.9999999999999999, 258.6058976997699, 260.13189448441244, 651.0, True],
            ['spend_band', '910-2,000', 'customers', 209, 651, 871, 4339, 0.3210445468509985, 0.20073749711915187, 159.93252454494632, 0.2863201068107812, 0.3578685790741804, 142.63409224477377, 178.27689605084603, 651.0, True],
            ['hour_band', 'evening', 'orders', 159, 7878, 331, 18536, 0.020182787509520184, 0.017857142857142856, 113.02361005331304, 0.014642931800524433, 0.02775948957194368, 82.00041808293683, 155.45314160288464, 1806.013329824081, False],
            ['frequency_band', '3-5', 'customers', 189, 651, 1138, 4339, 0.2903225806451613, 0.2622724129983867, 110.69505073983788, 0.25676515244076764, 0.32634004604247063, 97.90017543413803, 124.42789628983128, 651.0, False],
            ['weekday', 'wed', 'orders', 1518, 7878, 3455, 18536, 0.19268849961919268, 0.1863940440224428, 103.3769617638598, 0.18169524185938535, 0.20418092929122905, 97.47910283952437, 109.54262533552017, 4726.090033386215, False],
        ],
        'order_rows': [
            ['hour_band', 'afternoon', 4941, 7878, 11723, 18536, 2706.0113027888556, False],
            ['hour_band', 'morning', 2778, 7878, 6482, 18536, 2198.919007611934, False],
            ['hour_band', 'evening', 159, 7878, 331, 18536, 1806.013329824081, False],
            ['weekday', 'thu', 1714, 7878, 4033, 18536, 4276.638516359559, False],
            ['weekday', 'wed', 1518, 7878, 3455, 18536, 4726.090033386215, False],
            ['weekday', 'tue', 1363, 7878, 3185, 18536, 5597.7278185131245, False],
            ['weekday', 'fri', 1221, 7878, 2831, 18536, 3208.234608288752, False],
            ['weekday', 'mon', 1206, 7878, 2863, 18536, 4059.8893751242485, False],
            ['weekday', 'sun', 856, 7878, 2169, 18536, 2311.592308934881, False],
        ],
        'card': {
            'name': 'Customers',
            'name_basis': [
            ],
            'needs': [],
            'channels': [],
            'offers': [],
            'portrait': '651 customers (15.0% of the base) in Champions. They spend 6,577.39 on average against 1,915.30 for the base, 51.5% of all net sales. No attribute differs from the base beyond chance: this segment looks like the average customer.',
        },
        'warnings': [
            'No customers dataset: the persona uses purchase behaviour only (no demographics).',
            'No data for Category, Channel, Price sensitivity: map these order columns to profile them.',
        ],
        'findings': [
            'Nothing sets this segment apart from the base beyond chance: pick a sharper segment before building a campaign on it.',
        ],
    },
    'retail_cn8': {
        'segment': {'source': 'cn8', 'value': '重要价值', 'label': '重要价值 (important value)'},
        'analysis_date': '2011-10-01',
        'size': 615,
        'base_size': 3616,
        'kpis': {'size': 615, 'share_of_base': 0.1700774336283186, 'avg_monetary': 6322.78743089431, 'base_avg_monetary': 1620.848311393805, 'net_sales_share': 0.6634571860084575, 'avg_frequency': 10.996747967479674},
        'stats': {'avg_monetary': 6322.78743089431, 'base_avg_monetary': 1620.848311393805, 'net_sales_share': 0.6634571860084575, 'avg_frequency': 10.996747967479674, 'avg_recency': 22.567479674796747},
        'rows_per_attribute': {'frequency_band': 5, 'hour_band': 3, 'recency_band': 4, 'spend_band': 5, 'weekday': 6},
        'top': [
            ['frequency_band', '11+', 'customers', 198, 615, 207, 3616, 0.32195121951219513, 0.05724557522123894, 562.4036762106753, 0.28622833678681453, 0.3598845781149422, 500.00080474450306, 628.667939354411, 615.0, True],
            ['spend_band', '≥ 1,700', 'customers', 596, 615, 734, 3616, 0.9691056910569106, 0.2029867256637168, 477.4231851310339, 0.9522534431922728, 0.9801339910620029, 469.1210423137954, 482.85620050139005, 615.0, True],
            ['frequency_band', '6-10', 'customers', 254, 615, 371, 3616, 0.41300813008130083, 0.1025995575221239, 402.5437731466264, 0.37475134110200886, 0.4523449232563837, 365.25629364551594, 440.88389285581763, 615.0, True],
            ['recency_band', '0-30', 'customers', 458, 615, 1287, 3616, 0.7447154471544716, 0.35591814159292035, 209.2378443597956, 0.7088097134803989, 0.77758303818431, 199.14964444018045, 218.47243714642306, 615.0, True],
            ['frequency_band', '3-5', 'customers', 163, 615, 902, 3616, 0.26504065040650404, 0.24944690265486727, 106.25132947560073, 0.2316952557978359, 0.3013030656935234, 92.88359700276881, 120.78845737780273, 615.0, False],
            ['weekday', 'tue', 'orders', 1214, 6763, 2239, 13171, 0.17950613633003104, 0.16999468529344772, 105.59514611892983, 0.16844850623166563, 0.19112280089494793, 99.0904544697306, 112.42869185294147, 4400.767033990269, False],
            ['recency_band', '31-90', 'customers', 155, 615, 864, 3616, 0.25203252032520324, 0.23893805309734514, 105.48027702499245, 0.21932913711461435, 0.28781442016865405, 91.79330553315341, 120.45566473725151, 615.0, False],
            ['hour_band', 'morning', 'orders', 2545, 6763, 4699, 13171, 0.37631228744639955, 0.35676865841621747, 105.47795569177545, 0.3560787560175955, 0.3969867252346972, 99.80662471819004, 111.27286993118102, 2151.4518100093424, False],
        ],
        'order_rows': [
            ['hour_band', 'afternoon', 4086, 6763, 8211, 13171, 2587.800273954103, True],
            ['hour_band', 'morning', 2545, 6763, 4699, 13171, 2151.4518100093424, False],
            ['hour_band', 'evening', 132, 6763, 261, 13171, 1801.5053505305007, False],
            ['weekday', 'thu', 1476, 6763, 2952, 13171, 3632.260727905555, False],
            ['weekday', 'wed', 1283, 6763, 2452, 13171, 4763.658865456804, False],
            ['weekday', 'tue', 1214, 6763, 2239, 13171, 4400.767033990269, False],
            ['weekday', 'fri', 1078, 6763, 2037, 13171, 2907.4405615414125, False],
            ['weekday', 'mon', 1008, 6763, 1967, 13171, 4296.014685829513, False],
            ['weekday', 'sun', 704, 6763, 1524, 13171, 2262.8152900901464, False],
        ],
        'card': {
            'name': 'Customers',
            'name_basis': [
            ],
            'needs': [],
            'channels': [],
            'offers': [],
            'portrait': '615 customers (17.0% of the base) in 重要价值 (important value). They spend 6,322.79 on average against 1,620.85 for the base, 66.3% of all net sales. Under-represented: Time of day Afternoon (12-18h) (TGI 97).',
        },
        'warnings': [
            'No customers dataset: the persona uses purchase behaviour only (no demographics).',
            'No data for Category, Channel, Price sensitivity: map these order columns to profile them.',
        ],
        'findings': [],
    },
    'retail_tier_zh': {
        'segment': {'source': 'tier', 'value': '3', 'label': '白金会员'},
        'analysis_date': '2011-12-10',
        'size': 208,
        'base_size': 4220,
        'kpis': {'size': 208, 'share_of_base': 0.04928909952606635, 'avg_monetary': 17806.119807692306, 'base_avg_monetary': 1837.7540388625591, 'net_sales_share': 0.477565328555942, 'avg_frequency': 21.28846153846154},
        'stats': {'avg_monetary': 17806.119807692306, 'base_avg_monetary': 1837.7540388625591, 'net_sales_share': 0.477565328555942, 'avg_frequency': 21.28846153846154, 'avg_recency': 18.240384615384617},
        'rows_per_attribute': {'frequency_band': 5, 'hour_band': 3, 'recency_band': 4, 'spend_band': 5, 'weekday': 6},
        'top': [
            ['frequency_band', '11+', 'customers', 148, 208, 293, 4220, 0.7115384615384616, 0.06943127962085308, 1024.8096613284329, 0.6465741644324674, 0.7688308298962607, 931.2433358037586, 1107.3263147311332, 208.0, True],
            ['spend_band', '≥ 1,900', 'customers', 208, 208, 858, 4220, 1.0, 0.2033175355450237, 491.84149184149186, 0.9818663502315399, 1.0, 482.9226104868413, 491.84149184149186, 208.0, True],
            ['recency_band', '0-30', 'customers', 173, 208, 1668, 4220, 0.8317307692307693, 0.395260663507109, 210.42589005718506, 0.7749799313236192, 0.8764506279646138, 196.06806415981254, 221.73990707498024, 208.0, True],
            ['frequency_band', '6-10', 'customers', 42, 208, 502, 4220, 0.20192307692307693, 0.11895734597156397, 169.74410052099296, 0.1530009879646658, 0.2616556109357623, 128.61836040057563, 219.95750560735394, 208.0, True],
            ['hour_band', 'evening', 'orders', 86, 4428, 300, 17136, 0.01942186088527552, 0.01750700280112045, 110.93766937669376, 0.012055978880283381, 0.031146220983209398, 68.86375136417867, 177.9072142560921, 843.2988007688605, False],
            ['hour_band', 'morning', 'orders', 1707, 4428, 6012, 17136, 0.38550135501355015, 0.35084033613445376, 109.87942813559874, 0.3543625999708449, 0.4176065160206202, 101.00395065037257, 119.03036025497917, 906.4216106540073, True],
            ['weekday', 'wed', 'orders', 887, 4428, 3139, 17136, 0.20031616982836495, 0.1831816059757236, 109.3538670334139, 0.18519186787680217, 0.21634768394517365, 101.09741471605231, 118.10557222314418, 2534.094289693387, True],
            ['weekday', 'fri', 'orders', 741, 4428, 2647, 17136, 0.1673441734417344, 0.1544701213818861, 108.33433154883116, 0.14957472909340327, 0.18676102792146063, 96.83084842253716, 120.9043057975878, 1547.5435118488906, False],
        ],
        'order_rows': [
            ['hour_band', 'afternoon', 2635, 4428, 10824, 17136, 1200.5095647763683, True],
            ['hour_band', 'morning', 1707, 4428, 6012, 17136, 906.4216106540073, True],
            ['hour_band', 'evening', 86, 4428, 300, 17136, 843.2988007688605, False],
            ['weekday', 'thu', 958, 4428, 3668, 17136, 1877.1332010113638, False],
            ['weekday', 'wed', 887, 4428, 3139, 17136, 2534.094289693387, True],
            ['weekday', 'tue', 787, 4428, 3006, 17136, 3192.7501352588984, False],
            ['weekday', 'fri', 741, 4428, 2647, 17136, 1547.5435118488906, False],
            ['weekday', 'mon', 722, 4428, 2655, 17136, 1781.0812114855632, False],
            ['weekday', 'sun', 333, 4428, 2021, 17136, 1321.788440371739, True],
        ],
        'card': {
            'name': '忠实客群',
            'name_basis': [
                ['frequency_band', '11+'],
            ],
            'needs': [],
            'channels': [],
            'offers': [
                ['hour_band', 'morning', '在上午（6-12 点）推送消息。'],
                ['weekday', 'wed', '在周三安排活动。'],
            ],
            'portrait': '白金会员共 208 位客户（占全体 4.9%）。人均净销售额 1.8万，全体为 1,837.75，贡献全部净销售额的 47.8%。显著偏高：订单数11+ 单（TGI 1025）；最近购买距上次购买 0-30 天（TGI 210）；订单数6-10 单（TGI 170）；下单时段上午（6-12 点）（TGI 110）。显著偏低：订单数1 单（TGI 1）；订单数2 单（TGI 5）；最近购买距上次购买 181-365 天（TGI 5）。',
        },
        'warnings': [
            '没有客户数据集：画像只使用购买行为（无人口属性）。',
            '品类、渠道、价格敏感度 无数据：映射这些订单列后才能分析。',
        ],
        'findings': [
            '在上午（6-12 点）推送消息（下单时段 = 上午（6-12 点）：占分群 38.6%，TGI 110）。',
            '在周三安排活动（星期 = 周三：占分群 20.0%，TGI 109）。',
        ],
    },
    'retail_cluster': {
        'segment': {'source': 'cluster', 'value': '1', 'label': 'Cluster 1'},
        'analysis_date': '2011-12-10',
        'size': 732,
        'base_size': 4339,
        'kpis': {'size': 732, 'share_of_base': 0.16870246600599217, 'avg_monetary': 7482.44844262295, 'base_avg_monetary': 1915.2977769071213, 'net_sales_share': 0.659065926590067, 'avg_frequency': 13.654371584699453},
        'stats': {'avg_monetary': 7482.44844262295, 'base_avg_monetary': 1915.2977769071213, 'net_sales_share': 0.659065926590067, 'avg_frequency': 13.654371584699453, 'avg_recency': 13.387978142076502},
        'rows_per_attribute': {'frequency_band': 5, 'hour_band': 3, 'recency_band': 5, 'spend_band': 5, 'weekday': 6},
        'top': [
            ['frequency_band', '11+', 'customers', 335, 732, 337, 4339, 0.4576502732240437, 0.07766766536068219, 589.2417019344587, 0.42187399324759434, 0.4938687265233669, 543.1784144514278, 635.8743039717771, 732.0, True],
            ['spend_band', '≥ 2,000', 'customers', 598, 732, 876, 4339, 0.8169398907103825, 0.20188983636782667, 404.64636824113586, 0.787294978929899, 0.8432756343971018, 389.96266136721823, 417.6909791836787, 732.0, True],
            ['frequency_band', '6-10', 'customers', 327, 732, 535, 4339, 0.44672131147540983, 0.12330029960820466, 362.3035085031408, 0.41107755351916925, 0.4829213519991367, 333.39542144293, 391.66275632229053, 732.0, True],
            ['recency_band', '0-30', 'customers', 662, 732, 1668, 4339, 0.9043715846994536, 0.38442037335791657, 235.25589364573912, 0.8809077189531465, 0.9236134083950958, 229.15219379722438, 240.2613056970216, 732.0, True],
            ['hour_band', 'morning', 'orders', 3684, 9995, 6482, 18536, 0.368584292146073, 0.3496978851963746, 105.40077814285111, 0.35117479458514234, 0.3863429472099049, 100.42233866754393, 110.47906308983026, 2887.850834303197, True],
            ['weekday', 'wed', 'orders', 1932, 9995, 3455, 18536, 0.19329664832416207, 0.1863940440224428, 103.70323222392672, 0.18368967575381223, 0.20328094482801656, 98.5491122944331, 109.05978562466325, 6241.1283987138695, False],
            ['weekday', 'fri', 'orders', 1576, 9995, 2831, 18536, 0.15767883941970987, 0.15272982304704358, 103.24037327741937, 0.14718492984006135, 0.16877287068294602, 96.36947578648454, 110.50420102363432, 4378.645219413849, False],
            ['hour_band', 'evening', 'orders', 184, 9995, 331, 18536, 0.018409204602301152, 0.017857142857142856, 103.09154577288646, 0.013816085599194875, 0.02449137166163006, 77.3700793554913, 137.15168130512836, 2480.982588616226, False],
        ],
        'order_rows': [
            ['hour_band', 'afternoon', 6127, 9995, 11723, 18536, 3509.4846643978567, True],
            ['hour_band', 'morning', 3684, 9995, 6482, 18536, 2887.850834303197, True],
            ['hour_band', 'evening', 184, 9995, 331, 18536, 2480.982588616226, False],
            ['weekday', 'thu', 2192, 9995, 4033, 18536, 5133.150111930453, False],
            ['weekday', 'wed', 1932, 9995, 3455, 18536, 6241.1283987138695, False],
            ['weekday', 'tue', 1753, 9995, 3185, 18536, 6957.05715610196, False],
            ['weekday', 'fri', 1576, 9995, 2831, 18536, 4378.645219413849, False],
            ['weekday', 'mon', 1520, 9995, 2863, 18536, 5223.462546736342, False],
            ['weekday', 'sun', 1022, 9995, 2169, 18536, 2925.516467106737, True],
        ],
        'card': {
            'name': 'Customers',
            'name_basis': [
            ],
            'needs': [],
            'channels': [],
            'offers': [
                ['hour_band', 'morning', 'Schedule messages for the Morning (6-12h).'],
            ],
            'portrait': '732 customers (16.9% of the base) in Cluster 1. They spend 7,482.45 on average against 1,915.30 for the base, 65.9% of all net sales. Over-represented: Time of day Morning (6-12h) (TGI 105). Under-represented: Day of week Sunday (TGI 87); Time of day Afternoon (12-18h) (TGI 97).',
        },
        'warnings': [
            'No customers dataset: the persona uses purchase behaviour only (no demographics).',
            'No data for Category, Channel, Price sensitivity: map these order columns to profile them.',
        ],
        'findings': [
            'Schedule messages for the Morning (6-12h) (Time of day = Morning (6-12h): 36.9% of the segment, TGI 105).',
        ],
    },
}


def test_a_segments_profile_is_computed_once_per_fit(datasets, monkeypatch):
    """Presenting the same segment again (another language) reuses its language-free profile; another
    segment computes its own; the numbers are those of a fresh computation."""
    from data import engine

    data = datasets["demo"]
    params = _params({})
    fitted = personas.fit(engine.tables_from_frames(data), params)
    calls = []
    real = personas.model.profile  # looked up by segment_profile in analytics/personas/model.py
    monkeypatch.setattr(personas.model, "profile", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    en = personas.present(fitted, params, "en")
    zh = personas.present(fitted, params, "zh")
    assert len(calls) == 1
    assert [r["tgi"] for r in en["attributes"]] == [r["tgi"] for r in zh["attributes"]]
    other = personas.present(fitted, {**params, "segment": "Hibernating"}, "en")
    assert len(calls) == 2 and other["size"] != en["size"]
    assert digest(personas.present(fitted, params, "zh")) == digest(personas.compute(data, params, "zh"))


def test_segment_options_from_the_pages_fit_equal_a_fresh_count(datasets):
    from data import engine

    data = datasets["demo"]
    for src in ("rfm", "tier", "cluster"):
        params = _params({"source": src})
        tables = engine.tables_from_frames(data)
        fitted = personas.fit(tables, params)
        assert personas.segment_options(tables, params, "zh", fitted=fitted) == \
            personas.segment_options(tables, params, "zh"), src


def test_pooled_order_values_and_clustered_n_eff_equal_a_per_customer_count():
    """30 categories (more than MAX_VALUES): the rare ones are pooled as "other" before the per-customer
    counts are squared, so a customer buying two rare categories counts once in "other" with y = 2. The
    segment counts, shares and n_eff equal a count over the lines in pandas (the ratio estimator clustered
    by customer, written out)."""
    import numpy as np
    import pandas as pd

    from data import engine
    from tests.fixtures import _complete

    rng = np.random.default_rng(5)
    rows = []
    for c in range(400):
        for o in range(1 + c % 4):
            for _ in range(1 + (c + o) % 3):
                cat = f"cat{int(rng.zipf(1.3)) % 30:02d}"
                rows.append({"customer_id": f"c{c:03d}", "order_id": f"o{c}-{o}", "amount": 10.0 + c % 7,
                             "order_date": pd.Timestamp("2024-01-01 10:00") + pd.Timedelta(days=int(rng.integers(0, 300))),
                             "category": cat, "is_return": False})
    orders = _complete(pd.DataFrame(rows).astype({"order_date": "datetime64[ns]"}), "orders")
    assert orders["category"].nunique() > personas.MAX_VALUES
    params = _params({"source": "tier"})
    fitted = personas.fit(engine.tables_from_frames({"orders": orders}), params)
    value = str(int(fitted.customers["tier"].value_counts().idxmax()))
    out = personas.present(fitted, {**params, "segment": value}, "en")
    got = pd.DataFrame([r for r in out["attributes"] if r["attribute"] == "category"]).set_index("value")
    assert "other" in got.index and len(got) == personas.MAX_VALUES + 1
    # the reference: purchases = distinct (customer, order, category), the 25 largest categories kept
    members = set(fitted.customers.loc[fitted.customers["tier"] == int(value), "customer_id"])
    p = orders[["customer_id", "order_id", "category"]].drop_duplicates()
    counts = p["category"].value_counts()
    ranked = counts.rename("n").reset_index().sort_values(["n", "category"], ascending=[False, True], kind="stable")
    keep = set(ranked["category"].head(personas.MAX_VALUES))
    p = p.assign(value=p["category"].where(p["category"].isin(keep), "other"))
    s = p.loc[p["customer_id"].isin(members)]
    y = s.groupby(["value", "customer_id"]).size()
    n_i = s.groupby("customer_id").size()
    N, m = n_i.sum(), len(n_i)
    for val, row in got.iterrows():
        yv = y.loc[val].reindex(n_i.index, fill_value=0).to_numpy(float) if val in y.index.get_level_values(0) \
            else np.zeros(m)
        assert row["segment_count"] == yv.sum() and row["segment_n"] == N
        assert row["base_count"] == (p["value"] == val).sum() and row["base_n"] == len(p)
        share = yv.sum() / N
        var = ((yv - share * n_i.to_numpy(float)) ** 2).sum() / N ** 2 * (m / (m - 1))
        want = min(share * (1 - share) / var, N) if var > 0 else N
        assert row["n_eff"] == pytest.approx(want, rel=1e-9), val


@pytest.mark.parametrize("raw", [{}, {"source": "tier"}, {"source": "cluster", "k": "4"}])
def test_the_one_query_order_stats_equal_the_per_value_queries(datasets, monkeypatch, raw):
    """The demo's few categories and channels take the one query of every attribute's sums per segment
    (``_wide_order_stats``); the same stats by the per-customer-and-value queries (the path of an
    attribute with more than MAX_VALUES values) are equal, row for row."""
    from data import engine

    params = _params(raw)
    tables = engine.tables_from_frames(datasets["demo"])
    calls = []
    wide = personas.queries._wide_order_stats  # looked up by order_attribute_stats in analytics/personas/queries.py
    monkeypatch.setattr(personas.queries, "_wide_order_stats", lambda *a: calls.append(1) or wide(*a))
    fast = personas.fit(tables, params).order_stats
    assert calls and set(fast["attribute"]) >= {"category", "channel", "weekday"}
    monkeypatch.setattr(personas.queries, "_order_values", lambda lines: None)
    slow = personas.fit(tables, params).order_stats
    assert len(calls) == 1
    key = ["segment", "attribute", "value"]

    def tidy(df):
        return df.sort_values(key, na_position="first").reset_index(drop=True)

    assert tidy(fast).equals(tidy(slow))


def test_the_one_query_order_stats_with_unsegmented_and_unknown_customers(datasets, monkeypatch):
    """Customers whose segment is missing (a missing cluster or tier) form the NULL segment, customers the
    keys leave out count only for the totals: both paths agree on the stats, rows and totals alike."""
    import pandas as pd

    from data import engine

    orders = engine.tables_from_frames({"orders": datasets["demo"]["orders"]})["orders"]
    ids = sorted(datasets["demo"]["orders"]["customer_id"].dropna().astype(str).unique())
    keys = pd.DataFrame({"customer_id": ids[: len(ids) - 40],
                         "segment": [None if i % 9 == 0 else f"s{i % 4}" for i in range(len(ids) - 40)]})
    ad = pd.Timestamp(datasets["demo"]["orders"]["order_date"].max()).normalize() + pd.Timedelta(days=1)
    fast = personas.order_attribute_stats(orders, ad, keys)
    monkeypatch.setattr(personas.queries, "_order_values", lambda lines: None)
    slow = personas.order_attribute_stats(orders, ad, keys)
    key = ["segment", "attribute", "value"]

    def tidy(df):
        return df.sort_values(key, na_position="first").reset_index(drop=True)

    assert fast["segment"].isna().any() and tidy(fast).equals(tidy(slow))
