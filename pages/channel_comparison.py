"""channel-comparison: which channels pay, how sure we are, and where the next unit of budget returns most.

Layout: header -> empty state (neither channel statistics nor orders) -> URL-bound filters -> warnings,
KPI cards, the "next unit of budget" call-out and "what to do next" -> tabs (KPIs with intervals,
curves and marginal ROAS, significant differences, trends, funnel, orders by channel) -> data behind
the page -> share link and reports. All numbers come from analytics.channels via analytics.cached.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.channels import PARAMS
from components import page, ui
from components.i18n import fmt_number, lang, tr

URL = "channel-comparison"
NS = "channels"
KPI_COLS = ("spend", "impressions", "clicks", "conversions", "revenue", "ctr", "cvr", "cvr_impr", "cpc", "cpm",
            "cpa", "roas", "roi", "marginal_roas", "engagement_rate", "follower_growth")
CI_OF = {"ctr": "ctr", "cvr": "cvr", "roas": "roas", "cpa": "cpa", "engagement_rate": "engagement_rate"}
ORDER_COLS = ("channel", "orders", "buyers", "net_sales", "aov", "return_rate", "return_rate_ci_low", "return_rate_ci_high")


def col(name: str) -> str:
    return tr(f"{NS}.col.{name}")


def _help(name: str) -> str | None:
    return ui.definition(NS, name)


def kpi_frame(rows: list[dict]) -> tuple[pd.DataFrame, dict]:
    """Channel KPIs with their 95% intervals next to them, headers in the user's language."""
    df = pd.DataFrame(rows)
    out = pd.DataFrame({col("channel"): df["channel"]})
    config: dict = {}
    for c in KPI_COLS:
        if c not in df.columns or df[c].isna().all():
            continue
        out[col(c)] = df[c]
        config[col(c)] = st.column_config.NumberColumn(col(c), help=_help(c), format=_fmt(c))
        if c in CI_OF and f"{c}_ci_low" in df.columns and df[f"{c}_ci_low"].notna().any():
            lo, hi = tr(f"{NS}.col.low", metric=col(c)), tr(f"{NS}.col.high", metric=col(c))
            out[lo], out[hi] = df[f"{c}_ci_low"], df[f"{c}_ci_high"]
            config[lo] = st.column_config.NumberColumn(lo, format=_fmt(c))
            config[hi] = st.column_config.NumberColumn(hi, format=_fmt(c))
    return out, config


def _fmt(name: str) -> str:
    if name in ("ctr", "cvr", "cvr_impr", "engagement_rate", "roi", "return_rate"):
        return "percent"
    if name in ("impressions", "clicks", "conversions", "follower_growth", "orders", "buyers"):
        return "localized"
    return "%.2f"


def sig_frame(pairs: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(pairs)
    return pd.DataFrame({
        col("metric"): [tr(f"{NS}.kpi.{m}") for m in df["metric"]], col("a"): df["a"], col("b"): df["b"],
        col("diff"): df["diff"], col("p_value"): df["p_value"], col("p_adjusted"): df["p_adjusted"],
    })


def curve_frame(curves: list[dict]) -> pd.DataFrame:
    rows = [c for c in curves if c.get("a") is not None]
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows).sort_values("marginal_roas", ascending=False, na_position="last")
    return pd.DataFrame({
        col("channel"): df["channel"], col("current_spend"): df["current_spend"],
        col("marginal_roas"): df.get("marginal_roas"), col("elasticity"): df["b"], col("r2"): df["r2"],
        col("points"): df["n"], col("diminishing"): df.get("diminishing"),
    })


ctx = page.context()
page.header(URL)
for ds_id in ctx.missing:
    st.warning(ui.say("page.missing_dataset", id=ds_id), icon=":material/link_off:")

if not ({"channels", "orders"} & ctx.kinds()):
    page.show_problems()
    st.info(tr(f"{NS}.empty.either"), icon=":material/info:")
    ui.empty_state("channels")
    page.footer(URL, ctx, {}, None)
    st.stop()

options = cached.page_call(URL, "by_options", ctx.datasets, cached.freeze_params({}), lang())
with st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
    params = page.param_widgets(URL, PARAMS, options={"by": options})
page.show_problems()  # after the widgets: they note the link's invalid values while reading it
result = page.compute(URL, ctx, params)

if result is not None:
    ui.warnings(result.get("warnings") or [])
    ui.kpi_cards(NS, result.get("kpis") or {})
    best = result.get("best_next_channel")
    if result.get("mode") == "channels":
        bc = next((c for c in result.get("curves") or [] if c.get("channel") == best), None)
        with st.container(border=True):
            st.metric(tr(f"{NS}.label.best_next"),
                      tr(f"{NS}.label.best_next_value", channel=best,
                         m=fmt_number(bc.get("marginal_roas"), lang(), 2)) if bc else tr(f"{NS}.label.no_best_next"),
                      help=_help("marginal_roas"))
    ui.findings(result.get("findings") or [])

    figs = page.figures(URL, ctx, params)
    rows = result.get("channels") or []
    if result.get("mode") == "orders":
        (t_orders,) = st.tabs([tr(f"{NS}.tab.orders")])
        with t_orders:
            if "orders" in figs:
                ui.figure(figs["orders"], key=f"{URL}_fig_orders")
            df = pd.DataFrame(rows)
            keep = [c for c in ORDER_COLS if c in df.columns]
            ui.table(df[keep].rename(columns={c: col(c) if not c.endswith(("_ci_low", "_ci_high")) else c for c in keep}),
                     key=f"{URL}_v_orders", file_name=f"prism_{URL}_orders")
    else:
        tabs = st.tabs([tr(f"{NS}.tab.{k}") for k in ("kpis", "curves", "significance", "trends", "funnel")])
        with tabs[0]:
            if "kpis" in figs:
                ui.figure(figs["kpis"], key=f"{URL}_fig_kpis")
            frame, config = kpi_frame(rows)
            st.caption(tr(f"{NS}.label.ci_caption"))
            ui.table(frame, key=f"{URL}_v_kpis", file_name=f"prism_{URL}_channels", column_config=config)
        with tabs[1]:
            if "curves" in figs:
                ui.figure(figs["curves"], key=f"{URL}_fig_curves")
            st.caption(tr(f"{NS}.label.curves_caption"))
            ui.table(curve_frame(result.get("curves") or []), key=f"{URL}_v_curves", file_name=f"prism_{URL}_curves")
        with tabs[2]:
            sig = result.get("significant_pairs") or []
            st.caption(tr(f"{NS}.label.sig_caption"))
            if sig:
                ui.table(sig_frame(sig), key=f"{URL}_v_sig", file_name=f"prism_{URL}_significant_pairs",
                         column_config={col("diff"): st.column_config.NumberColumn(format="percent"),
                                        col("p_adjusted"): st.column_config.NumberColumn(help=_help("p_adjusted"))})
            else:
                st.info(tr(f"{NS}.label.no_sig"))
        with tabs[3]:
            if "trends" in figs:
                ui.figure(figs["trends"], key=f"{URL}_fig_trends")
            else:
                st.caption(tr(f"{NS}.warning.snapshot"))
        with tabs[4]:
            if "funnel" in figs:
                ui.figure(figs["funnel"], key=f"{URL}_fig_funnel")
    page.standard_blocks(URL, ctx, params, {k: v for k, v in result.items() if k not in ("warnings", "findings", "kpis")},
                         kpis=False, charts=False)

page.footer(URL, ctx, params, result)
