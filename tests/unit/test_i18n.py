"""Both catalogues hold the same keys and placeholders; formatting follows the language."""

from __future__ import annotations

import re
import string

import pytest

from analytics.i18n import LANGS, catalogue, fmt_date, fmt_money, fmt_number, fmt_pct, namespaces, t


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("ns", namespaces())
def test_same_keys_and_placeholders_in_both_languages(ns):
    cat = catalogue(ns)
    assert set(cat["en"]) == set(cat["zh"]), ns
    for key, en in cat["en"].items():
        assert _fields(en) == _fields(cat["zh"][key]), f"{ns}.{key}"
        assert cat["zh"][key].strip(), f"{ns}.{key} is empty in Chinese"


def test_chinese_catalogue_is_actually_chinese():
    zh = catalogue("ui")["zh"]
    han = sum(bool(re.search(r"[\u4e00-\u9fff]", v)) for v in zh.values())
    assert han / len(zh) > 0.8


def test_lookup_fallbacks_and_placeholders():
    assert t("ui.sidebar.signed_in_as", "en", name="Ana", role="analyst") == "Signed in as Ana (analyst)"
    assert t("ui.sidebar.signed_in_as", "zh", name="Ana", role="分析师") == "已登录：Ana（分析师）"
    assert t("ui.no.such.key", "zh") == "ui.no.such.key"
    assert t("nons.key", "en") == "nons.key"
    assert t("ui.nav.data", "fr") == "Data"  # unknown language -> English


def test_number_formats_per_language():
    assert fmt_number(1234567, "en") == "1,234,567"
    assert fmt_number(1234567, "zh") == "123.5万"
    assert fmt_number(321_000_000, "zh") == "3.21亿"
    assert fmt_money(1234.5, "en") == "1,234.50"
    assert fmt_money(1234.5, "zh") == "1,234.50"
    assert fmt_money(-50, "zh", currency="¥") == "-¥50.00"
    assert fmt_money(123456, "zh", currency="¥") == "¥12.3万"
    assert fmt_pct(0.1234, "en") == "12.3%"
    assert fmt_pct(0.05, "en", signed=True) == "+5.0%"
    # a tiny negative share (an interval's lower bound at -0.00004%) is never "-0.0%"
    assert fmt_pct(-4e-7, "en") == "0.0%" and fmt_pct(-4e-7, "en", signed=True) == "+0.0%"
    assert fmt_pct(-0.004, "en") == "-0.4%"
    assert fmt_number(float("nan")) == "—"
    assert fmt_date("2025-06-18", "zh") == "2025年6月18日"
    assert fmt_date("2025-06-18", "en") == "18 Jun 2025"
    for lang in LANGS:
        assert fmt_pct(None, lang) == "—"


def test_docs_metrics_is_generated_from_the_catalogues():
    """docs/metrics.md is the catalogues' metric.* definitions, the same text as the hover help."""
    from pathlib import Path

    from analytics.__main__ import metrics_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert doc == metrics_markdown(), "run: .venv/bin/python -m analytics metrics-doc"
    assert doc.count("| `") >= 40


@pytest.mark.parametrize("lang", LANGS)
def test_overflowed_and_huge_numbers_are_shown_not_blanked(lang):
    """A total of 1e308 + 1e308 is infinite: the formatters say so (never blank, never "inf" or 309 digits)."""
    inf = float("inf")
    assert fmt_number(inf, lang) == "∞" and fmt_money(inf, lang) == "∞"
    assert fmt_number(-inf, lang) == "-∞" and fmt_money(-inf, lang) == "-∞"
    assert fmt_pct(inf, lang) == "∞%"
    assert fmt_number(1e308, lang) == "1e+308" and fmt_money(-2.5e20, lang) == "-2.5e+20"
    assert fmt_number(float("nan"), lang) == "—" and fmt_money(None, lang) == "—"
    import numpy as np

    assert fmt_money(np.float64(inf), lang) == "∞"
    assert fmt_number(123456789012345, "en") == "123,456,789,012,345"  # below 1e15: the usual digits


def test_kpi_values_are_short_enough_never_to_be_cut():
    from analytics.i18n import fmt_kpi, fmt_money

    assert fmt_kpi(10_666_684.544, "en", money=True) == "10.67M"
    assert fmt_kpi(1_234_000_000, "en") == "1.23B" and fmt_kpi(-2_500_000.0, "en", money=True) == "-2.50M"
    assert fmt_kpi(918_936.61, "en", money=True) == "918,936.61" and fmt_kpi(20_726, "en") == "20,726"
    assert fmt_kpi(10_666_684.544, "zh", money=True) == fmt_money(10_666_684.544, "zh") == "1,066.7万"
    assert fmt_kpi(float("nan"), "en") == "—"
    assert all(len(fmt_kpi(v, "en", money=True)) <= 10 for v in (1e6, 9.99e8, 5.5e11, 123_456.78))


def test_small_rates_keep_two_significant_digits():
    """A CTR of 0.018% is not shown as 0.0% (issue 14); ordinary rates keep one decimal."""
    from analytics.i18n import fmt_pct

    assert fmt_pct(0.00018) == "0.018%" and fmt_pct(0.00018, "zh") == "0.018%"
    assert fmt_pct(0.0004, signed=True) == "+0.040%" and fmt_pct(-0.00002) == "-0.0020%"
    assert fmt_pct(0.125) == "12.5%" and fmt_pct(0.0) == "0.0%" and fmt_pct(0.0006) == "0.1%"
    assert fmt_pct(0.0000018, digits=2) == "0.00018%"
    assert fmt_pct(-1e-14) == "0.0%"  # rounding noise of a share stays 0.0%, not -0.00000000% or -0.0%


def test_lists_in_running_text_use_each_languages_separator():
    from analytics.i18n import fmt_list

    assert fmt_list(["GMV", "ROI", 3], "en") == "GMV, ROI, 3"
    assert fmt_list(iter(["最近购买", "分群"]), "zh") == "最近购买、分群"
    assert fmt_list([], "zh") == "" and fmt_list(["one"], "en") == "one"
