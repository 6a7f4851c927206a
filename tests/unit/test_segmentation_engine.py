"""Segmentation explorer on the engine (issue 13): the numbers before and after the move of the line-level
work into Ibis / DuckDB, and the fit / present split.

``EXPECTED`` was recorded with the pandas implementation (analytics/segmentation.py before issue 13) on
the demo workspace (seed 7), Online Retail and CDNOW for a few parameter sets; the engine implementation
must give the same group sizes and sums, clusters, tiers, cohort cells, CLV parameters and texts.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics import segmentation as seg
from analytics.params import parse_params
from analytics.report import page_params

CASES = {
    "demo_default": ("demo", {}, "en"),
    "demo_cn8_points_whatif": ("demo", {"model": "cn8", "k": "4", "tier_basis": "points",
                                        "tier_whatif": "500,2000,6000", "time_unit": "day", "clv_horizon": "6",
                                        "compare_days": "30", "detail": "customers", "audience": "churn:high"}, "en"),
    "demo_dates_zh": ("demo", {"start": "2025-01-01", "end": "2026-06-30", "analysis_date": "2026-05-01",
                               "clv_calibration_end": "2026-01-01", "features": "recency,frequency,monetary,aov,tenure",
                               "tier_thresholds": "300,1500,5000"}, "zh"),
    "retail_default": ("retail", {}, "en"),
    "retail_cn8_mid": ("retail", {"model": "cn8", "k": "3", "analysis_date": "2011-09-01",
                                  "clv_calibration_end": "2011-06-01", "detail": "customers",
                                  "audience": "rfm:At risk"}, "en"),
    "cdnow_default": ("cdnow", {}, "en"),
    "cdnow_calibration": ("cdnow", {"clv_calibration_end": "1997-10-01", "time_unit": "week", "seed": "3",
                                    "tier_whatif": "20,100,400"}, "zh"),
}


@pytest.fixture(scope="module")
def datasets():
    from data import demo
    from tests.fixtures import cdnow_orders, online_retail_orders

    d = demo.generate(seed=7)
    return {"demo": {"orders": d["orders"], "customers": d["customers"]},
            "retail": {"orders": online_retail_orders()},
            "cdnow": {"orders": cdnow_orders()}}


def _params(raw: dict) -> dict:
    return parse_params(page_params(seg.PAGE), raw).values


def digest(r: dict) -> dict:
    """The key numbers (and texts) of a page result."""
    out = {
        "customers": r["customers"], "customer_ids": r["customer_ids"], "analysis_date": str(r["analysis_date"]),
        "lines_without_customer": r["lines_without_customer"], "kpis": dict(r["kpis"]),
        "rfm_means": dict(r["rfm_means"]),
        "groups": [(g["group"], g["customers"], g["net_sales"], g["avg_recency"]) for g in r["rfm_groups"]],
        "groups_other": [(g["group"], g["customers"], g["net_sales"]) for g in r["rfm_groups_other"]],
        "transitions": {"matrix": r["transitions"]["matrix"], "rows": r["transitions"]["rows"],
                        "stayed_share": r["transitions"]["stayed_share"],
                        "new_customers": r["transitions"]["new_customers"]},
        "findings": list(r["findings"]), "warnings": list(r["warnings"]),
    }
    cl = r["clusters"]
    out["clusters"] = ({"error_key": cl.get("error_key")} if "error" in cl else
                       {"k": cl["k"], "k_auto": cl["k_auto"], "silhouette": cl["silhouette"],
                        "ari_mean": cl["stability"]["ari_mean"],
                        "sizes": [p["customers"] for p in cl["profiles"]],
                        "avg_monetary": [p["avg_monetary"] for p in cl["profiles"]]})
    ti = r["tiers"]
    out["tiers"] = ({"error": ti["error"]} if "error" in ti else
                    {"basis": ti["basis"], "thresholds": ti["thresholds"],
                     "current": [(x["customers"], x["basis_total"]) for x in ti["current"]],
                     "proposed": [x["customers"] for x in ti.get("proposed") or []],
                     "moved": (ti.get("moved_up"), ti.get("moved_down")), "cost_delta": ti.get("cost_delta")})
    co = r["cohorts"]
    out["cohorts"] = {"cohorts": co["cohorts"], "sizes": co["sizes"],
                      "retention_first": co["retention"][0][:6], "retention_m1": [x[1] if len(x) > 1 else None
                                                                                  for x in co["retention"]],
                      "revenue_first": co["revenue"][0][:6],
                      "revenue_total": sum(v for row in co["revenue"] for v in row if v is not None),
                      "last_month_partial": co["last_month_partial"]}
    cv = r["clv"]
    out["clv"] = ({"error": cv["error"]} if "error" in cv else
                  {"params": cv["params"], "total": cv["total"], "mean": cv["mean"],
                   "customers_fitted": cv["customers_fitted"], "repeat_customers": cv["repeat_customers"],
                   "top10_share": cv["top10_share"], "corr": cv["frequency_spend_corr"],
                   "bands": [(b["band"], b["customers"], b["clv"]) for b in cv["churn_bands"]],
                   "histogram": cv["histogram"]["counts"]})
    if "rows" in r:
        rows = r["rows"]
        out["rows"] = {"n": len(rows), "clv": sum(x["clv"] or 0 for x in rows),
                       "tier3": sum(1 for x in rows if x.get("tier") == 3),
                       "cluster1": sum(1 for x in rows if x.get("cluster") == 1),
                       "first": {k: rows[0][k] for k in ("customer_id", "recency_days", "frequency", "monetary",
                                                         "group", "group_cn", "tier")}}
    if "audience_list" in r:  # the drill-down's customers (the key "audience" holds the stage counts)
        out["audience"] = [len(r["audience_list"]), sorted(x["customer_id"] for x in r["audience_list"])[:5]]
    return out


def _close(actual, expected, path="") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), (path, set(actual) ^ set(expected))
        for k in expected:
            _close(actual[k], expected[k], f"{path}.{k}")
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), (path, actual, expected)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _close(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        if math.isnan(expected):
            assert actual is None or math.isnan(actual), (path, actual)
        else:
            assert actual == pytest.approx(expected, rel=1e-6, abs=1e-9), (path, actual, expected)
    else:
        assert actual == expected, (path, actual, expected)


# recorded with the pandas implementation (before issue 13); see the module docstring
EXPECTED: dict = {'cdnow_calibration': {'customers': 2357,
                       'customer_ids': 2357,
                       'analysis_date': '1998-07-01',
                       'lines_without_customer': 0,
                       'kpis': {'customers': 2357,
                                'net_sales': 244091.94,
                                'avg_monetary': 103.56043275350021,
                                'repeat_share': 0.4887568943572338,
                                'clv_total': 71119.92397755443,
                                'high_churn_share': 0.08612643190496394},
                       'rfm_means': {'recency': 372.56385235468815,
                                     'frequency': 2.9355112431056427,
                                     'monetary': 103.56043275350021},
                       'groups': [('Champions', 434, 122288.55, 66.52073732718894),
                                  ('Loyal', 436, 70987.09, 312.1215596330275),
                                  ('Potential loyalists', 143, 5248.28, 266.13986013986016),
                                  ('Need attention', 144, 6737.29, 472.375),
                                  ('About to sleep', 263, 4419.38, 475.6197718631179),
                                  ('At risk', 336, 21787.22, 513.0119047619048),
                                  ('Cannot lose them', 9, 2366.54, 503.22222222222223),
                                  ('Hibernating', 592, 10257.59, 515.3868243243244)],
                       'groups_other': [('重要价值', 465, 149435.17), ('重要发展', 29, 4805.74), ('重要保持', 40, 14985.9),
                                        ('重要挽留', 59, 9621.31), ('一般价值', 189, 13136.61), ('一般发展', 160, 8224.84),
                                        ('一般保持', 52, 3504.34), ('一般挽留', 1363, 40378.03)],
                       'transitions': {'matrix': [[334, 104, 18, 0, 0, 0, 0, 0], [75, 332, 65, 32, 0, 5, 0, 0],
                                                  [5, 0, 45, 3, 0, 0, 0, 0], [3, 0, 0, 109, 4, 9, 0, 0],
                                                  [0, 0, 6, 0, 259, 0, 0, 7], [8, 0, 0, 0, 0, 317, 0, 15],
                                                  [0, 0, 0, 0, 0, 5, 9, 0], [9, 0, 9, 0, 0, 0, 0, 570]],
                                       'rows': ['Champions', 'Loyal', 'Potential loyalists', 'Need attention',
                                                'About to sleep', 'At risk', 'Cannot lose them', 'Hibernating'],
                                       'stayed_share': 0.8379295714891811,
                                       'new_customers': 0},
                       'findings': ['有流失风险、不能失去的客户合计贡献了 9.9% 的净销售额：向这 345 位客户发送召回优惠。',
                                    '冠军客户：18.4% 的客户贡献了 50.1% 的净销售额；用优先购、VIP 服务而不是折扣留住他们。',
                                    '1998-04-02 时的 5 位头部客户已滑落到流失风险或沉睡分组：优先联系他们。',
                                    '2 个聚类（轮廓系数 0.58，稳定性 0.97）；头部聚类占 27.0% 的客户、71.3% 的净销售额。',
                                    '调整门槛后：380 位客户升级，0 位降级；权益成本变化 +5,120.00。', '平均每月新客中有 14.5% 在次月复购：设计二次购买旅程。',
                                    '203 位客户流失风险高（P(存活) < 0.3），曾贡献 14.9% 的净销售额：做最后一次召回，之后停止投入。',
                                    '现有客户未来 12 个月的预测价值：7.1万；前 10% 的客户占其中 56.7%。'],
                       'warnings': ['不能失去的客户的平均值基于不足 30 位客户：仅供参考。'],
                       'clusters': {'k': 2,
                                    'k_auto': 2,
                                    'silhouette': 0.5770992732436083,
                                    'ari_mean': 0.9661056249989473,
                                    'sizes': [637, 1720],
                                    'avg_monetary': [273.05069073783363, 40.78991279069767]},
                       'tiers': {'basis': 'spend',
                                 'thresholds': [62.0, 170.0, 440.0],
                                 'current': [(1948, 11850.109999999951), (241, 24431.650000000016),
                                             (127, 33443.92000000001), (41, 28238.019999999993)],
                                 'proposed': [1682, 399, 229, 47],
                                 'moved': (380, 0),
                                 'cost_delta': 5120.0},
                       'cohorts': {'cohorts': ['1997-01', '1997-02', '1997-03'],
                                   'sizes': [781, 857, 719],
                                   'retention_first': [1.0, 0.1587708066581306, 0.12163892445582586,
                                                       0.08962868117797695, 0.08322663252240717,
                                                       0.09859154929577464],
                                   'retention_m1': [0.1587708066581306, 0.15635939323220538, 0.12100139082058414],
                                   'revenue_first': [28592.700000000117, 7003.730000000001, 4241.64,
                                                     3755.359999999998, 3833.2499999999995, 3547.4999999999995],
                                   'revenue_total': 244091.94000000038,
                                   'last_month_partial': False},
                       'clv': {'params': {'r': 0.24191553056666731,
                                          'alpha': 4.401809591488779,
                                          'a': 0.8030866550672248,
                                          'b': 2.461876018457442,
                                          'p': 6.237901256790576,
                                          'q': 3.7455104990217283,
                                          'gamma': 15.477719818634421},
                               'total': 71119.92397755443,
                               'mean': 30.17391768245839,
                               'customers_fitted': 2357,
                               'repeat_customers': 946,
                               'top10_share': 0.5668765207891738,
                               'corr': 0.1137731978585152,
                               'bands': [('high', 203, 2866.2636152025175), ('medium', 454, 19289.928951591108),
                                         ('low', 1700, 48963.7314107608)],
                               'histogram': [1975, 183, 77, 46, 18, 12, 12, 11, 4, 5, 3, 0, 4, 0, 0, 1, 0, 0, 1, 0, 1,
                                             1, 0, 0, 1, 1, 0, 0, 0, 1]}},
 'cdnow_default': {'customers': 2357,
                   'customer_ids': 2357,
                   'analysis_date': '1998-07-01',
                   'lines_without_customer': 0,
                   'kpis': {'customers': 2357,
                            'net_sales': 244091.94,
                            'avg_monetary': 103.56043275350021,
                            'repeat_share': 0.4887568943572338,
                            'clv_total': 67477.99463466172,
                            'high_churn_share': 0.12006788290199406},
                   'rfm_means': {'recency': 372.56385235468815,
                                 'frequency': 2.9355112431056427,
                                 'monetary': 103.56043275350021},
                   'groups': [('Champions', 434, 122288.55, 66.52073732718894),
                              ('Loyal', 436, 70987.09, 312.1215596330275),
                              ('Potential loyalists', 143, 5248.28, 266.13986013986016),
                              ('Need attention', 144, 6737.29, 472.375),
                              ('About to sleep', 263, 4419.38, 475.6197718631179),
                              ('At risk', 336, 21787.22, 513.0119047619048),
                              ('Cannot lose them', 9, 2366.54, 503.22222222222223),
                              ('Hibernating', 592, 10257.59, 515.3868243243244)],
                   'groups_other': [('重要价值', 465, 149435.17), ('重要发展', 29, 4805.74), ('重要保持', 40, 14985.9),
                                    ('重要挽留', 59, 9621.31), ('一般价值', 189, 13136.61), ('一般发展', 160, 8224.84),
                                    ('一般保持', 52, 3504.34), ('一般挽留', 1363, 40378.03)],
                   'transitions': {'matrix': [[334, 104, 18, 0, 0, 0, 0, 0], [75, 332, 65, 32, 0, 5, 0, 0],
                                              [5, 0, 45, 3, 0, 0, 0, 0], [3, 0, 0, 109, 4, 9, 0, 0],
                                              [0, 0, 6, 0, 259, 0, 0, 7], [8, 0, 0, 0, 0, 317, 0, 15],
                                              [0, 0, 0, 0, 0, 5, 9, 0], [9, 0, 9, 0, 0, 0, 0, 570]],
                                   'rows': ['Champions', 'Loyal', 'Potential loyalists', 'Need attention',
                                            'About to sleep', 'At risk', 'Cannot lose them', 'Hibernating'],
                                   'stayed_share': 0.8379295714891811,
                                   'new_customers': 0},
                   'findings': ['At risk, Cannot lose them together hold 9.9% of net sales: send a win-back offer to these '
                                '345 customers.',
                                'Champions: 18.4% of customers bring 50.1% of net sales; keep them with early access '
                                'and VIP service rather than discounts.',
                                '5 customers who were top customers on 1998-04-02 have slipped to at-risk or lapsed '
                                'groups: contact them first.',
                                '2 clusters (silhouette 0.58, stability 0.98); the top cluster is 27.1% of customers '
                                'and 71.3% of net sales.',
                                "On average 14.5% of a month's new customers buy again the next month: plan a "
                                'second-purchase journey.',
                                '283 customers are at high churn risk (P(alive) < 0.3) and brought 18.8% of net '
                                'sales: try a last win-back, then stop spending on them.',
                                'Predicted value of the current base over the next 12 months: 67,477.99; the top 10% '
                                'of customers hold 62.9% of it.'],
                   'warnings': ['Averages of Cannot lose them rest on fewer than 30 customers: read them as '
                                'indicative.'],
                   'clusters': {'k': 2,
                                'k_auto': 2,
                                'silhouette': 0.5769437484503822,
                                'ari_mean': 0.9759208451053848,
                                'sizes': [638, 1719],
                                'avg_monetary': [272.7623667711599, 40.76180919139035]},
                   'tiers': {'basis': 'spend',
                             'thresholds': [62.0, 170.0, 440.0],
                             'current': [(1948, 11850.109999999951), (241, 24431.650000000016),
                                         (127, 33443.92000000001), (41, 28238.019999999993)],
                             'proposed': [],
                             'moved': (None, None),
                             'cost_delta': None},
                   'cohorts': {'cohorts': ['1997-01', '1997-02', '1997-03'],
                               'sizes': [781, 857, 719],
                               'retention_first': [1.0, 0.1587708066581306, 0.12163892445582586, 0.08962868117797695,
                                                   0.08322663252240717, 0.09859154929577464],
                               'retention_m1': [0.1587708066581306, 0.15635939323220538, 0.12100139082058414],
                               'revenue_first': [28592.700000000117, 7003.730000000001, 4241.64, 3755.359999999998,
                                                 3833.2499999999995, 3547.4999999999995],
                               'revenue_total': 244091.94000000038,
                               'last_month_partial': False},
                   'clv': {'params': {'r': 0.2532953119425819,
                                      'alpha': 5.440850557975791,
                                      'a': 0.6169398381432684,
                                      'b': 2.6874005338568008,
                                      'p': 4.683453309886934,
                                      'q': 4.1897832822637735,
                                      'gamma': 24.390553765392024},
                           'total': 67477.99463466172,
                           'mean': 28.628763103377906,
                           'customers_fitted': 2357,
                           'repeat_customers': 1139,
                           'top10_share': 0.6286941614228295,
                           'corr': 0.06965585192734038,
                           'bands': [('high', 283, 1979.6329044320541), ('medium', 376, 11195.89626846911),
                                     ('low', 1698, 54302.465461760556)],
                           'histogram': [1903, 192, 87, 52, 32, 20, 16, 11, 9, 5, 5, 1, 5, 3, 0, 4, 1, 3, 1, 1, 1, 1,
                                         0, 1, 1, 0, 1, 0, 0, 1]}},
 'demo_cn8_points_whatif': {'customers': 18800,
                            'customer_ids': 18800,
                            'analysis_date': '2026-11-01',
                            'lines_without_customer': 0,
                            'kpis': {'customers': 18800,
                                     'net_sales': 45407392.0,
                                     'avg_monetary': 2415.2868085106384,
                                     'repeat_share': 0.6797872340425531,
                                     'clv_total': 10172740.348941635,
                                     'high_churn_share': 0.30186170212765956},
                            'rfm_means': {'recency': 277.2079255319149,
                                          'frequency': 6.103404255319149,
                                          'monetary': 2415.2868085106384},
                            'groups': [('重要价值', 2932, 25924929.0, 57.194065484311054),
                                       ('重要发展', 541, 1838642.0, 90.66173752310536),
                                       ('重要保持', 840, 5356720.0, 440.50119047619046),
                                       ('重要挽留', 467, 1563952.0, 500.82655246252676),
                                       ('一般价值', 646, 1139939.0, 71.67956656346749),
                                       ('一般发展', 6144, 4531536.0, 109.9921875),
                                       ('一般保持', 251, 443189.0, 443.62549800796813),
                                       ('一般挽留', 6979, 4608485.0, 509.73119358074223)],
                            'groups_other': [('Champions', 2629, 18689282.0), ('Loyal', 3482, 14094487.0),
                                             ('Potential loyalists', 2134, 1318850.0), ('New', 301, 36802.0),
                                             ('Promising', 516, 62920.0), ('Need attention', 858, 624225.0),
                                             ('About to sleep', 1365, 425534.0), ('At risk', 3311, 4096205.0),
                                             ('Cannot lose them', 875, 4986056.0), ('Hibernating', 2451, 965062.0),
                                             ('Lost', 878, 107969.0)],
                            'transitions': {'matrix': [[2786, 104, 73, 5, 16, 5, 1, 0], [17, 334, 0, 20, 0, 10, 0, 3],
                                                       [5, 0, 767, 127, 0, 0, 12, 3], [0, 4, 0, 315, 0, 0, 0, 15],
                                                       [88, 0, 0, 0, 591, 202, 18, 7],
                                                       [34, 75, 0, 0, 38, 5159, 0, 319], [0, 0, 0, 0, 0, 0, 220, 155],
                                                       [0, 9, 0, 0, 1, 73, 0, 6477], [2, 15, 0, 0, 0, 695, 0, 0]],
                                            'rows': ['重要价值', '重要发展', '重要保持', '重要挽留', '一般价值', '一般发展', '一般保持', '一般挽留',
                                                     '_new'],
                                            'stayed_share': 0.9204444935869085,
                                            'new_customers': 712},
                            'findings': ['重要保持 (important to retain), 重要挽留 (important to win back) together hold 15.2% of '
                                         'net sales: send a win-back offer to these 1,307 customers.',
                                         '重要价值 (important value): 15.6% of customers bring 57.1% of net sales; keep '
                                         'them with early access and VIP service rather than discounts.',
                                         '重要发展 (important to develop), 一般发展 (general, to develop): 6,685 recent '
                                         'first-time buyers; nudge a second purchase within 30 days.',
                                         '148 customers who were top customers on 2026-10-02 have slipped to at-risk '
                                         'or lapsed groups: contact them first.',
                                         '4 clusters (silhouette 0.37, stability 0.81); the top cluster is 13.7% of '
                                         'customers and 53.6% of net sales.',
                                         'Proposed tier thresholds: 4,567 customers move up, 0 move down; benefit '
                                         'cost changes by +82,070.00.',
                                         "On average 33.0% of a month's new customers buy again the next month: plan "
                                         'a second-purchase journey.',
                                         '5,675 customers are at high churn risk (P(alive) < 0.3) and brought 33.0% '
                                         'of net sales: try a last win-back, then stop spending on them.',
                                         'Predicted value of the current base over the next 6 months: 10,172,740.35; '
                                         'the top 10% of customers hold 61.0% of it.'],
                            'warnings': [],
                            'clusters': {'k': 4,
                                         'k_auto': 2,
                                         'silhouette': 0.37499670365360355,
                                         'ari_mean': 0.8110206312276226,
                                         'sizes': [2581, 5610, 2363, 8246],
                                         'avg_monetary': [9424.323518016272, 2713.141532976827, 971.4312314854,
                                                          432.5730050933786]},
                            'tiers': {'basis': 'points',
                                      'thresholds': [850.0, 3000.0, 7800.0],
                                      'current': [(9444, 3029781.0), (5711, 9782941.0), (2707, 12367177.0),
                                                  (938, 12824726.0)],
                                      'proposed': [7182, 6113, 4122, 1383],
                                      'moved': (4567, 0),
                                      'cost_delta': 82070.0},
                            'cohorts': {'cohorts': ['2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04',
                                                    '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10',
                                                    '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04',
                                                    '2026-05', '2026-06', '2026-07', '2026-08', '2026-09',
                                                    '2026-10'],
                                        'sizes': [3240, 1124, 1017, 624, 826, 622, 558, 957, 441, 506, 564, 812, 956,
                                                  599, 659, 485, 660, 505, 546, 838, 433, 473, 619, 736],
                                        'retention_first': [1.0, 0.42777777777777776, 0.4024691358024691,
                                                            0.31234567901234567, 0.3537037037037037,
                                                            0.28703703703703703],
                                        'retention_m1': [0.42777777777777776, 0.3692170818505338, 0.2664700098328417,
                                                         0.36378205128205127, 0.2796610169491525, 0.2990353697749196,
                                                         0.3548387096774194, 0.27063740856844304, 0.30158730158730157,
                                                         0.31225296442687744, 0.3900709219858156, 0.3977832512315271,
                                                         0.28870292887029286, 0.332220367278798, 0.30197268588770865,
                                                         0.3463917525773196, 0.3196969696969697, 0.300990099009901,
                                                         0.4139194139194139, 0.27684964200477324, 0.29330254041570436,
                                                         0.3150105708245243, 0.37318255250403876, None],
                                        'revenue_first': [2542395.0, 1163243.0, 1183959.0, 636489.0, 914816.0,
                                                          640306.0],
                                        'revenue_total': 45407392.0,
                                        'last_month_partial': False},
                            'clv': {'params': {'r': 0.4111248605985235,
                                               'alpha': 15.297506693934366,
                                               'a': 0.6217593539854962,
                                               'b': 3.289265052291788,
                                               'p': 1.5289224934301953,
                                               'q': 5.7814490797333775,
                                               'gamma': 1303.4811680975104},
                                    'total': 10172740.348941635,
                                    'mean': 541.103210050087,
                                    'customers_fitted': 18800,
                                    'repeat_customers': 12696,
                                    'top10_share': 0.6102396507647401,
                                    'corr': 0.036984610436481775,
                                    'bands': [('high', 5675, 219698.3026123221), ('medium', 2193, 859281.5168137127),
                                              ('low', 10932, 9093760.529515602)],
                                    'histogram': [14811, 1876, 745, 417, 296, 185, 131, 79, 62, 42, 33, 25, 27, 12,
                                                  10, 10, 11, 8, 6, 3, 2, 0, 1, 2, 0, 0, 4, 1, 0, 1]},
                            'rows': {'n': 18800,
                                     'clv': 10172740.348941633,
                                     'tier3': 938,
                                     'cluster1': 2581,
                                     'first': {'customer_id': 'C000002',
                                               'recency_days': 14,
                                               'frequency': 21,
                                               'monetary': 4151.0,
                                               'group': 'Champions',
                                               'group_cn': '重要价值',
                                               'tier': 1}},
                            'audience': [5675, ['C000006', 'C000014', 'C000021', 'C000025', 'C000027']]},
 'demo_dates_zh': {'customers': 13839,
                   'customer_ids': 15248,
                   'analysis_date': '2026-05-01',
                   'lines_without_customer': 0,
                   'kpis': {'customers': 13839,
                            'net_sales': 29297145.0,
                            'avg_monetary': 2116.9986993279863,
                            'repeat_share': 0.6688344533564564,
                            'clv_total': 17179459.135220077,
                            'high_churn_share': 0.12219090974781414},
                   'rfm_means': {'recency': 175.48016475178844,
                                 'frequency': 5.322133102102753,
                                 'monetary': 2116.9986993279863},
                   'groups': [('Champions', 1947, 11980360.0, 12.882383153569593),
                              ('Loyal', 2627, 9218118.0, 93.96650171298059),
                              ('Potential loyalists', 1545, 953141.0, 42.354692556634305),
                              ('New', 234, 29283.0, 14.2991452991453),
                              ('Promising', 330, 40453.0, 60.160606060606064),
                              ('Need attention', 636, 477726.0, 143.07075471698113),
                              ('About to sleep', 969, 298269.0, 143.20433436532508),
                              ('At risk', 2346, 2736223.0, 323.92455242966753),
                              ('Cannot lose them', 551, 2735909.0, 288.8003629764065),
                              ('Hibernating', 1915, 736207.0, 320.2381201044386),
                              ('Lost', 739, 91456.0, 413.8443843031123)],
                   'groups_other': [('重要价值', 2403, 17179894.0), ('重要发展', 447, 1323290.0), ('重要保持', 524, 2735830.0),
                                    ('重要挽留', 327, 965017.0), ('一般价值', 581, 871861.0), ('一般发展', 4550, 3106366.0),
                                    ('一般保持', 196, 285996.0), ('一般挽留', 4811, 2828891.0)],
                   'transitions': {'matrix': [[854, 820, 0, 0, 0, 6, 0, 0, 0, 0, 0],
                                              [579, 1385, 0, 0, 0, 20, 0, 209, 136, 0, 0],
                                              [160, 218, 255, 0, 2, 381, 320, 0, 0, 0, 0],
                                              [21, 8, 36, 0, 21, 0, 82, 0, 0, 0, 0],
                                              [20, 7, 64, 0, 0, 0, 220, 0, 0, 0, 0],
                                              [33, 55, 52, 0, 0, 229, 5, 226, 0, 1, 0],
                                              [12, 13, 102, 0, 0, 0, 342, 0, 0, 392, 0],
                                              [41, 43, 35, 0, 0, 0, 0, 1850, 0, 11, 0],
                                              [12, 7, 0, 0, 0, 0, 0, 61, 415, 0, 0],
                                              [14, 9, 71, 0, 0, 0, 0, 0, 0, 1511, 93],
                                              [1, 1, 26, 0, 0, 0, 0, 0, 0, 0, 646],
                                              [200, 61, 904, 234, 307, 0, 0, 0, 0, 0, 0]],
                                   'rows': ['Champions', 'Loyal', 'Potential loyalists', 'New', 'Promising',
                                            'Need attention', 'About to sleep', 'At risk', 'Cannot lose them',
                                            'Hibernating', 'Lost', '_new'],
                                   'stayed_share': 0.6170773922360504,
                                   'new_customers': 1706},
                   'findings': ['有流失风险、不能失去的客户合计贡献了 18.7% 的净销售额：向这 2,897 位客户发送召回优惠。',
                                '冠军客户：14.1% 的客户贡献了 40.9% 的净销售额；用优先购、VIP 服务而不是折扣留住他们。',
                                '新客户、有潜力的新客合计 564 位近期首购客户：在 30 天内促成第二次购买。',
                                '2026-01-31 时的 345 位头部客户已滑落到流失风险或沉睡分组：优先联系他们。',
                                '3 个聚类（轮廓系数 0.33，稳定性 0.85）；头部聚类占 31.9% 的客户、78.6% 的净销售额。',
                                '平均每月新客中有 33.1% 在次月复购：设计二次购买旅程。',
                                '1,691 位客户流失风险高（P(存活) < 0.3），曾贡献 13.1% 的净销售额：做最后一次召回，之后停止投入。',
                                '现有客户未来 12 个月的预测价值：1,717.9万；前 10% 的客户占其中 47.7%。'],
                   'warnings': ['分析日期 2026-05-01 当天及之后的 2.0万 行订单未计入。', '1,409 个客户 ID 只有退货或取消记录，不计入 RFM 表。',
                                '2343 位客户在 CLV 拟合期结束后才首购，没有 CLV。'],
                   'clusters': {'k': 3,
                                'k_auto': 3,
                                'silhouette': 0.32645457754508966,
                                'ari_mean': 0.8545195591415423,
                                'sizes': [4420, 7252, 2167],
                                'avg_monetary': [5206.701357466063, 667.953805846663, 664.2934933087217]},
                   'tiers': {'basis': 'spend',
                             'thresholds': [300.0, 1500.0, 5000.0],
                             'current': [(4942, 427179.0), (4844, 3705928.0), (2967, 7980673.0), (1086, 10434365.0)],
                             'proposed': [],
                             'moved': (None, None),
                             'cost_delta': None},
                   'cohorts': {'cohorts': ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06',
                                           '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12',
                                           '2026-01', '2026-02', '2026-03', '2026-04'],
                               'sizes': [2736, 1059, 1149, 776, 646, 1071, 481, 538, 600, 843, 984, 613, 674, 496,
                                         665, 508],
                               'retention_first': [1.0, 0.40826023391812866, 0.45321637426900585, 0.35489766081871343,
                                                   0.3570906432748538, 0.4093567251461988],
                               'retention_m1': [0.40826023391812866, 0.41359773371104813, 0.3002610966057441,
                                                0.2912371134020619, 0.3498452012383901, 0.2605042016806723,
                                                0.2869022869022869, 0.30111524163568776, 0.38333333333333336,
                                                0.39501779359430605, 0.2855691056910569, 0.3278955954323002,
                                                0.29821958456973297, 0.34274193548387094, 0.3172932330827068, None],
                               'revenue_first': [2134635.0, 698920.0, 1041399.0, 678801.0, 725787.0, 959831.0],
                               'revenue_total': 29300010.0,
                               'last_month_partial': False},
                   'clv': {'params': {'r': 0.5378501101199057,
                                      'alpha': 3.0425994193687096,
                                      'a': 0.4767460957063318,
                                      'b': 3.343138843793286,
                                      'p': 1.5178590474654634,
                                      'q': 5.930848265823356,
                                      'gamma': 1356.5609899241006},
                           'total': 17179459.135220077,
                           'mean': 1494.385798122832,
                           'customers_fitted': 11496,
                           'repeat_customers': 7547,
                           'top10_share': 0.477214836152629,
                           'corr': 0.044143505964685206,
                           'bands': [('high', 1691, 296195.849874408), ('medium', 1672, 1694609.7148276488),
                                     ('low', 8133, 15188653.570518019)],
                           'histogram': [7135, 2129, 826, 438, 277, 207, 130, 77, 60, 42, 26, 29, 22, 25, 14, 14, 8,
                                         8, 5, 5, 4, 6, 2, 1, 0, 2, 2, 1, 0, 1]}},
 'demo_default': {'customers': 18800,
                  'customer_ids': 18800,
                  'analysis_date': '2026-11-01',
                  'lines_without_customer': 0,
                  'kpis': {'customers': 18800,
                           'net_sales': 45407392.0,
                           'avg_monetary': 2415.2868085106384,
                           'repeat_share': 0.6797872340425531,
                           'clv_total': 17949567.16755281,
                           'high_churn_share': 0.30186170212765956},
                  'rfm_means': {'recency': 277.2079255319149,
                                'frequency': 6.103404255319149,
                                'monetary': 2415.2868085106384},
                  'groups': [('Champions', 2629, 18689282.0, 10.07417268923545),
                             ('Loyal', 3482, 14094487.0, 149.59534750143595),
                             ('Potential loyalists', 2134, 1318850.0, 59.58950328022493),
                             ('New', 301, 36802.0, 12.664451827242525),
                             ('Promising', 516, 62920.0, 89.12984496124031),
                             ('Need attention', 858, 624225.0, 234.93822843822844),
                             ('About to sleep', 1365, 425534.0, 236.92967032967033),
                             ('At risk', 3311, 4096205.0, 521.6064633041377),
                             ('Cannot lose them', 875, 4986056.0, 479.31771428571426),
                             ('Hibernating', 2451, 965062.0, 511.22603019175847),
                             ('Lost', 878, 107969.0, 640.9145785876993)],
                  'groups_other': [('重要价值', 2932, 25924929.0), ('重要发展', 541, 1838642.0), ('重要保持', 840, 5356720.0),
                                   ('重要挽留', 467, 1563952.0), ('一般价值', 646, 1139939.0), ('一般发展', 6144, 4531536.0),
                                   ('一般保持', 251, 443189.0), ('一般挽留', 6979, 4608485.0)],
                  'transitions': {'matrix': [[1296, 1022, 2, 0, 0, 0, 0, 0, 0, 0, 0],
                                             [706, 2215, 1, 0, 0, 7, 0, 195, 123, 0, 0],
                                             [259, 151, 880, 0, 1, 362, 270, 0, 0, 0, 0],
                                             [28, 5, 64, 0, 142, 0, 0, 0, 0, 0, 0],
                                             [11, 3, 68, 0, 109, 0, 281, 0, 0, 0, 0],
                                             [27, 18, 31, 0, 0, 489, 1, 206, 0, 2, 0],
                                             [11, 4, 77, 0, 0, 0, 813, 0, 0, 319, 0],
                                             [24, 18, 19, 0, 0, 0, 0, 2853, 0, 8, 0],
                                             [2, 1, 0, 0, 0, 0, 0, 57, 752, 0, 0],
                                             [3, 4, 48, 0, 0, 0, 0, 0, 0, 2122, 79],
                                             [0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 799],
                                             [262, 41, 925, 301, 264, 0, 0, 0, 0, 0, 0]],
                                  'rows': ['Champions', 'Loyal', 'Potential loyalists', 'New', 'Promising',
                                           'Need attention', 'About to sleep', 'At risk', 'Cannot lose them',
                                           'Hibernating', 'Lost', '_new'],
                                  'stayed_share': 0.7248779914152996,
                                  'new_customers': 1793},
                  'findings': ['At risk, Cannot lose them together hold 20.0% of net sales: send a win-back offer to these '
                               '4,186 customers.',
                               'Champions: 14.0% of customers bring 41.2% of net sales; keep them with early access '
                               'and VIP service rather than discounts.',
                               'New, Promising: 817 recent first-time buyers; nudge a second purchase within 30 '
                               'days.',
                               '318 customers who were top customers on 2026-08-03 have slipped to at-risk or lapsed '
                               'groups: contact them first.',
                               '2 clusters (silhouette 0.44, stability 0.98); the top cluster is 34.1% of customers '
                               'and 80.8% of net sales.',
                               "On average 33.0% of a month's new customers buy again the next month: plan a "
                               'second-purchase journey.',
                               '5,675 customers are at high churn risk (P(alive) < 0.3) and brought 33.0% of net '
                               'sales: try a last win-back, then stop spending on them.',
                               'Predicted value of the current base over the next 12 months: 17,949,567.17; the top '
                               '10% of customers hold 60.9% of it.'],
                  'warnings': [],
                  'clusters': {'k': 2,
                               'k_auto': 2,
                               'silhouette': 0.4373908596692785,
                               'ari_mean': 0.9758561138511164,
                               'sizes': [6413, 12387],
                               'avg_monetary': [5721.813659753626, 703.4310971179463]},
                  'tiers': {'basis': 'spend',
                            'thresholds': [890.0, 2800.0, 7800.0],
                            'current': [(12750, 2278600.0), (3638, 5876476.0), (1806, 8179444.0), (606, 7841568.0)],
                            'proposed': [],
                            'moved': (None, None),
                            'cost_delta': None},
                  'cohorts': {'cohorts': ['2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05',
                                          '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12',
                                          '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07',
                                          '2026-08', '2026-09', '2026-10'],
                              'sizes': [3240, 1124, 1017, 624, 826, 622, 558, 957, 441, 506, 564, 812, 956, 599, 659,
                                        485, 660, 505, 546, 838, 433, 473, 619, 736],
                              'retention_first': [1.0, 0.42777777777777776, 0.4024691358024691, 0.31234567901234567,
                                                  0.3537037037037037, 0.28703703703703703],
                              'retention_m1': [0.42777777777777776, 0.3692170818505338, 0.2664700098328417,
                                               0.36378205128205127, 0.2796610169491525, 0.2990353697749196,
                                               0.3548387096774194, 0.27063740856844304, 0.30158730158730157,
                                               0.31225296442687744, 0.3900709219858156, 0.3977832512315271,
                                               0.28870292887029286, 0.332220367278798, 0.30197268588770865,
                                               0.3463917525773196, 0.3196969696969697, 0.300990099009901,
                                               0.4139194139194139, 0.27684964200477324, 0.29330254041570436,
                                               0.3150105708245243, 0.37318255250403876, None],
                              'revenue_first': [2542395.0, 1163243.0, 1183959.0, 636489.0, 914816.0, 640306.0],
                              'revenue_total': 45407392.0,
                              'last_month_partial': False},
                  'clv': {'params': {'r': 0.4111248605985235,
                                     'alpha': 2.1853580991334787,
                                     'a': 0.6217593539854785,
                                     'b': 3.289265052291637,
                                     'p': 1.5289224934301953,
                                     'q': 5.7814490797333775,
                                     'gamma': 1303.4811680975104},
                          'total': 17949567.16755281,
                          'mean': 954.764211040043,
                          'customers_fitted': 18800,
                          'repeat_customers': 12696,
                          'top10_share': 0.6093259160308377,
                          'corr': 0.036984610436481775,
                          'bands': [('high', 5675, 395552.930342159), ('medium', 2193, 1518763.249072982),
                                    ('low', 10932, 16035250.988137668)],
                          'histogram': [14849, 1847, 753, 411, 299, 180, 118, 88, 50, 51, 30, 27, 28, 12, 9, 11, 11,
                                        6, 7, 1, 1, 2, 1, 2, 0, 0, 1, 3, 1, 1]}},
 'retail_cn8_mid': {'customers': 3317,
                    'customer_ids': 4372,
                    'analysis_date': '2011-09-01',
                    'lines_without_customer': 135080,
                    'kpis': {'customers': 3317,
                             'net_sales': 4931141.242000001,
                             'avg_monetary': 1486.626844136268,
                             'repeat_share': 0.58516731986735,
                             'clv_total': 5274678.891478937,
                             'high_churn_share': 0.0},
                    'rfm_means': {'recency': 92.14290021103406,
                                  'frequency': 3.4413626771178776,
                                  'monetary': 1486.626844136268},
                    'groups': [('重要价值', 549, 3203353.7, 24.264116575591984),
                               ('重要发展', 102, 247918.92, 40.05882352941177), ('重要保持', 26, 67678.56, 135.1153846153846),
                               ('重要挽留', 52, 141777.401, 156.17307692307693),
                               ('一般价值', 269, 266310.77, 36.29739776951673),
                               ('一般发展', 1043, 516259.021, 45.375838926174495), ('一般保持', 52, 43228.37, 134.0),
                               ('一般挽留', 1224, 444614.5, 173.6421568627451)],
                    'groups_other': [('Champions', 502, 2358579.67), ('Loyal', 715, 1625754.56),
                                     ('Potential loyalists', 401, 148979.891), ('Need attention', 187, 88650.19),
                                     ('About to sleep', 186, 34823.78), ('At risk', 549, 409113.481),
                                     ('Cannot lose them', 47, 122751.24), ('Hibernating', 730, 142488.43)],
                    'transitions': {'matrix': [[396, 1, 19, 8, 10, 0, 9, 7], [13, 22, 0, 19, 0, 1, 0, 11],
                                               [26, 0, 7, 7, 1, 0, 0, 0], [5, 15, 0, 18, 0, 1, 0, 7],
                                               [53, 0, 0, 0, 141, 5, 31, 51], [24, 17, 0, 0, 55, 262, 0, 439],
                                               [11, 0, 0, 0, 24, 0, 12, 21], [16, 18, 0, 0, 31, 233, 0, 688],
                                               [5, 29, 0, 0, 7, 541, 0, 0]],
                                    'rows': ['重要价值', '重要发展', '重要保持', '重要挽留', '一般价值', '一般发展', '一般保持', '一般挽留', '_new'],
                                    'stayed_share': 0.5652650822669104,
                                    'new_customers': 582},
                    'findings': ['重要保持 (important to retain), 重要挽留 (important to win back) together hold 4.2% of net sales: '
                                 'send a win-back offer to these 78 customers.',
                                 '重要价值 (important value): 16.6% of customers bring 65.0% of net sales; keep them '
                                 'with early access and VIP service rather than discounts.',
                                 '重要发展 (important to develop), 一般发展 (general, to develop): 1,145 recent first-time '
                                 'buyers; nudge a second purchase within 30 days.',
                                 '31 customers who were top customers on 2011-06-03 have slipped to at-risk or '
                                 'lapsed groups: contact them first.',
                                 '3 clusters (silhouette 0.35, stability 0.94); the top cluster is 16.6% of '
                                 'customers and 64.1% of net sales.',
                                 "On average 21.0% of a month's new customers buy again the next month: plan a "
                                 'second-purchase journey.',
                                 'Predicted value of the current base over the next 12 months: 5,274,678.89; the top '
                                 '10% of customers hold 47.1% of it.'],
                    'warnings': ['135,080 order lines (24.9%) have no customer id and are left out of customer '
                                 'analytics.',
                                 '174,776 order lines on or after the analysis date 2011-09-01 are ignored.',
                                 '1,055 customer ids have only returns or cancellations and are left out of the RFM '
                                 'table.',
                                 'Averages of 重要保持 (important to retain) rest on fewer than 30 customers: read them '
                                 'as indicative.',
                                 '599 customers first bought after the CLV calibration end and have no CLV.',
                                 'The BG/NBD model finds almost no drop-out in this data (after a repeat purchase a customer leaves with probability 0.0%), so P(alive) stays near 1 for everyone and the churn-risk bands say little here: use recency instead (the RFM groups At risk, Hibernating and Lost).'],
                    'clusters': {'k': 3,
                                 'k_auto': 2,
                                 'silhouette': 0.34816252707913126,
                                 'ari_mean': 0.9353165651488276,
                                 'sizes': [551, 1271, 1495],
                                 'avg_monetary': [5736.750617059891, 1037.2790802517704, 302.21400735785954]},
                    'tiers': {'basis': 'spend',
                              'thresholds': [540.0, 1600.0, 4400.0],
                              'current': [(1655, 430086.5110000006), (996, 937391.2300000001),
                                          (498, 1245325.460999999), (168, 2318338.0400000005)],
                              'proposed': [],
                              'moved': (None, None),
                              'cost_delta': None},
                    'cohorts': {'cohorts': ['2010-12', '2011-01', '2011-02', '2011-03', '2011-04', '2011-05',
                                            '2011-06', '2011-07', '2011-08'],
                                'sizes': [885, 417, 380, 452, 300, 284, 242, 188, 169],
                                'retention_first': [1.0, 0.36610169491525424, 0.3231638418079096, 0.384180790960452,
                                                    0.36271186440677966, 0.3977401129943503],
                                'retention_m1': [0.36610169491525424, 0.22062350119904076, 0.1868421052631579,
                                                 0.1504424778761062, 0.21333333333333335, 0.19014084507042253,
                                                 0.17355371900826447, 0.18085106382978725, None],
                                'revenue_first': [558532.6900000176, 267324.5800000026, 226931.45000000228,
                                                  293111.5000000031, 198433.1799999984, 315653.2700000004],
                                'revenue_total': 4933189.132000026,
                                'last_month_partial': False},
                    'clv': {'params': {'r': 0.7355598117412586,
                                       'alpha': 8.761430287882348,
                                       'a': 5.537955314681372e-06,
                                       'b': 3608.6204699696004,
                                       'p': 2.9905148532511365,
                                       'q': 3.116838216956355,
                                       'gamma': 300.68819565292847},
                            'total': 5274678.891478937,
                            'mean': 1940.6471271077767,
                            'customers_fitted': 2718,
                            'repeat_customers': 1344,
                            'top10_share': 0.4711618467900995,
                            'corr': 0.08080868235725992,
                            'bands': [('high', 0, 0.0), ('medium', 0, 0.0), ('low', 2718, 5274678.891478936)],
                            'histogram': [2632, 52, 10, 7, 0, 2, 7, 1, 1, 2, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 1]},
                    'rows': {'n': 3317,
                             'clv': 5274678.89147893,
                             'tier3': 168,
                             'cluster1': 551,
                             'first': {'customer_id': '12346',
                                       'recency_days': 225,
                                       'frequency': 1,
                                       'monetary': 0.0,
                                       'group': 'Hibernating',
                                       'group_cn': '一般挽留',
                                       'tier': 0}},
                    'audience': [549, ['12348', '12352', '12354', '12355', '12356']]},
 'retail_default': {'customers': 4339,
                    'customer_ids': 4372,
                    'analysis_date': '2011-12-10',
                    'lines_without_customer': 135080,
                    'kpis': {'customers': 4339,
                             'net_sales': 8310477.054,
                             'avg_monetary': 1915.2977769071213,
                             'repeat_share': 0.6556810324959668,
                             'clv_total': 8723676.774233667,
                             'high_churn_share': 0.0},
                    'rfm_means': {'recency': 92.0414842129523,
                                  'frequency': 4.271952062687255,
                                  'monetary': 1915.2977769071213},
                    'groups': [('Champions', 651, 4281883.54, 5.382488479262673),
                               ('Loyal', 862, 2391652.231, 33.32018561484919),
                               ('Potential loyalists', 465, 229244.84, 16.212903225806453),
                               ('New', 32, 4780.6, 6.375), ('Promising', 89, 12540.88, 22.651685393258425),
                               ('Need attention', 210, 134832.36, 51.13333333333333),
                               ('About to sleep', 303, 87069.17, 51.96369636963696),
                               ('At risk', 671, 659014.182, 157.8628912071535),
                               ('Cannot lose them', 82, 253866.74, 119.54878048780488),
                               ('Hibernating', 641, 210032.851, 189.98595943837753),
                               ('Lost', 333, 45559.66, 280.45045045045043)],
                    'groups_other': [('重要价值', 710, 5530209.76), ('重要发展', 130, 420182.67), ('重要保持', 29, 109151.57),
                                     ('重要挽留', 41, 138417.151), ('一般价值', 337, 440975.43), ('一般发展', 1738, 1067195.893),
                                     ('一般保持', 39, 41527.11), ('一般挽留', 1315, 562817.47)],
                    'transitions': {'matrix': [[237, 186, 0, 0, 0, 0, 0, 69, 25, 0, 0],
                                               [183, 338, 0, 0, 0, 1, 0, 161, 44, 0, 0],
                                               [36, 68, 50, 0, 0, 37, 3, 78, 0, 135, 0],
                                               [23, 33, 12, 0, 0, 16, 0, 81, 0, 27, 0],
                                               [9, 14, 29, 0, 0, 14, 4, 1, 0, 91, 17],
                                               [52, 119, 19, 0, 0, 28, 0, 227, 3, 108, 0],
                                               [8, 24, 0, 0, 0, 0, 0, 11, 10, 0, 0],
                                               [21, 27, 98, 0, 0, 63, 9, 26, 0, 179, 316],
                                               [82, 53, 257, 32, 89, 51, 287, 17, 0, 101, 0]],
                                    'rows': ['Champions', 'Loyal', 'Potential loyalists', 'Need attention',
                                             'About to sleep', 'At risk', 'Cannot lose them', 'Hibernating', '_new'],
                                    'stayed_share': 0.3148367952522255,
                                    'new_customers': 969},
                    'findings': ['At risk, Cannot lose them together hold 11.0% of net sales: send a win-back offer to these '
                                 '753 customers.',
                                 'Champions: 15.0% of customers bring 51.5% of net sales; keep them with early '
                                 'access and VIP service rather than discounts.',
                                 'New, Promising: 121 recent first-time buyers; nudge a second purchase within 30 '
                                 'days.',
                                 '299 customers who were top customers on 2011-09-11 have slipped to at-risk or '
                                 'lapsed groups: contact them first.',
                                 '2 clusters (silhouette 0.43, stability 0.95); the top cluster is 37.8% of '
                                 'customers and 83.8% of net sales.',
                                 "On average 20.6% of a month's new customers buy again the next month: plan a "
                                 'second-purchase journey.',
                                 'Predicted value of the current base over the next 12 months: 8,723,676.77; the top '
                                 '10% of customers hold 50.4% of it.'],
                    'warnings': ['135,080 order lines (24.9%) have no customer id and are left out of customer '
                                 'analytics.',
                                 '33 customer ids have only returns or cancellations and are left out of the RFM '
                                 'table.',
                                 'The BG/NBD model finds almost no drop-out in this data (after a repeat purchase a customer leaves with probability 0.1%), so P(alive) stays near 1 for everyone and the churn-risk bands say little here: use recency instead (the RFM groups At risk, Hibernating and Lost).'],
                    'clusters': {'k': 2,
                                 'k_auto': 2,
                                 'silhouette': 0.42895719892443096,
                                 'ari_mean': 0.9549008944128621,
                                 'sizes': [1640, 2699],
                                 'avg_monetary': [4244.576293292683, 499.95255020377914]},
                    'tiers': {'basis': 'spend',
                              'thresholds': [650.0, 2000.0, 5600.0],
                              'current': [(2203, 649711.4620000013), (1292, 1499811.5309999986),
                                          (630, 1994825.1410000024), (214, 3859686.640000001)],
                              'proposed': [],
                              'moved': (None, None),
                              'cost_delta': None},
                    'cohorts': {'cohorts': ['2010-12', '2011-01', '2011-02', '2011-03', '2011-04', '2011-05',
                                            '2011-06', '2011-07', '2011-08', '2011-09', '2011-10', '2011-11',
                                            '2011-12'],
                                'sizes': [885, 417, 380, 452, 300, 284, 242, 188, 169, 299, 358, 324, 41],
                                'retention_first': [1.0, 0.36610169491525424, 0.3231638418079096, 0.384180790960452,
                                                    0.36271186440677966, 0.3977401129943503],
                                'retention_m1': [0.36610169491525424, 0.22062350119904076, 0.1868421052631579,
                                                 0.1504424778761062, 0.21333333333333335, 0.19014084507042253,
                                                 0.17355371900826447, 0.18085106382978725, 0.20710059171597633,
                                                 0.23411371237458195, 0.24022346368715083, 0.1111111111111111, None],
                                'revenue_first': [558532.6900000176, 267324.5800000026, 226931.45000000228,
                                                  293111.5000000031, 198433.1799999984, 315653.2700000004],
                                'revenue_total': 8314287.914000045,
                                'last_month_partial': True},
                    'clv': {'params': {'r': 0.8255469122426875,
                                       'alpha': 9.88813513079515,
                                       'a': 0.003927766475418457,
                                       'b': 6.657326945667491,
                                       'p': 2.103523206007806,
                                       'q': 3.4499071668700934,
                                       'gamma': 485.5708468386823},
                            'total': 8723676.774233667,
                            'mean': 2010.5270279404626,
                            'customers_fitted': 4339,
                            'repeat_customers': 2790,
                            'top10_share': 0.5038031093951492,
                            'corr': 0.01588197121066788,
                            'bands': [('high', 0, 0.0), ('medium', 1, 346.0023852006697),
                                      ('low', 4338, 8723330.771848466)],
                            'histogram': [4236, 62, 11, 9, 4, 3, 4, 1, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1,
                                          1, 0, 0, 0, 0, 1]}}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_numbers_before_and_after(case, datasets):
    data, raw, lang = CASES[case]
    r = seg.compute(datasets[data], _params(raw), lang)
    _close(digest(r), EXPECTED[case])


# ---------------------------------------------------------------- lines stay in the engine


def test_fit_only_fetches_aggregates(datasets, monkeypatch):
    """No engine query of fit returns as many rows as there are order lines: per customer at most."""
    from data import engine

    orders = datasets["retail"]["orders"]
    tables = engine.tables_from_frames(datasets["retail"])
    fetched: list[int] = []
    real = engine.to_frame

    def counting(expr, **kw):
        df = real(expr, **kw)
        fetched.append(len(df))
        return df

    monkeypatch.setattr(engine, "to_frame", counting)
    res = seg.fit(tables, _params({"detail": "customers", "tier_whatif": "500,2000,8000"}))
    assert fetched and len(fetched) <= 8
    assert max(fetched) < len(orders)
    assert max(fetched) <= orders["customer_id"].nunique() == 4372   # one row per customer id at most
    assert len(res.customers) == 4339


def test_present_in_another_language_does_not_fit_again(datasets, monkeypatch):
    from data import engine

    from analytics.inputs import fit_params

    p = _params({"model": "cn8", "k": "3", "tier_whatif": "500,2000,8000", "audience": "churn:high",
                 "detail": "customers"})
    tables = engine.tables_from_frames(datasets["demo"])
    res = seg.fit(tables, fit_params(seg, p))   # display options (detail, audience) are not fit params
    with pytest.raises(Exception):
        res.customers = None   # frozen
    en = seg.present(res, p, "en")

    def refuse(*a, **kw):
        raise AssertionError("present must not query the engine or fit again")

    monkeypatch.setattr(engine, "to_frame", refuse)
    monkeypatch.setattr(seg, "fit", refuse)
    monkeypatch.setattr(seg.model, "fit", refuse)
    zh = seg.present(res, p, "zh")
    monkeypatch.undo()
    assert zh == seg.compute(datasets["demo"], p, "zh")
    assert zh["clv"]["total"] == en["clv"]["total"] and zh["kpis"] == en["kpis"]
    assert len(zh["rows"]) == zh["customers"] and {x["churn_risk"] for x in zh["audience_list"]} == {"high"}
    assert zh["findings"] != en["findings"] and zh["rfm_groups"][0]["label"] != en["rfm_groups"][0]["label"]


def test_a_fit_from_a_kept_base_equals_a_fit_from_the_lines_and_queries_nothing(datasets, monkeypatch):
    """The engine's part (fit_base) depends on the dates and BASE_PARAMS only: it is the same whatever the
    other parameters, and a fit given it reads no line yet gives the numbers of a fit from the lines."""
    from data import engine

    from analytics.inputs import fit_params

    tables = engine.tables_from_frames(datasets["demo"])
    first = _params({"start": "2025-01-01", "analysis_date": "2026-05-01", "clv_calibration_end": "2026-01-01"})
    other = _params({**{k: str(v) for k, v in first.items() if k in ("start", "analysis_date", "compare_days",
                                                                       "clv_calibration_end") and v is not None},
                     "model": "cn8", "k": "4", "seed": "3", "features": "recency,frequency,monetary,aov",
                     "tier_thresholds": "300,1500,5000", "tier_whatif": "500,2000,6000",
                     "tier_costs": "0,5,10,20", "clv_horizon": "6", "discount": "0.02", "time_unit": "day"})
    assert seg.base_params(other) == seg.base_params(first)
    base = seg.fit_base(tables, seg.base_params(first))
    whole = seg.fit_base(tables, other)  # given every parameter: the same base
    assert whole.base.aggregates.equals(base.base.aggregates) and whole.days.equals(base.days)
    assert repr(whole.cohorts) == repr(base.cohorts) and whole.counts == base.counts  # NaN cells: by repr
    assert whole.calibration_end == base.calibration_end == pd.Timestamp("2026-01-01")
    import hashlib
    import pickle

    def digest(b) -> str:  # everything a fit reads from the base
        parts = (b.base.table, b.base.aggregates, b.days, b.prev_groups, b.cohorts, b.counts, b.base.prepared.ids)
        return hashlib.md5(pickle.dumps(parts)).hexdigest()

    before = digest(base)
    assert base.base.prepared.lines is None  # no engine expression (and cursor) kept with the base

    queries = []
    real = engine.to_arrow
    monkeypatch.setattr(engine, "to_arrow", lambda expr: queries.append(expr) or real(expr))
    kept = seg.fit(tables, fit_params(seg, other), base=base)
    assert queries == []  # spend tiers: nothing to read
    assert digest(base) == before  # the kept base is not changed by a fit
    monkeypatch.undo()
    fresh = seg.fit(tables, fit_params(seg, other))
    assert seg.present(kept, other, "en") == seg.present(fresh, other, "en")
    assert kept.clusters["k"] == 4 and kept.model_column == "group_cn" and kept.clv["horizon"] == 6
    # a base parameter reaches fit_base through base_params: another compare_days is another base
    again = seg.fit_base(tables, seg.base_params({**first, "compare_days": 30}))
    assert again.base.aggregates["prev_frequency"].sum() != base.base.aggregates["prev_frequency"].sum()
    with pytest.raises(ValueError, match="segmentation base"):  # a base of other parameters is refused
        seg.fit(tables, fit_params(seg, {**other, "compare_days": 30}), base=base)


def test_the_drill_down_table_is_the_fits_customers(datasets, monkeypatch):
    """customer_table lists the fit's customers: given the page's fit it reads no line; without amounts it
    offers no spend tiers and no CLV (as the page), where it used to fail on the missing amount column."""
    from data import engine

    from analytics.inputs import fit_params

    p = _params({"k": "3", "tier_whatif": "500,2000,6000"})
    tables = engine.tables_from_frames(datasets["demo"])
    fitted = seg.fit(tables, fit_params(seg, p))
    fresh = seg.customer_table(tables, p)
    monkeypatch.setattr(engine, "to_arrow", lambda expr: pytest.fail("the drill-down read the lines"))
    given = seg.customer_table(tables, p, fitted=fitted)
    monkeypatch.undo()
    assert given.equals(fresh) and len(given) == len(fitted.customers)
    assert list(given.columns[-7:]) == ["cluster", "tier_basis_value", "tier", "p_alive", "churn_risk",
                                        "expected_purchases", "clv"]
    units = datasets["demo"]["orders"].drop(columns=["amount", "unit_price", "discount"], errors="ignore")
    tab = seg.customer_table({"orders": units}, _params({}))
    assert "cluster" in tab.columns and not {"tier", "clv", "churn_risk"} & set(tab.columns)
    assert tab["monetary"].sum() > 0  # units, as the page's M without amounts


# ---------------------------------------------------------------- per-customer aggregates


def test_customer_aggregates_equal_a_per_line_count():
    """customer_aggregates counts orders in two steps (per customer and order, then per customer); its
    numbers equal the per-line definition written out in pandas: distinct order ids with a non-return
    line (lines without an order id are no order), sums over lines, first / last purchase, at ``ad`` and
    at ``before``. The lines cover an order split by both dates, an order id shared by two customers,
    lines without an order id, a customer with only returns and one with only lines after ``ad``."""
    import numpy as np
    import pandas as pd

    from analytics.segmentation import customers as cu
    from data import engine

    ad, before = pd.Timestamp("2024-07-01"), pd.Timestamp("2024-04-01")
    rows = [  # customer, order, date, amount, is_return
        ("A", "o1", "2023-05-02 10:00", 100.10, False), ("A", "o1", "2024-06-30 23:59", 20.20, False),
        ("A", "o1", "2024-07-01 00:00", 5.00, False), ("A", "o2", "2024-03-31 08:00", 30.00, False),
        ("A", "o2", "2024-03-31 08:00", -7.50, True), ("A", None, "2024-05-05 12:00", 11.11, False),
        ("B", "o1", "2024-02-01 09:00", 40.00, False), ("B", "o3", "2024-06-01 09:00", 0.10, False),
        ("B", "o3", "2024-06-01 09:00", 0.20, False), ("B", "o4", "2024-06-02 09:00", -0.30, True),
        ("C", "o5", "2024-05-01 09:00", -12.00, True), ("C", "o6", "2024-05-02 09:00", -3.00, True),
        ("D", "o7", "2024-07-02 09:00", 99.00, False), ("D", "o8", "2024-08-02 09:00", 1.00, False),
        ("E", None, "2024-01-01 09:00", 8.00, False), ("E", None, "2024-06-01 09:00", 2.00, False),
        ("F", "o9", "2023-06-30 09:00", 500.00, False), ("F", "o9", "2024-01-15 09:00", 0.05, False),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount", "is_return"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    got = cu.customer_aggregates(cu.prepared_lines(engine.from_frame(df)), ad, before)

    net = np.where(df["is_return"], -df["amount"].abs(), df["amount"])
    want = []
    for cid, g in df.groupby("customer_id", sort=True):
        n = net[g.index]
        row = {"customer_id": cid}
        for pre, cut in (("", ad), ("prev_", before)):
            bought = g.loc[~g["is_return"] & (g["order_date"] < cut)]
            if pre == "":
                row["first_purchase"] = bought["order_date"].min()
            row[pre + "last_purchase"] = bought["order_date"].max()
            row[pre + "frequency"] = bought["order_id"].dropna().nunique()
            row[pre + "gross"] = bought["amount"].sum()
            row[pre + "returns"] = g.loc[g["is_return"] & (g["order_date"] < cut), "amount"].abs().sum()
        year = ((g["order_date"] < ad) & (g["order_date"] >= ad - pd.Timedelta(days=365))).to_numpy()
        row["spend_last_year"] = n[year].sum()
        row["lines_after"] = int((g["order_date"] >= ad).sum())
        want.append(row)
    want = pd.DataFrame(want)
    assert list(got["customer_id"]) == list(want["customer_id"]) == ["A", "B", "C", "D", "E", "F"]
    for c in want.columns[1:]:
        w, x = want[c].to_numpy(), got[c].to_numpy()
        if c.endswith("purchase"):
            assert list(pd.to_datetime(x).as_unit("ns").astype("int64")) == \
                list(pd.to_datetime(w).as_unit("ns").astype("int64")), (c, x, w)
        else:
            assert np.allclose(x.astype(float), w.astype(float), rtol=0, atol=1e-9), (c, x, w)
    assert list(got["frequency"]) == [2, 2, 0, 0, 0, 1]        # A: o1 and o2 (o1 also has a line after ad)
    assert list(got["prev_frequency"]) == [2, 1, 0, 0, 0, 1]   # A: o1 (2023) and o2 (31 March) before April
    later = pd.Timestamp("2024-08-03")   # a comparison date after ad counts the orders up to it
    got = cu.customer_aggregates(cu.prepared_lines(engine.from_frame(df)), ad, later)
    assert list(got["prev_frequency"]) == [
        g.loc[~g["is_return"] & (g["order_date"] < later), "order_id"].dropna().nunique()
        for _, g in df.groupby("customer_id", sort=True)] == [2, 2, 0, 2, 0, 1]
    assert list(got["frequency"]) == [2, 2, 0, 0, 0, 1]


def test_customer_ids_count_undated_lines():
    """The fit leaves the distinct-id count out of its line counts and takes it from the customer
    aggregates when every line of the range has a date; an id seen only on an undated line still counts
    (one more query), as the line counts' own distinct count does."""
    import pandas as pd

    from analytics.segmentation import customers as cu
    from data import engine

    rows = [("A", "o1", "2024-05-02", 10.0), ("A", "o2", "2024-06-02", 20.0), ("B", "o3", "2024-06-01", 5.0),
            ("C", "o4", "2024-03-01", -4.0), (None, "o5", "2024-06-03", 7.0), ("D", "o6", None, 9.0)]
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["is_return"] = df["amount"] < 0
    for frame, ids in ((df, 4), (df.loc[df["order_date"].notna()], 3)):
        res = seg.fit({"orders": frame}, _params({}))
        assert res.customer_ids == ids == cu.line_counts(engine.from_frame(frame)).customer_ids
        assert len(res.customers) == 2   # A and B bought; C only returned; D has no dated line
