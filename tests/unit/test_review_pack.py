"""The PDF review pack (issue 14 item 8): one PDF of several pages, a section per page, KPI labels in the
chosen language (Chinese ones too, so a CJK font is embedded), the filters used, clear errors.

Needs Debian's chromium and poppler-utils (pdftotext, pdfinfo, pdffonts); `.ci/run` installs both. When
they are missing the tests fail with a clear message rather than skip, as the browser tests do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import report, review_pack
from analytics.i18n import t

ROOT = Path(__file__).resolve().parents[2]
PAGES3 = ["market-overview", "channel-comparison", "segmentation-explorer"]
EVIL = "<script>alert(1)</script>"


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed (apt-get install poppler-utils); the review pack tests need it")
    return path


def pdf_text(pdf: Path) -> list[str]:
    """pdftotext's text of each PDF page."""
    out = subprocess.run([poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A small demo workspace (every kind); the orders dataset's name carries HTML."""
    from data import db, demo, repository

    url = f"sqlite:///{tmp_path_factory.mktemp('pack') / 'prism.db'}"
    engine = db.get_engine(url)
    repository.init_store(engine=engine)
    ids = {}
    for kind, frame in demo.generate(3, n_customers=1500, scale=0.2).items():
        name = f"Shop {EVIL}" if kind == "orders" else demo.DEMO_NAMES[kind]
        ids[kind] = repository.write_dataset(kind=kind, frame=frame, name=name, content_hash=f"pack:{kind}",
                                             mapping={}, uploaded_by="ana", engine=engine)["id"]
    return {"url": url, "engine": engine, "ids": ids}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_three_pages_one_section_each_with_kpi_labels_in_the_language(store, tmp_path, lang):
    ids = list(store["ids"].values())
    sections, problems = review_pack.run_sections(PAGES3, ids, {"grain": "week"}, lang=lang, engine=store["engine"])
    assert problems == [] and [s.url_path for s in sections] == PAGES3
    assert all(s.result is not None for s in sections), [s.error for s in sections]
    out = tmp_path / f"pack_{lang}.pdf"
    out.write_bytes(review_pack.build_pdf(sections, lang=lang, user="ana"))
    assert out.read_bytes().startswith(b"%PDF-")
    info = subprocess.run([poppler("pdfinfo"), str(out)], capture_output=True, text=True, check=True).stdout
    n_pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert n_pages >= 3 and n_pages == review_pack.pdf_pages(out.read_bytes())
    assert "A4" in info

    pages = [squash(p) for p in pdf_text(out)]
    # one section per page, in order, each starting on a new sheet: the first sheet is the pack's head
    # then the first section; every other section's sheet begins with its title
    assert pages[0].startswith(squash(t("ui.pack.title", lang)))
    starts = []
    for s in sections:
        title = squash(t("ui.report.title", lang, page=t(f"ui.nav.{s.url_path}", lang)))
        where = [i for i, p in enumerate(pages) if title in p]
        assert where, (s.url_path, title)
        starts.append(where[0])
        assert pages[where[0]].startswith(title) or where[0] == 0, s.url_path
    assert starts == sorted(set(starts)) and starts[0] == 0

    for s, start in zip(sections, starts):
        end = starts[starts.index(start) + 1] if start != starts[-1] else len(pages)
        text = "".join(pages[start:end])
        labels = [r[t("ui.common.metric", lang)] for r in report.kpi_rows(s.url_path, s.result, lang)]
        assert len(labels) >= 3, s.url_path
        missing = [lb for lb in labels if squash(lb) not in text]
        assert missing == [], (s.url_path, missing)
        if lang == "zh":  # the labels are Chinese, so pdftotext reading them means the CJK glyphs are in the PDF
            assert sum(bool(re.search(r"[\u4e00-\u9fff]", lb)) for lb in labels) >= len(labels) // 2
        assert squash(s.result["findings"][0]) in text, s.url_path
        assert squash(t("ui.report.filters", lang)) in text
    # the filters used: the market page's grain, with its label in the language
    market = "".join(pages[starts[0]:starts[1]])
    grain_label = t("market.param.grain", lang)
    week = t("market.choice.grain.week", lang)
    assert squash(f"{grain_label}: {week if week != 'market.choice.grain.week' else 'week'}") in market
    assert squash(f"Shop {EVIL}") in market  # the dataset's name as text, never as markup

    if lang == "zh":
        fonts = subprocess.run([poppler("pdffonts"), str(out)], capture_output=True, text=True, check=True).stdout
        cjk = [ln for ln in fonts.splitlines() if "WenQuanYi" in ln or "NotoSansCJK" in ln]
        assert cjk and all(ln.split()[-5] == "yes" for ln in cjk), fonts  # the "emb" column


def test_document_escapes_user_text_and_says_when_defaults_or_no_result(store):
    ids = list(store["ids"].values())
    sections, _ = review_pack.run_sections(["market-overview"], ids, {}, lang="en", engine=store["engine"])
    sections[0].defaults = True
    broken = review_pack.Section("competitor-tracking", None, filters={"window": 7},
                                 datasets=[{"id": 1, "name": EVIL, "kind": "orders"}], error=f"no {EVIL} data")
    doc = review_pack.pack_html([sections[0], broken], lang="en", user=EVIL)
    assert EVIL not in doc and "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert doc.count("<section class='page'") == 2 and "break-before:page" in doc
    assert t("ui.pack.defaults_used", "en") in doc
    assert "Not enough data to answer this honestly: no &lt;script&gt;" in doc
    assert doc.count("<script type='text/javascript'>") == 1  # plotly.js once, not once per page
    assert "Content-Security-Policy" in doc
    with pytest.raises(KeyError, match="unknown page"):
        review_pack.pack_html([review_pack.Section("nowhere", None)], lang="en")


def test_a_page_without_its_data_becomes_a_section_that_says_why(store):
    sections, _ = review_pack.run_sections(["competitor-tracking"], [store["ids"]["orders"]], {}, lang="zh",
                                           engine=store["engine"])
    assert sections[0].result is None and t("ui.kind.competitors", "zh") in sections[0].error


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_chromium_is_a_clear_error_in_the_language(monkeypatch, lang):
    monkeypatch.setenv("PRISM_CHROMIUM", "/nowhere/chromium")
    with pytest.raises(review_pack.ChromiumMissing) as exc:
        review_pack.build_pdf([], lang=lang)
    msg = t(exc.value.key, lang, **exc.value.kwargs)
    assert "PRISM_CHROMIUM" in msg and "/nowhere/chromium" in msg
    assert ("chromium" in msg) and (("找不到" in msg) if lang == "zh" else msg.startswith("No Chromium"))


def _cli(store, *args):
    env = {**os.environ, "DATABASE_URL": store["url"], "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "analytics", "report", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_cli_pdf_of_three_pages(store, tmp_path):
    ids = store["ids"]
    out = tmp_path / "pack.pdf"
    args = ["market-overview", "--page", "channel-comparison", "--page", "post-campaign-evaluation"]
    for kind in ("orders", "channels", "experiments", "feedback"):
        args += ["--dataset", str(ids[kind])]
    r = _cli(store, *args, "--param", "grain=week", "--param", "nope=1", "--format", "pdf", "--lang", "zh",
             "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "nope" in r.stderr and "Traceback" not in r.stderr
    assert out.read_bytes().startswith(b"%PDF-") and review_pack.pdf_pages(out.read_bytes()) >= 3
    text = squash("".join(pdf_text(out)))
    for p in ("market-overview", "channel-comparison", "post-campaign-evaluation"):
        assert squash(t("ui.report.title", "zh", page=t(f"ui.nav.{p}", "zh"))) in text, p
    assert squash(t("market.kpi.net_sales", "zh")) in text

    r = _cli(store, "market-overview", "--dataset", str(ids["orders"]), "--format", "pdf")
    assert r.returncode == 2 and "--out" in r.stderr
    r = _cli(store, "market-overview", "--page", "channel-comparison", "--dataset", str(ids["orders"]))
    assert r.returncode == 2 and "--format pdf" in r.stderr
    r = _cli(store, "market-overview", "--page", "nowhere", "--dataset", str(ids["orders"]), "--format", "pdf",
             "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "unknown page 'nowhere'" in r.stderr
    env_missing = {"PRISM_CHROMIUM": "/nowhere/chromium"}
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "market-overview", "--dataset", str(ids["orders"]),
                        "--format", "pdf", "--out", str(tmp_path / "y.pdf")], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "DATABASE_URL": store["url"], **env_missing})
    assert r.returncode == 3 and "PRISM_CHROMIUM" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "y.pdf").exists()
