"""The footer's "Review pack (PDF)" control: pick pages, build, download; another page keeps the filters
it last showed in this session, a page not opened yet says it uses its defaults."""

from __future__ import annotations

import subprocess

from analytics.i18n import t
from analytics.registry import PAGES
from tests.app.conftest import make_app
from tests.unit.test_review_pack import poppler, squash

CHANNEL = "pages/channel_comparison.py"
MARKET = "pages/market_overview.py"


def test_footer_offers_the_review_pack_with_this_page_chosen(workspace):
    ids = workspace["ids"]
    at = make_app("ana", page=CHANNEL, query={"ch": str(ids["channels"]), "o": str(ids["orders"])}).run()
    assert not at.exception, at.exception
    pick = at.multiselect(key="pack_pages_channel-comparison")
    assert pick.label == "Pages in the pack" and pick.value == ["channel-comparison"]
    assert "data" not in pick.options and len(pick.options) == len([p for p in PAGES if p.url_path != "data"])
    assert "Live commerce" in pick.options
    build = at.button(key="pack_build_channel-comparison")
    assert build.label == "Build PDF" and not build.disabled
    assert "Download PDF" not in [b.label for b in at.get("download_button")]  # nothing built yet


def test_build_uses_this_session_filters_and_defaults(workspace, tmp_path):
    ids = workspace["ids"]
    at = make_app("ana", page=MARKET, query={"o": str(ids["orders"]), "mk": str(ids["market"]), "grain": "week",
                                             "lang": "zh"}).run()
    assert not at.exception, at.exception
    at.switch_page(CHANNEL)
    for k in list(at.query_params):
        del at.query_params[k]
    at.query_params["ch"] = str(ids["channels"])
    at.query_params["o"] = str(ids["orders"])
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    at.multiselect(key="pack_pages_channel-comparison").set_value(
        ["channel-comparison", "market-overview", "competitor-tracking"]).run()
    at.button(key="pack_build_channel-comparison").click().run()
    assert not at.exception, at.exception
    chosen, lang, pdf = at.session_state["pack_pdf_channel-comparison"]
    assert chosen == ("channel-comparison", "market-overview", "competitor-tracking") and lang == "zh"
    assert pdf.startswith(b"%PDF-")
    out = tmp_path / "pack.pdf"
    out.write_bytes(pdf)
    text = subprocess.run([poppler("pdftotext"), str(out), "-"], capture_output=True, text=True, check=True).stdout
    sheets = [squash(p) for p in text.split("\f")]
    heads = {p: next(i for i, s in enumerate(sheets) if squash(t("ui.report.title", "zh", page=t(f"ui.nav.{p}", "zh"))) in s)
             for p in chosen}
    assert heads["channel-comparison"] < heads["market-overview"] < heads["competitor-tracking"]
    market = "".join(sheets[heads["market-overview"]:heads["competitor-tracking"]])
    rivals = "".join(sheets[heads["competitor-tracking"]:])
    assert squash(f"{t('market.param.grain', 'zh')}: {t('market.choice.grain.week', 'zh')}") in market  # remembered
    assert squash(t("ui.pack.defaults_used", "zh")) in rivals and squash(t("ui.pack.defaults_used", "zh")) not in market
    assert squash(t("ui.report.filters", "zh")) in rivals
    labels = [b.label for b in at.get("download_button")]
    assert t("ui.pack.download", "zh") in labels
