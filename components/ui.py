"""Rendering helpers shared by every page: KPI cards with definitions, findings, tables with CSV
export, charts, empty states with templates, the share link and the report downloads.

User-provided text is rendered with Streamlit's escaping widgets (st.text / st.dataframe / st.caption
with plain strings); nothing here uses unsafe_allow_html.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from analytics.i18n import t
from components.export import records_frame, to_csv_bytes
from components.i18n import fmt_money, fmt_number, fmt_pct, lang, tr

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>$~"})


def md_escape(text: Any) -> str:
    """Escape Markdown so user text (dataset names, product names) renders literally."""
    return str(text).translate(MD_SPECIAL)


def definition(ns: str, name: str) -> str | None:
    key = f"{ns}.metric.{name}"
    text = t(key, lang())
    return None if text == key else text


def format_value(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if not isinstance(value, (int, float)):
        return str(value)
    n = name.lower()
    if any(s in n for s in ("rate", "share", "ctr", "cvr", "pct", "margin")) and abs(value) <= 1.5:
        return fmt_pct(value, lang())
    if any(s in n for s in ("sales", "revenue", "amount", "aov", "spend", "cost", "clv", "monetary", "returns", "gmv", "cpa", "cpc", "cpm", "budget", "price")):
        return fmt_money(value, lang())
    if isinstance(value, float) and not value.is_integer():
        return fmt_number(value, lang(), 2)
    return fmt_number(value, lang())


def kpi_cards(ns: str, kpis: dict[str, Any], *, changes: dict[str, Any] | None = None, per_row: int = 4,
              labels: dict[str, str] | None = None) -> None:
    items = [(k, v) for k, v in kpis.items() if not isinstance(v, (dict, list))]
    for i in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, (name, value) in zip(cols, items[i : i + per_row]):
            label = (labels or {}).get(name) or _label(ns, name)
            delta = None
            if changes and changes.get(name) is not None:
                delta = fmt_pct(changes[name], lang(), signed=True)
            col.metric(label, format_value(name, value), delta=delta, help=definition(ns, name))


def _label(ns: str, name: str) -> str:
    for key in (f"{ns}.kpi.{name}", f"{ns}.label.{name}", f"{ns}.col.{name}"):
        text = t(key, lang())
        if text != key:
            return text
    return name.replace("_", " ").capitalize()


def findings(items: list[str]) -> None:
    if not items:
        return
    with st.container(border=True):
        st.markdown(f"**{tr('page.findings')}**")
        for f in items:
            st.markdown("- " + md_escape(f))


def warnings(items: list[str]) -> None:
    for w in items or []:
        st.warning(md_escape(w), icon=":material/info:")


def figure(fig_spec: dict, key: str) -> None:
    fig = fig_spec.get("figure")
    if fig is None:
        return
    st.plotly_chart(fig, key=key, config={"displaylogo": False})


def table(rows: list[dict] | pd.DataFrame, *, key: str, file_name: str, height: int | None = None,
          column_config: dict | None = None) -> None:
    df = rows if isinstance(rows, pd.DataFrame) else records_frame(rows)
    if df.empty:
        return
    kwargs: dict[str, Any] = {"hide_index": True, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if column_config:
        kwargs["column_config"] = column_config
    st.dataframe(df, key=f"df_{key}", **kwargs)
    st.download_button(tr("page.download_csv"), data=lambda: to_csv_bytes(df), file_name=f"{file_name}.csv",
                       mime="text/csv", key=f"dl_{key}", icon=":material/download:", on_click="ignore")


def empty_state(kind: str) -> None:
    kind_label = tr(f"kind.{kind}")
    with st.container(border=True):
        st.subheader(tr("empty.title", kind=kind_label))
        st.write(tr("empty.body", kind=kind_label))
        path = SAMPLES / f"{kind}.csv"
        c1, c2 = st.columns(2)
        if path.exists():
            c1.download_button(tr("empty.template", kind=kind_label), data=path.read_bytes(),
                               file_name=f"prism_template_{kind}.csv", mime="text/csv", key=f"tpl_{kind}",
                               icon=":material/download:", on_click="ignore")
        c2.page_link("pages/data_manager.py", label=tr("empty.go_data"), icon=":material/upload:")


def share_link() -> str:
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    flat = {k: (v[0] if len(v) == 1 else ",".join(v)) for k, v in params.items()}
    return base + ("?" + urlencode(flat) if flat else "")


def share_and_export(url_path: str, make_html: Callable[[], str] | None, make_json: Callable[[], str] | None) -> None:
    c1, c2, c3 = st.columns([1, 1, 1])
    with c1.popover(tr("page.share"), icon=":material/share:"):
        st.caption(tr("page.share_help"))
        st.code(share_link(), language=None)
    if make_html is not None:
        c2.download_button(tr("page.report"), data=make_html, file_name=f"prism_{url_path}.html", mime="text/html",
                           key=f"report_{url_path}", icon=":material/description:", on_click="ignore")
    if make_json is not None:
        c3.download_button(tr("page.report_json"), data=make_json, file_name=f"prism_{url_path}.json",
                           mime="application/json", key=f"json_{url_path}", icon=":material/data_object:",
                           on_click="ignore")


def json_dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
