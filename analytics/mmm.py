"""Media-mix response model: geometric adstock + logistic saturation, fitted by nonlinear least squares.

Model (one row per week; daily inputs are summed to Monday-based weeks first)
-----------------------------------------------------------------------------
    y_t = b0 + b_trend * t/T + sum_k (s_k sin + c_k cos)(2 pi k doy_t / 365.25)      (k = 1..2, yearly)
          + sum_j g_j control_jt
          + sum_c beta_c * sat(adstock(x_c / max(x_c); alpha_c); lam_c) + e_t

* adstock: geometric carryover with normalised weights w_l = alpha^l / sum_{l<8} alpha^l, l_max = 8,
  alpha in [0, 0.9] (the PyMC-Marketing / Robyn definition; weights sum to 1, so a constant spend s
  stays s in steady state);
* saturation: logistic ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` of spend scaled by its historical
  maximum (concave, saturates at beta_c);
* beta_c >= 0 (media never destroys sales);
* baseline_t = b0 + b_trend t/T + seasonality_t >= 0 on every fitted week (a negative baseline would let
  media take more than the whole outcome); controls are unconstrained. Baseline, controls and channel
  contributions add up to the fitted outcome, and their shares (``base_share``, ``control_share``,
  ``shares``) to fitted / actual, ~100%;
* lam <= 8: a channel is at most ~96% saturated at half its highest spend, so a steady channel cannot turn
  into a constant that stands in for the intercept.

Controls: ``prepare_media_mix(control_cols=None)`` uses the attr_ columns named event* / festival* /
holiday* / promo* (``default_control_cols``); without a festival control, demand peaks that spend is
pushed into are credited to media.

Fitting: variable projection. For given nonlinear parameters (alpha_c, log lam_c) the model is linear in
everything else, solved exactly by least squares (``numpy.linalg.lstsq``); when that breaks beta >= 0 or
baseline >= 0, the inequality-constrained least squares is solved exactly through its least-distance
form with one ``scipy.optimize.nnls`` (Lawson & Hanson 1974, ch. 23). Optional ``ridge`` shrinks each
channel's contribution share towards 0 (off by default: 0.01 already moves the PyMC-Marketing x1 share
from 29.7% to 26.7%, and it barely moves the demo). ``scipy.optimize.least_squares`` (trust
region reflective, bounds) optimises the nonlinear parameters from several seeded starts, with the exact
Jacobian of the projected residuals (``_Problem.jac``, checked against central differences in the tests;
one evaluation instead of 2C extra residuals per step, 3x faster); the best SSE wins. On the PyMC-Marketing example this recovers alpha = (0.40, 0.19) vs the true (0.4, 0.2),
lam = (4.1, 3.3) vs (4, 3), beta = (2.99, 1.97) x 1000 vs (3, 2) x 1000 in 0.1 s.

Uncertainty: moving-block bootstrap of residuals (blocks of 8 weeks keep autocorrelation), each
bootstrap series refitted from the point estimate (seeded). The draws give intervals on contribution
shares, response curves and every planned outcome (parameter uncertainty; not week-to-week noise).

Fit quality: the model is refitted on the first ~88% of weeks and scored on the last ~12% (MAPE, R²).

Planning (steady state): a channel given ``S`` in total over ``W`` weeks spends ``S / W`` each week; with
normalised adstock the carried-over spend equals ``S / W`` in steady state, so the horizon outcome is
``W * beta_c * sat(S / (W * scale_c); lam_c)``. The optimiser maximises the sum over channels under a total
budget and per-channel bounds. The objective is separable and concave, so the KKT conditions are
sufficient: every channel strictly inside its bounds has the same marginal return ``mu``; the spend of a
channel at a given ``mu`` has a closed form (inverse of the logistic derivative), clipped to the bounds,
and ``mu`` is found by bisection so that the spends add up to the budget. This is the exact optimum (not
a local one) and takes well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, lsq_linear, nnls

from data import presets

L_MAX = 8
ALPHA_MAX = 0.9
LAM_MIN, LAM_MAX = 0.05, 8.0     # lam <= 8: a channel is at most ~96% saturated at half its highest spend
FOURIER_K = 2
MIN_WEEKS_FIT = 26
MIN_WEEKS_SEASON = 52
BLOCK = 8
HOLDOUT_FRAC = 0.12
BOOT_TOL = 1e-5        # bootstrap refits: tolerance and evaluation cap
BOOT_MAX_NFEV = 40
RIDGE = 0.0            # ridge weight on the media coefficients (scaled units, see the module docstring)


# ----------------------------------------------------------------------------- transforms


def adstock(x: np.ndarray, alpha: float, l_max: int = L_MAX) -> np.ndarray:
    """Geometric adstock with normalised weights along axis 0 (x: (n,) or (n, k)).

    Parameters
    ----------
    x : np.ndarray
        Spend per week, (n,) or (n, k).
    alpha : float
        Decay per week.
    l_max : int
        Weeks of carry-over.

    Returns
    -------
    np.ndarray
        The adstocked spend, same shape.
    """
    x = np.asarray(x, dtype=float)
    w = float(alpha) ** np.arange(l_max)
    w = w / w.sum()
    out = np.zeros_like(x)
    n = x.shape[0]
    for lag in range(min(l_max, n)):
        out[lag:] += w[lag] * x[: n - lag]
    return out


def logistic_saturation(x: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """(1 - exp(-lam x)) / (1 + exp(-lam x)) = tanh(lam x / 2).

    Parameters
    ----------
    x : np.ndarray
        Scaled spend.
    lam : float | np.ndarray
        Saturation rate(s).

    Returns
    -------
    np.ndarray
        Values in [0, 1).
    """
    return np.tanh(np.asarray(lam, dtype=float) * np.asarray(x, dtype=float) / 2.0)


def logistic_saturation_deriv(x: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """d/dx of the logistic saturation: lam / 2 * (1 - tanh(lam x / 2)^2).

    Parameters
    ----------
    x : np.ndarray
        Scaled spend.
    lam : float | np.ndarray
        Saturation rate(s).

    Returns
    -------
    np.ndarray
        The derivative.
    """
    th = np.tanh(np.asarray(lam, dtype=float) * np.asarray(x, dtype=float) / 2.0)
    return np.asarray(lam, dtype=float) / 2.0 * (1.0 - th**2)


# ----------------------------------------------------------------------------- data


@dataclass
class MMMData:
    dates: pd.DatetimeIndex
    y: np.ndarray               # (n,) outcome per week
    X: np.ndarray               # (n, C) spend per week, raw units
    channels: list[str]
    controls: np.ndarray        # (n, J)
    control_names: list[str]
    source: str = "media_mix"   # "media_mix" | "channels+orders" | "channels"
    aggregated: bool = False    # daily rows were summed to weeks
    dropped: list[str] = field(default_factory=list)  # spend columns left out (all zero / constant)


def _to_weekly(df: pd.DataFrame, date_col: str, cols: list[str]) -> pd.DataFrame:
    wk = df[date_col].dt.to_period("W-SUN").dt.start_time
    return df[cols].groupby(wk).sum(min_count=1).sort_index()


def _is_sub_weekly(dates: pd.Series) -> bool:
    d = pd.Series(pd.to_datetime(dates).dropna().sort_values().unique())
    if len(d) < 3:
        return False
    return float(d.diff().dt.days.median()) < 6.5


def _layout(columns: Sequence[str]):
    """The recognised media-mix layout of a canonical frame's columns (data/presets.py: Robyn, Meridian),
    with the attr_ names it was recognised on, or (None, {})."""
    names = {str(c)[5:]: str(c) for c in columns if str(c).startswith("attr_")}
    p = presets.detect(["date", "outcome", *names])
    return (p, names) if p is not None and p.kind == "media_mix" else (None, {})


def default_spend_cols(columns: Sequence[str]) -> list[str]:
    """The spend columns of a recognised layout (Robyn ``*_S``, Meridian ``*_spend``), else the attr_
    columns whose name starts with spend / x or contains cost / spend / 消耗 / 花费.

    Parameters
    ----------
    columns : Sequence[str]
        The media_mix columns.

    Returns
    -------
    list[str]
        The spend columns.
    """
    p, names = _layout(columns)
    if p is not None:
        found = presets.role_columns(p, ["date", "outcome", *names], "spend")
        if found:
            return [names[c] for c in found]
    out = []
    for c in columns:
        if not str(c).startswith("attr_"):
            continue
        name = str(c)[5:].lower()
        if name.startswith(("spend", "x")) or any(k in name for k in ("cost", "spend", "消耗", "花费")):
            out.append(c)
    return out


CONTROL_PREFIXES = ("event", "festival", "holiday", "promo")


def default_control_cols(columns: Sequence[str]) -> list[str]:
    """The context columns of a recognised layout (Robyn ``*_B``, events, newsletter; Meridian
    ``*_control``, GQV, Competitor_Sales, Promo), else the attr_ columns named event* / festival* /
    holiday* / promo*; never a spend column.

    Parameters
    ----------
    columns : Sequence[str]
        The media_mix columns.

    Returns
    -------
    list[str]
        The control columns.
    """
    spend = set(default_spend_cols(columns))
    p, names = _layout(columns)
    if p is not None:
        found = [names[c] for c in presets.role_columns(p, ["date", "outcome", *names], "controls")]
        return [c for c in found if c not in spend]
    return [c for c in columns if str(c).startswith("attr_") and c not in spend
            and str(c)[5:].lower().startswith(CONTROL_PREFIXES)]


def _col(df: pd.DataFrame, name: str) -> str | None:
    if name in df.columns:
        return name
    if "attr_" + name in df.columns:
        return "attr_" + name
    return None


def prepare_media_mix(df: pd.DataFrame, spend_cols: Sequence[str] | None = None,
                      control_cols: Sequence[str] | None = None) -> MMMData:
    """Weekly arrays from a canonical media_mix frame. Column names may be given with or without attr_;
    ``control_cols=None`` uses :func:`default_control_cols` (an empty list uses none).

    Parameters
    ----------
    df : pd.DataFrame
        Canonical media_mix frame (``date``, ``outcome``, spend and control columns).
    spend_cols : Sequence[str] | None
        Spend columns (None or empty: :func:`default_spend_cols`).
    control_cols : Sequence[str] | None
        Control columns, or None.

    Returns
    -------
    MMMData
        Weekly outcome, spend per channel (constant or all-zero channels dropped) and controls.
    """
    df = df.loc[df["date"].notna() & df["outcome"].notna()].sort_values("date")
    if spend_cols:
        spend = [c for c in (_col(df, s) for s in spend_cols) if c is not None]
    else:
        spend = default_spend_cols(df.columns)
    if control_cols is None:
        control_cols = default_control_cols(df.columns)
    controls = [c for c in (_col(df, s) for s in control_cols) if c is not None and c not in spend]
    df, controls = _indicator_controls(df, controls)
    num = df[spend + controls].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    num["outcome"] = df["outcome"].astype(float)
    num["date"] = df["date"]
    aggregated = _is_sub_weekly(df["date"])
    if aggregated:
        wk = _to_weekly(num, "date", ["outcome"] + spend + controls)
        num = wk.reset_index(names="date")
    else:
        num = num.groupby("date", as_index=False).sum()
    X = num[spend].to_numpy(dtype=float) if spend else np.zeros((len(num), 0))
    keep = [i for i in range(X.shape[1]) if np.nanmax(X[:, i]) > 0 and np.nanstd(X[:, i]) > 0]
    dropped = [spend[i] for i in range(len(spend)) if i not in keep]
    return MMMData(
        dates=pd.DatetimeIndex(num["date"]), y=num["outcome"].to_numpy(dtype=float), X=X[:, keep],
        channels=[_label(spend[i]) for i in keep], controls=num[controls].to_numpy(dtype=float),
        control_names=[_label(c) for c in controls], source="media_mix", aggregated=aggregated,
        dropped=[_label(c) for c in dropped],
    )


NO_EVENT = frozenset({"", "na", "n/a", "none", "null", "nan", "0", "no", "无", "-"})


def _indicator_controls(df: pd.DataFrame, controls: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """A text control (Robyn's ``events``: na / event1 / event2) becomes one 0/1 column per value other
    than a blank or "na" (``<column>=<value>``, at most 10 values); numeric controls stay as they are."""
    out, names = df, []
    for c in controls:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) or pd.to_numeric(s, errors="coerce").notna().mean() >= 0.95:
            names.append(c)
            continue
        text = s.astype("string").str.strip().fillna("")
        levels = [v for v in pd.unique(text) if v.casefold() not in NO_EVENT][:10]
        if out is df:
            out = df.copy()
        for v in levels:
            name = f"{c}={v}"
            out[name] = (text == v).astype(float).to_numpy()
            names.append(name)
    return out, names


def _label(col: str) -> str:
    return col[5:] if str(col).startswith("attr_") else str(col)


def net_sales_weekly(orders: pd.DataFrame) -> pd.Series:
    """Net sales per Monday-based week: sales lines minus abs(amount) of return lines.

    Parameters
    ----------
    orders : pd.DataFrame
        Order lines (``order_date``, ``amount``, ``is_return``).

    Returns
    -------
    pd.Series
        Net sales indexed by week start.
    """
    o = orders.loc[orders["order_date"].notna()]
    amt = o["amount"].astype(float)
    ret = o["is_return"].fillna(False).astype(bool) if "is_return" in o.columns else pd.Series(False, index=o.index)
    net = amt.where(~ret, -amt.abs())
    wk = o["order_date"].dt.to_period("W-SUN").dt.start_time
    return net.groupby(wk).sum().sort_index()


def prepare_from_channels(channels: pd.DataFrame, orders: pd.DataFrame | None = None) -> MMMData:
    """Weekly spend per channel from channel statistics; outcome = net sales from orders (else channel revenue).

    Parameters
    ----------
    channels : pd.DataFrame
        Channel lines (``date``, ``channel``, ``spend``, ``revenue``).
    orders : pd.DataFrame | None
        Order lines, or None.

    Returns
    -------
    MMMData
        The weekly model data.
    """
    c = channels.loc[channels["date"].notna() & channels["channel"].notna()]
    wk = c["date"].dt.to_period("W-SUN").dt.start_time
    spend = c["spend"].astype(float).groupby([wk, c["channel"].astype(str)]).sum().unstack(fill_value=0.0)
    if orders is not None and not orders.empty and orders["order_date"].notna().any():
        y = net_sales_weekly(orders)
        source = "channels+orders"
    else:
        y = c["revenue"].astype(float).groupby(wk).sum(min_count=1)
        source = "channels"
    return from_weekly(spend, y, source)


def from_weekly(spend: pd.DataFrame, y: pd.Series, source: str) -> MMMData:
    """Model data from weekly sums: ``spend`` (week start x channel, 0 where a channel did not spend) and the
    outcome ``y`` per week; the weeks both hold (outcome not missing), channels that never spend or never
    vary left out.

    Parameters
    ----------
    spend : pd.DataFrame
        Spend, week start x channel.
    y : pd.Series
        Outcome per week.
    source : str
        Where the data came from ("channels+orders", "channels", ...).

    Returns
    -------
    MMMData
        The model data.
    """
    idx = spend.index.intersection(y.dropna().index).sort_values()
    spend, y = spend.loc[idx], y.loc[idx]
    X = spend.to_numpy(dtype=float)
    names = [str(s) for s in spend.columns]
    keep = [i for i in range(X.shape[1]) if X[:, i].max() > 0 and X[:, i].std() > 0]
    return MMMData(dates=pd.DatetimeIndex(idx), y=y.to_numpy(dtype=float), X=X[:, keep],
                   channels=[names[i] for i in keep], controls=np.zeros((len(idx), 0)), control_names=[],
                   source=source, aggregated=True, dropped=[names[i] for i in range(len(names)) if i not in keep])


# ----------------------------------------------------------------------------- fit


@dataclass
class Curves:
    """Steady-state response curves: weekly outcome of channel c at weekly spend s = beta_c sat(s/scale_c; lam_c).

    ``draws_beta`` / ``draws_lam`` (B, C) hold bootstrap draws for intervals (may be empty)."""

    channels: list[str]
    beta: np.ndarray
    lam: np.ndarray
    scale: np.ndarray
    draws_beta: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    draws_lam: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def weekly(self, weekly_spend: np.ndarray, beta=None, lam=None) -> np.ndarray:
        """Weekly outcome per channel at ``weekly_spend``: beta_c sat(spend / scale_c; lam_c).

        Parameters
        ----------
        weekly_spend : np.ndarray
            Spend per week per channel (broadcast against ``beta``).
        beta
            Channel maxima (None: the fit's).
        lam
            Saturation rates (None: the fit's).

        Returns
        -------
        np.ndarray
            The outcome.
        """
        b = self.beta if beta is None else beta
        lm = self.lam if lam is None else lam
        return b * logistic_saturation(np.asarray(weekly_spend, dtype=float) / self.scale, lm)

    def horizon(self, total_spend: np.ndarray, weeks: float, beta=None, lam=None) -> np.ndarray:
        """Outcome per channel over ``weeks`` weeks for ``total_spend`` per channel (steady state).

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.
        beta
            Channel maxima (None: the fit's).
        lam
            Saturation rates (None: the fit's).

        Returns
        -------
        np.ndarray
            The outcome per channel.
        """
        return weeks * self.weekly(np.asarray(total_spend, dtype=float) / weeks, beta, lam)

    def marginal(self, total_spend: np.ndarray, weeks: float) -> np.ndarray:
        """d outcome / d spend per channel at ``total_spend`` (same in weekly and horizon terms).

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            The marginal outcome per unit of spend.
        """
        x = np.asarray(total_spend, dtype=float) / weeks / self.scale
        return self.beta / self.scale * logistic_saturation_deriv(x, self.lam)

    def horizon_draws(self, total_spend: np.ndarray, weeks: float) -> np.ndarray:
        """(B, C) outcome per bootstrap draw.

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            (B, C) outcomes; empty without draws.
        """
        if self.draws_beta.size == 0:
            return np.zeros((0, len(self.channels)))
        return self.horizon(np.asarray(total_spend, dtype=float)[None, :], weeks, self.draws_beta, self.draws_lam)

    def ceiling(self, weeks: float) -> np.ndarray:
        """The most each channel can bring over ``weeks`` weeks (fully saturated).

        Parameters
        ----------
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            ``weeks x beta`` per channel.
        """
        return weeks * self.beta


@dataclass
class MMMFit:
    data: MMMData
    alpha: np.ndarray
    lam: np.ndarray
    beta: np.ndarray                 # outcome units per week at full saturation
    coef: np.ndarray                 # all linear coefficients (scaled outcome units)
    base_names: list[str]
    fitted: np.ndarray
    contributions: np.ndarray        # (n, C) outcome units
    base_part: np.ndarray            # (n,) intercept + trend + seasonality
    control_part: np.ndarray         # (n,)
    scale: np.ndarray
    y_scale: float
    seasonality: bool
    cost: float
    holdout: dict
    draws_alpha: np.ndarray
    draws_lam: np.ndarray
    draws_beta: np.ndarray
    draws_share: np.ndarray
    fit_seconds: float = 0.0

    @property
    def curves(self) -> Curves:
        """The fit's response curves (with the bootstrap draws).

        Returns
        -------
        Curves
            The curves.
        """
        return Curves(self.data.channels, self.beta, self.lam, self.scale, self.draws_beta, self.draws_lam)

    @property
    def shares(self) -> np.ndarray:
        """Each channel's share of the outcome (its contributions over the weeks / the outcome's sum).

        Returns
        -------
        np.ndarray
            One share per channel.
        """
        return self.contributions.sum(axis=0) / self.data.y.sum()

    @property
    def base_share(self) -> float:
        """Baseline (intercept + trend + seasonality) share of the outcome; with :attr:`control_share` and
        the channel :attr:`shares` it adds up to fitted / actual (~100%).

        Returns
        -------
        float
            The share.
        """
        return float(self.base_part.sum() / self.data.y.sum())

    @property
    def control_share(self) -> float:
        """The controls' share of the outcome.

        Returns
        -------
        float
            The share.
        """
        return float(self.control_part.sum() / self.data.y.sum())


def _fourier(dates: pd.DatetimeIndex, k: int) -> np.ndarray:
    doy = np.asarray(dates.day_of_year, dtype=float)
    cols = []
    for j in range(1, k + 1):
        cols += [np.sin(2 * np.pi * j * doy / 365.25), np.cos(2 * np.pi * j * doy / 365.25)]
    return np.column_stack(cols) if cols else np.zeros((len(dates), 0))


@dataclass(frozen=True)
class LiftTest:
    """A measured lift of one channel (an incrementality ledger entry, :mod:`analytics.ledger`) as the fit
    reads it: ``spend`` spent on ``channel`` (its index in the model's channels) over ``weeks`` weeks
    brought ``lift`` extra outcome, with the interval [``low``, ``high``] (95%). ``weight`` multiplies the
    entry's likelihood weight (1 = the measurement's own precision, see :func:`fit_calibrated`)."""

    channel: int
    spend: float
    weeks: float
    lift: float
    low: float
    high: float
    weight: float = 1.0

    @property
    def se(self) -> float:
        """The lift's standard error from its 95% interval (at least 1e-9 of the lift's size).

        Returns
        -------
        float
            The standard error.
        """
        return max((self.high - self.low) / (2 * 1.959964), 1e-9 * max(abs(self.lift), 1.0))


@dataclass(frozen=True)
class CalRows:
    """Calibration rows of the scaled least squares: per lift test the channel index ``ch``, the tested
    weekly spend over the channel's scale ``x``, the test's ``weeks``, the scaled ``target`` lift and the
    row weight ``w`` (sigma of the weekly residuals / the lift's standard error, times the test's weight)."""

    ch: np.ndarray
    x: np.ndarray
    weeks: np.ndarray
    target: np.ndarray
    w: np.ndarray


def cal_rows(tests: Sequence[LiftTest], scale: np.ndarray, y_scale: float, sigma: float) -> CalRows | None:
    """The calibration rows of the scaled least squares for ``tests`` (None without a test).

    Parameters
    ----------
    tests : Sequence[LiftTest]
        The lift tests.
    scale : np.ndarray
        Spend scale per channel.
    y_scale : float
        Outcome scale.
    sigma : float
        Residual standard deviation of the weekly outcome (scaled).

    Returns
    -------
    CalRows | None
        The rows, or None.
    """
    if not tests:
        return None
    ch = np.array([t.channel for t in tests], dtype=int)
    weeks = np.array([max(t.weeks, 1e-9) for t in tests], dtype=float)
    x = np.array([t.spend for t in tests], dtype=float) / weeks / scale[ch]
    target = np.array([t.lift for t in tests], dtype=float) / y_scale
    w = np.array([sigma * y_scale / t.se * t.weight for t in tests], dtype=float)
    return CalRows(ch=ch, x=x, weeks=weeks, target=target, w=w)


class _Problem:
    """Variable-projection least squares on scaled data.

    The linear part is solved under ``beta >= 0`` for every channel and ``baseline >= 0`` on every fitted
    week (baseline = the first ``n_core`` base columns: intercept, trend, seasonality; controls are free):
    a least-squares problem with linear inequalities (LSI), solved exactly through its least-distance
    form with ``scipy.optimize.nnls`` (Lawson & Hanson 1974, ch. 23) whenever the unconstrained solution
    breaks a constraint."""

    def __init__(self, base: np.ndarray, Xs: np.ndarray, l_max: int = L_MAX, n_core: int | None = None,
                 ridge: float = 0.0, cal: "CalRows | None" = None):
        self.base = base
        self.Xs = Xs
        self.C = Xs.shape[1]
        self.l_max = l_max
        n, nb = Xs.shape[0], base.shape[1]
        self.n = n
        self.nb = nb
        self.cal = cal if cal is not None and len(cal.ch) else None
        self.n_core = nb if n_core is None else int(n_core)
        self.lb = np.r_[np.full(nb, -np.inf), np.zeros(self.C)]
        # lagged copies of the spend (l_max, n, C) so the adstock of every channel is one product
        self.lags = np.zeros((l_max, n, self.C))
        for lag in range(min(l_max, n)):
            self.lags[lag, lag:] = Xs[: n - lag]
        # inequality rows G b >= 0: baseline on every week, then every media coefficient
        p = nb + self.C
        G = np.zeros((n + self.C, p))
        G[:n, : self.n_core] = base[:, : self.n_core]
        G[n:, nb:] = np.eye(self.C)
        self.G = G
        self.ridge = float(ridge)
        self.R_aug = np.zeros((self.C, p))
        self._last: tuple | None = None

    def aug(self, y: np.ndarray) -> np.ndarray:
        """The outcome with the calibration rows' targets appended (``y`` itself without calibration)."""
        if self.cal is None:
            return y
        return np.r_[y, self.cal.w * self.cal.target]

    def cal_rows(self, th: np.ndarray) -> np.ndarray:
        """The calibration rows of the design (k, nb + C): row i holds w_i x weeks_i x sat(x_i; lam_c) in
        its channel's column, so row . b is w_i times the model's incremental outcome (scaled) of the
        tested spend over the tested weeks (the planner's steady state)."""
        cal, C = self.cal, self.C
        lam = np.exp(np.asarray(th[C:], dtype=float))[cal.ch]
        R = np.zeros((len(cal.ch), self.nb + C))
        R[np.arange(len(cal.ch)), self.nb + cal.ch] = cal.w * cal.weeks * logistic_saturation(cal.x, lam)
        return R

    def cal_deriv(self, th: np.ndarray) -> np.ndarray:
        """d cal_rows / d theta in the layout of :meth:`jac`'s ``dU`` (k, 2C): only log lam of the row's
        channel moves it: w weeks (lam x / 2)(1 - tanh(lam x / 2)^2)."""
        cal, C = self.cal, self.C
        lam = np.exp(np.asarray(th[C:], dtype=float))[cal.ch]
        z = lam * cal.x / 2.0
        out = np.zeros((len(cal.ch), 2 * C))
        out[np.arange(len(cal.ch)), C + cal.ch] = cal.w * cal.weeks * z * (1.0 - np.tanh(z) ** 2)
        return out

    def media(self, th: np.ndarray) -> np.ndarray:
        C = self.C
        if C == 0:
            return np.zeros((self.Xs.shape[0], 0))
        w = np.asarray(th[:C], dtype=float)[None, :] ** np.arange(self.l_max)[:, None]  # (l_max, C)
        w = w / w.sum(axis=0)
        ad = np.einsum("lnc,lc->nc", self.lags, w)
        return logistic_saturation(ad, np.exp(th[C:]))

    def design(self, th: np.ndarray) -> np.ndarray:
        """The design matrix: the n weeks, then one row per calibration entry (when calibrated)."""
        D = np.column_stack([self.base, self.media(th)])
        return D if self.cal is None else np.vstack([D, self.cal_rows(th)])

    def solve(self, D: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.ridge > 0 and self.C:
            # penalty ridge * n * sum_c (beta_c mean_t m_ct)^2: the channel's average contribution in units
            # of the mean outcome, i.e. its contribution share, shrunk towards 0
            n = self.n
            self.R_aug[:, self.nb:] = np.sqrt(self.ridge * n) * np.diag(D[:n, self.nb:].mean(axis=0))
            D, y = np.vstack([D, self.R_aug]), np.r_[y, np.zeros(self.C)]
        b, *_ = np.linalg.lstsq(D, y, rcond=None)
        if (self.G @ b >= -1e-10).all():
            return b
        return _lsi(D, y, self.G, self.lb)

    def _at(self, th: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(design, solved coefficients) at ``th``: the last point is kept, because least_squares asks for
        the Jacobian at the point whose residuals it has just computed."""
        last = self._last
        if last is not None and last[1] is y and np.array_equal(last[0], th):
            return last[2], last[3]
        D = self.design(th)
        b = self.solve(D, y)
        self._last = (np.array(th, dtype=float), y, D, b)
        return D, b

    def resid(self, th: np.ndarray, y: np.ndarray) -> np.ndarray:
        D, b = self._at(th, y)
        return D @ b - y

    def jac(self, th: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Exact Jacobian of :meth:`resid` (n x 2C) for the active set of constraints at ``th``.

        Only channel c's media column depends on (alpha_c, log lam_c): dm = d sat(adstock) in closed form.
        The coefficients b(th) solve min ||D~ b - y~|| on the null space N of the active constraint rows
        (D~, y~: with the ridge rows when ridge > 0), b = N z, z = F^+ y~ with F = D~ N, so
        dz = -(F'F)^+ (N' e_j (u . r~) + F' u b_j) for the changed column j with derivative u, and
        dr = b_j dm + D N dz. Replaces 2C extra residual evaluations per step (forward differences)."""
        D, b = self._at(th, y)
        C, nb, n, nD = self.C, self.nb, self.n, D.shape[0]
        if C == 0:
            return np.zeros((nD, 0))
        alpha = np.asarray(th[:C], dtype=float)
        lam = np.exp(np.asarray(th[C:], dtype=float))
        ls = np.arange(self.l_max, dtype=float)[:, None]
        pw = alpha[None, :] ** ls                                    # (L, C), 0**0 = 1
        dpw = np.zeros_like(pw)
        dpw[1:] = ls[1:] * alpha[None, :] ** (ls[1:] - 1)
        S, Sp = pw.sum(axis=0), dpw.sum(axis=0)
        ad = np.einsum("lnc,lc->nc", self.lags, pw / S)
        dad = np.einsum("lnc,lc->nc", self.lags, (dpw * S - pw * Sp) / S**2)
        m = np.tanh(lam * ad / 2.0)
        g = 1.0 - m**2
        dU = np.concatenate([lam / 2.0 * g * dad, lam * ad / 2.0 * g], axis=1)   # (n, 2C)
        dU_mean = dU.mean(axis=0)
        if self.cal is not None:
            dU = np.vstack([dU, self.cal_deriv(th)])                         # (n + k, 2C)
        j = nb + np.r_[np.arange(C), np.arange(C)]
        bj = b[j]
        if self.ridge > 0:
            s = np.sqrt(self.ridge * n)
            R = np.zeros((C, D.shape[1]))
            R[:, nb:] = s * np.diag(D[:n, nb:].mean(axis=0))
            Da, ya = np.vstack([D, R]), np.r_[y, np.zeros(C)]
            Ua = np.vstack([dU, np.zeros((C, 2 * C))])
            Ua[nD + (j - nb), np.arange(2 * C)] = s * dU_mean
        else:
            Da, ya, Ua = D, y, dU
        gb = self.G @ b
        active = gb <= 1e-9 * max(1.0, float(np.abs(gb).max()))
        if active.any():
            _, sv, Vt = np.linalg.svd(self.G[active])
            rank = int((sv > 1e-10 * max(sv.max(), 1.0)).sum())
            N = Vt[rank:].T
        else:
            N = np.eye(D.shape[1])
        F = Da @ N
        Fp = np.linalg.pinv(F)
        rt = Da @ b - ya
        v = N[j].T * (Ua.T @ rt)[None, :] + (F.T @ Ua) * bj[None, :]
        dz = -(Fp @ (Fp.T @ v))
        return dU * bj[None, :] + D @ (N @ dz)

    def bounds(self):
        C = self.C
        return (np.r_[np.zeros(C), np.full(C, np.log(LAM_MIN))], np.r_[np.full(C, ALPHA_MAX), np.full(C, np.log(LAM_MAX))])

    def fit(self, y: np.ndarray, starts: list[np.ndarray]):
        best = None
        lo, hi = self.bounds()
        for th0 in starts:
            th0 = np.clip(th0, lo + 1e-9, hi - 1e-9)
            r = least_squares(self.resid, th0, jac=self.jac, bounds=(lo, hi), args=(y,), x_scale=1.0)
            if best is None or r.cost < best.cost:
                best = r
        return best


def _lsi(D: np.ndarray, y: np.ndarray, G: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """min ||D b - y|| subject to G b >= 0 (exact). With D = Q R and z = R b - Q'y this is the least-distance
    problem min ||z|| s.t. (G R^-1) z >= -(G R^-1) Q'y, whose solution comes from one NNLS
    (Lawson & Hanson 1974, ch. 23). b = 0 is always feasible, so the problem always has a solution."""
    p = D.shape[1]
    Q, R = np.linalg.qr(D)
    d = np.abs(np.diag(R))
    if d.min() <= 1e-10 * max(d.max(), 1.0):  # rank deficient: a tiny ridge keeps R invertible
        Q, R = np.linalg.qr(np.vstack([D, 1e-6 * np.eye(p)]))
        y = np.r_[y, np.zeros(p)]
    f = Q.T @ y
    Rinv = np.linalg.inv(R)  # p is small (< 20); scipy solve_triangular is slower here
    E = G @ Rinv
    g = -E @ f
    A = np.vstack([E.T, g[None, :]])
    e = np.zeros(p + 1)
    e[-1] = 1.0
    try:
        u, _ = nnls(A, e, maxiter=50 * A.shape[1])
    except RuntimeError:  # pragma: no cover - nnls iteration limit: a bounded solve without the baseline rows
        return lsq_linear(D, y, bounds=(lb, np.inf), method="bvls").x
    r = A @ u - e
    if abs(r[-1]) < 1e-14:  # pragma: no cover - infeasible (cannot happen: b = 0 is feasible)
        return np.zeros(p)
    z = -r[:p] / r[-1]
    b = Rinv @ (z + f)
    return b


def _starts(C: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for a0 in (0.1, 0.5):
        for l0 in (np.log(1.0), np.log(4.0)):
            out.append(np.r_[np.full(C, a0), np.full(C, l0)])
    for _ in range(2):  # seeded random starts
        out.append(np.r_[rng.uniform(0, 0.8, C), rng.uniform(np.log(0.3), np.log(10), C)])
    return out


def _base_matrix(dates: pd.DatetimeIndex, t: np.ndarray, controls: np.ndarray, season: bool):
    names = ["intercept", "trend"]
    cols = [np.ones(len(dates)), t]
    if season:
        F = _fourier(dates, FOURIER_K)
        cols += list(F.T)
        names += [f"{f}{k}" for k in range(1, FOURIER_K + 1) for f in ("sin", "cos")]
    cols += list(controls.T)
    return np.column_stack(cols), names


def fit_mmm(data: MMMData, *, n_boot: int = 200, seed: int = 0, seasonality: bool | None = None,
            holdout_frac: float = HOLDOUT_FRAC, l_max: int = L_MAX, ridge: float = RIDGE,
            lift_tests: Sequence[LiftTest] = (), sigma: float | None = None) -> MMMFit:
    """Fit the model (see the module docstring). ``lift_tests`` calibrate it (:func:`fit_calibrated`):
    each adds the row ``(model lift - measured lift) / se`` scaled by ``sigma`` (the residual standard
    deviation of the weekly outcome, scaled units; required with lift tests) to the least squares.

    Parameters
    ----------
    data : MMMData
        The weekly model data (ValueError with too few weeks or no channel).
    n_boot : int
        Bootstrap draws.
    seed : int
        Random seed.
    seasonality : bool | None
        Whether to fit Fourier seasonality (None: with enough weeks).
    holdout_frac : float
        Share of the last weeks held out for the fit check.
    l_max : int
        Weeks of carry-over.
    ridge : float
        Ridge penalty.
    lift_tests : Sequence[LiftTest]
        Lift tests to calibrate on.
    sigma : float | None
        Residual scale for the lift tests (required with them).

    Returns
    -------
    MMMFit
        The fitted model.
    """
    import time

    t0 = time.perf_counter()
    n, C = data.X.shape
    if n < MIN_WEEKS_FIT or C == 0:
        raise ValueError("not enough weeks or no spend channel")
    season = (n >= MIN_WEEKS_SEASON) if seasonality is None else seasonality
    scale = data.X.max(axis=0)
    Xs = data.X / scale
    y_scale = float(np.mean(np.abs(data.y))) or 1.0
    ys = data.y / y_scale
    T = max(n - 1, 1)
    tt = np.arange(n) / T
    # controls: scale to max abs 1 so their coefficients are comparable
    cscale = np.abs(data.controls).max(axis=0) if data.controls.size else np.zeros(0)
    cscale = np.where(cscale > 0, cscale, 1.0)
    ctrl = data.controls / cscale if data.controls.size else data.controls
    base, base_names = _base_matrix(data.dates, tt, ctrl, season)
    n_core = 2 + (2 * FOURIER_K if season else 0)
    if lift_tests and sigma is None:
        raise ValueError("lift tests need the residual scale sigma")
    cal = cal_rows(lift_tests, scale, y_scale, sigma) if lift_tests else None
    prob = _Problem(base, Xs, l_max, n_core, ridge, cal)
    ya = prob.aug(ys)
    res = prob.fit(ya, _starts(C, seed))
    th = res.x
    D = prob.design(th)
    b = prob.solve(D, ya)
    D = D[:n]
    fitted_s = D @ b
    nb = base.shape[1]
    media = D[:, nb:] * b[nb:]
    base_part = base[:, :n_core] @ b[:n_core]
    control_part = base[:, n_core:] @ b[n_core:nb]

    # holdout: refit on the first part, score the last part
    h = max(int(round(n * holdout_frac)), 4)
    holdout: dict = {"weeks": h}
    if n - h >= MIN_WEEKS_FIT - 4:
        Xtr = data.X[: n - h]
        sc_tr = np.where(Xtr.max(axis=0) > 0, Xtr.max(axis=0), scale)
        cal_tr = cal_rows(lift_tests, sc_tr, y_scale, sigma) if lift_tests else None
        p_tr = _Problem(base[: n - h], Xtr / sc_tr, l_max, n_core, ridge, cal_tr)
        y_tr = p_tr.aug(ys[: n - h])
        r_tr = p_tr.fit(y_tr, [th])
        # predict on all weeks with train scaling (adstock needs the history before the holdout)
        p_all = _Problem(base, data.X / sc_tr, l_max, n_core, ridge)
        D_all = p_all.design(r_tr.x)
        b_tr = p_tr.solve(p_tr.design(r_tr.x), y_tr)
        pred = D_all[n - h:] @ b_tr * y_scale
        act = data.y[n - h:]
        ss_res = float(np.sum((act - pred) ** 2))
        ss_tot = float(np.sum((act - act.mean()) ** 2))
        holdout.update({
            "start": data.dates[n - h], "mape": float(np.mean(np.abs((act - pred) / np.where(act != 0, act, np.nan)))),
            "r2": 1 - ss_res / ss_tot if ss_tot > 0 else None, "predicted": pred.tolist(), "actual": act.tolist(),
            "dates": list(data.dates[n - h:]),
        })
    else:
        holdout.update({"mape": None, "r2": None})

    # moving-block residual bootstrap
    rng = np.random.default_rng(seed)
    resid = ys - fitted_s
    blk = min(BLOCK, n)
    n_blocks = int(np.ceil(n / blk))
    da, dl, db, dsh = [], [], [], []
    lo, hi = prob.bounds()
    for _ in range(max(int(n_boot), 0)):
        starts = rng.integers(0, n - blk + 1, n_blocks)
        e = np.concatenate([resid[s:s + blk] for s in starts])[:n]
        e = e - e.mean()
        yb = prob.aug(fitted_s + e)
        # refit from the point estimate; looser tolerances and an evaluation cap keep 100 draws of a
        # 7-channel model under a second (the draws start next to their optimum)
        rb = least_squares(prob.resid, th, jac=prob.jac, bounds=(lo, hi), args=(yb,), ftol=BOOT_TOL, xtol=BOOT_TOL,
                           max_nfev=BOOT_MAX_NFEV)
        Db = prob.design(rb.x)
        bb = prob.solve(Db, yb)
        Db = Db[:n]
        da.append(rb.x[:C])
        dl.append(np.exp(rb.x[C:]))
        db.append(bb[nb:] * y_scale)
        dsh.append((Db[:, nb:] * bb[nb:]).sum(axis=0) * y_scale / data.y.sum())
    shp = (0, C)
    fit = MMMFit(
        data=data, alpha=th[:C].copy(), lam=np.exp(th[C:]), beta=b[nb:] * y_scale, coef=b, base_names=base_names,
        fitted=fitted_s * y_scale, contributions=media * y_scale, base_part=base_part * y_scale,
        control_part=control_part * y_scale, scale=scale, y_scale=y_scale, seasonality=season, cost=float(res.cost),
        holdout=holdout,
        draws_alpha=np.array(da) if da else np.zeros(shp), draws_lam=np.array(dl) if dl else np.zeros(shp),
        draws_beta=np.array(db) if db else np.zeros(shp), draws_share=np.array(dsh) if dsh else np.zeros(shp),
    )
    fit.fit_seconds = time.perf_counter() - t0
    return fit


def model_lift(fit: MMMFit, test: LiftTest) -> float:
    """The fitted model's incremental outcome of the test's spend over the test's weeks (steady state, as
    the planner plans): ``weeks x beta_c x sat(spend / weeks / scale_c; lam_c)``.

    Parameters
    ----------
    fit : MMMFit
        The fitted model.
    test : LiftTest
        The lift test.

    Returns
    -------
    float
        The model's lift.
    """
    c = test.channel
    return float(test.weeks * fit.beta[c] * logistic_saturation(test.spend / test.weeks / fit.scale[c], fit.lam[c]))


def residual_sigma(fit: MMMFit) -> float:
    """The residual standard deviation of the weekly outcome in the fit's scaled units (SSE over the
    degrees of freedom left by the linear coefficients and the 2 nonlinear parameters per channel).

    Parameters
    ----------
    fit : MMMFit
        The fitted model.

    Returns
    -------
    float
        The residual standard deviation.
    """
    n = len(fit.data.y)
    k = len(fit.coef) + 2 * len(fit.data.channels)
    sse = float(np.sum(((fit.data.y - fit.fitted) / fit.y_scale) ** 2))
    return float(np.sqrt(sse / max(n - k, 1)))


STRENGTHEN = (1.0, 10.0, 100.0, 1000.0)  # weights tried, in order, until every test's lift is in its interval


def fit_calibrated(data: MMMData, tests: Sequence[LiftTest], *, n_boot: int = 200, seed: int = 0,
                   **kw) -> tuple[MMMFit, MMMFit, float]:
    """The model calibrated on lift tests, the uncalibrated model (point estimate, no bootstrap) and the
    weight the tests needed.

    Each test is one more observation of the least squares, ``(model lift - measured lift) / se`` with
    se from the test's 95% interval, on the same footing as a week of data (residuals in units of the
    weekly residual standard deviation of the uncalibrated fit): the Gaussian likelihood of the experiment
    added to the model's, i.e. the measured lift acts as a prior on the channel's response at the tested
    spend (Meridian's ROI priors calibrated on experiments; Robyn's ``calibration_input``, which adds the
    lift tests' error as an objective beside the fit's). When the combined fit still leaves a test's lift
    outside its interval (the data pull hard the other way), the tests' weight is raised (x10, x100,
    x1000) until every lift is inside, so the calibrated curve honours the experiment's interval.

    Parameters
    ----------
    data : MMMData
        The weekly model data.
    tests : Sequence[LiftTest]
        The lift tests.
    n_boot : int
        Bootstrap draws of the final fit.
    seed : int
        Random seed.
    **kw
        Passed on to :func:`fit_mmm`.

    Returns
    -------
    tuple[MMMFit, MMMFit, float]
        The calibrated fit, the uncalibrated fit and the weight multiplier (0 without tests).
    """
    base = fit_mmm(data, n_boot=0, seed=seed, **kw)
    if not tests:
        return base, base, 0.0
    sigma = residual_sigma(base)
    chosen = STRENGTHEN[-1]
    for mult in STRENGTHEN:
        trial = [LiftTest(**{**t.__dict__, "weight": t.weight * mult}) for t in tests]
        cal = fit_mmm(data, n_boot=0, seed=seed, lift_tests=trial, sigma=sigma, **kw)
        if all(t.low - 1e-9 * abs(t.low) <= model_lift(cal, t) <= t.high + 1e-9 * abs(t.high) for t in tests):
            chosen = mult
            break
    trial = [LiftTest(**{**t.__dict__, "weight": t.weight * chosen}) for t in tests]
    final = fit_mmm(data, n_boot=n_boot, seed=seed, lift_tests=trial, sigma=sigma, **kw)
    return final, base, chosen


def baseline_weekly(fit: MMMFit, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
    """Non-media outcome per planned week: intercept + trend held at its last value + seasonality at the
    planned weeks (controls at 0).

    Parameters
    ----------
    fit : MMMFit
        The fitted model.
    dates : pd.DatetimeIndex | None
        The planned weeks (None: the four weeks after the data).

    Returns
    -------
    np.ndarray
        The baseline per week.
    """
    b = fit.coef * fit.y_scale
    if dates is None:
        dates = pd.date_range(fit.data.dates[-1] + pd.Timedelta(days=7), periods=4, freq="7D")
    out = np.full(len(dates), b[0] + b[1] * 1.0)
    if fit.seasonality:
        F = _fourier(pd.DatetimeIndex(dates), FOURIER_K)
        out = out + F @ b[2:2 + 2 * FOURIER_K]
    return out


# ----------------------------------------------------------------------------- optimiser


def _spend_at_mu(curves: Curves, mu: float, weeks: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per-channel total spend whose marginal return equals mu, clipped to [lo, hi] (closed form)."""
    beta, lam, scale = curves.beta, curves.lam, curves.scale
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # marginal = beta/scale * lam/2 * (1 - tanh(lam x/2)^2) = mu  ->  tanh^2 = 1 - 2 mu scale / (beta lam)
        q = 1.0 - 2.0 * mu * scale / (beta * lam)
        q = np.where(np.isfinite(q), q, -1.0)
        x = np.where(q > 0, 2.0 / lam * np.arctanh(np.sqrt(np.clip(q, 0, 1 - 1e-16))), 0.0)
    s = x * scale * weeks
    return np.clip(s, lo, hi)


def optimise(curves: Curves, budget: float, weeks: float = 4.0, lower: np.ndarray | None = None,
             upper: np.ndarray | None = None) -> dict:
    """Allocation of ``budget`` (total over the horizon) maximising the summed outcome (exact KKT solution).

    Returns dict(spend (C,), outcome (C,), marginal (C,), status: "ok" | "below_min" | "above_max", mu).

    Parameters
    ----------
    curves : Curves
        The response curves.
    budget : float
        Total budget over the horizon.
    weeks : float
        Weeks of the horizon.
    lower : np.ndarray | None
        Minimum spend per channel, or None.
    upper : np.ndarray | None
        Maximum spend per channel, or None.

    Returns
    -------
    dict
        ``spend``, ``outcome``, ``marginal`` per channel and ``status``.
    """
    C = len(curves.channels)
    lo = np.zeros(C) if lower is None else np.asarray(lower, dtype=float).copy()
    hi = np.full(C, np.inf) if upper is None else np.asarray(upper, dtype=float).copy()
    lo = np.where(np.isfinite(lo), np.maximum(lo, 0), 0.0)
    hi = np.where(np.isnan(hi), np.inf, hi)
    hi = np.maximum(hi, lo)
    budget = float(budget)
    status = "ok"
    if budget <= lo.sum() + 1e-12:
        s = lo.copy()
        status = "below_min" if budget < lo.sum() - 1e-9 * max(1.0, budget) else "ok"
    elif budget >= hi.sum():
        s = hi.copy()
        status = "above_max" if budget > hi.sum() + 1e-9 * max(1.0, budget) else "ok"
    else:
        mu_hi = float(np.max(curves.beta * curves.lam / (2 * curves.scale))) * 1.0001 + 1e-300
        mu_lo = mu_hi
        for _ in range(400):  # find a mu small enough that the spends exceed the budget
            mu_lo /= 4.0
            if _spend_at_mu(curves, mu_lo, weeks, lo, hi).sum() >= budget:
                break
        for _ in range(200):
            mid = np.sqrt(mu_lo * mu_hi) if mu_lo > 0 else (mu_lo + mu_hi) / 2
            if _spend_at_mu(curves, mid, weeks, lo, hi).sum() > budget:
                mu_lo = mid
            else:
                mu_hi = mid
            if mu_hi / mu_lo - 1 < 1e-13:
                break
        s_lo = _spend_at_mu(curves, mu_hi, weeks, lo, hi)  # sum <= budget
        s_hi = _spend_at_mu(curves, mu_lo, weeks, lo, hi)  # sum >= budget
        gap = s_hi - s_lo
        need = budget - s_lo.sum()
        s = s_lo + (gap * (need / gap.sum()) if gap.sum() > 0 else 0.0)
        if gap.sum() <= 0:  # flat segment: spread the remainder over channels with room
            room = hi - s
            s = s + room * need / room.sum() if np.isfinite(room.sum()) and room.sum() > 0 else s
    out = curves.horizon(s, weeks)
    return {"spend": s, "outcome": out, "marginal": curves.marginal(s, weeks), "status": status}


def max_outcome(curves: Curves, weeks: float, upper: np.ndarray | None = None) -> float:
    """The saturation ceiling: outcome with every channel at its maximum (or fully saturated).

    Parameters
    ----------
    curves : Curves
        The response curves.
    weeks : float
        Weeks of the horizon.
    upper : np.ndarray | None
        Maximum spend per channel, or None.

    Returns
    -------
    float
        The ceiling.
    """
    if upper is None:
        return float(curves.ceiling(weeks).sum())
    hi = np.asarray(upper, dtype=float)
    return float(np.where(np.isfinite(hi), curves.horizon(np.where(np.isfinite(hi), hi, 0.0), weeks),
                          curves.ceiling(weeks)).sum())


def _bisect(low, a: float, z: float, tol: float) -> tuple[float, float]:
    """Narrow [a, z] around the point where ``low(b)`` turns from True (below) to False (above)."""
    for _ in range(200):
        m = (a + z) / 2
        if low(m):
            a = m
        else:
            z = m
        if z - a <= tol * max(z, 1.0):
            break
    return a, z


def min_budget_for(curves: Curves, target: float, weeks: float = 4.0, lower=None, upper=None,
                   kind: str = "incremental", baseline: float = 0.0, tol: float = 1e-7) -> dict:
    """Smallest budget whose optimal allocation reaches ``target``.

    kind="incremental": media outcome >= target; "outcome": baseline + media outcome >= target;
    kind="roi": the largest budget with (media outcome - budget) / budget >= target (ROI falls as budget grows).
    Returns dict(budget, reachable, plan (optimise result), ceiling).

    Parameters
    ----------
    curves : Curves
        The response curves.
    target : float
        The target (outcome, incremental outcome or ROI).
    weeks : float
        Weeks of the horizon.
    lower
        Minimum spend per channel, or None.
    upper
        Maximum spend per channel, or None.
    kind : str
        "incremental", "outcome" or "roi".
    baseline : float
        The baseline outcome (for "outcome").
    tol : float
        Relative tolerance of the bisection.

    Returns
    -------
    dict
        ``budget`` (None when unreachable), ``reachable``, ``plan``, ``ceiling`` (and ``bounded`` when
        unreachable).
    """
    C = len(curves.channels)
    lo = np.zeros(C) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(C, np.inf) if upper is None else np.asarray(upper, dtype=float)
    finite_hi = np.isfinite(hi).all()
    # an upper search limit: every channel spending where its marginal return is ~0.1% of its initial slope
    sat_spend = weeks * curves.scale * 2.0 / curves.lam * np.arctanh(np.sqrt(1 - 1e-3))
    b_max = float(np.sum(np.where(np.isfinite(hi), hi, np.maximum(sat_spend, lo))))
    b_min = float(lo.sum())

    def value(B: float) -> float:
        p = optimise(curves, B, weeks, lo, hi)
        media = float(p["outcome"].sum())
        if kind == "roi":
            return (media - B) / B if B > 0 else np.inf
        return media + (baseline if kind == "outcome" else 0.0)

    ceiling = value(b_max) if kind != "roi" else None
    if kind == "roi":
        # ROI(B) decreases with B (concave response through the origin): largest B with ROI >= target
        b0 = max(b_min, 1e-9 * max(b_max, 1.0))
        if value(b0) < target:
            return {"budget": None, "reachable": False, "plan": optimise(curves, b0, weeks, lo, hi), "ceiling": value(b0)}
        if value(b_max) >= target:
            return {"budget": b_max, "reachable": True, "plan": optimise(curves, b_max, weeks, lo, hi), "ceiling": None}
        a, _ = _bisect(lambda b: value(b) >= target, b0, b_max, tol)  # largest budget still meeting the ROI
        return {"budget": a, "reachable": True, "plan": optimise(curves, a, weeks, lo, hi), "ceiling": None}
    if value(b_min) >= target:
        return {"budget": b_min, "reachable": True, "plan": optimise(curves, b_min, weeks, lo, hi), "ceiling": ceiling}
    if ceiling < target:
        return {"budget": None, "reachable": False, "plan": optimise(curves, b_max, weeks, lo, hi), "ceiling": ceiling,
                "bounded": bool(finite_hi)}
    _, z = _bisect(lambda b: value(b) < target, b_min, b_max, tol)  # smallest budget reaching the target
    return {"budget": z, "reachable": True, "plan": optimise(curves, z, weeks, lo, hi), "ceiling": ceiling}
