"""Deterministic demo workspace: the fictional skincare & beauty brand "Lumi 光迹" (issue 3, item 4).

``generate(seed)`` returns one canonical frame per kind (docs/architecture.md "Canonical frames") for a
fixed two-year calendar, 2024-11-01 .. 2026-10-31, that tells one coherent story:

* one daily demand curve drives everything: a ~15 %/year trend, weekly (weekend) and yearly seasonality,
  the festivals (38节, 618, 双11 with its presale from Oct 20, 双12, 年货节, the Spring-Festival courier stop) and
  a media term driven by the channels' (adstocked, saturating) spend;
* customers follow a BG/NBD process (Gamma purchase rates, Beta dropout) in "operational time", which is
  mapped onto the calendar through the demand curve, so per-customer repeat/churn structure and the
  calendar's peaks hold at once; frequency, price level, categories and platforms depend on the
  customer's age, gender, city tier and income (so personas and TGI differ);
* channel revenue follows a Hill curve (h = 1, i.e. concave) of the geometric-adstocked spend with a
  different saturation and carryover per platform, scaled so that each platform's ad-attributed revenue
  is about half of its orders' net sales; the media-mix table is the weekly roll-up of the same numbers;
* competitor prices run their own promotions and a few deliberate price cuts; the own brand's rows use
  the same promotion depths as the orders;
* the coupon experiment is randomised 40/40/20 with a true lift that is stronger for new customers and
  lower-tier cities, and a pre-period value that predicts revenue (so CUPED helps);
* the market table's ``our_sales`` equals the orders' net sales per platform and month (earlier months are
  back-cast with the same growth).

Everything is vectorised numpy; the same seed gives identical frames.

Modules: base (brand, calendar window, platforms, names), products, geography, calendar, spend
(channel spend shapes), people, orders (and :func:`generate_orders`), customers, channels, competitors,
experiments, feedback, market (market and media mix), live (live commerce), audience (audience
assets), workspace (:func:`generate`).
"""

from __future__ import annotations

from .base import BRAND, CAMPAIGNS, CHANNELS, CNY, COUPON_TEST, DEMO_NAMES, END, N_DAYS, START
from .products import CATEGORIES
from .orders import generate_orders
from .workspace import generate

__all__ = ["generate", "generate_orders", "DEMO_NAMES", "START", "END", "CHANNELS", "BRAND"]
