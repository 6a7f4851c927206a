"""A CRM export in the iFood layout (the public "Customer Personality Analysis" / iFood marketing data:
one row per customer with demographics, spend per category over two years, purchases per channel,
campaign responses), generated with a seed so tests can write it as a CSV and ingest it."""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ("ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Teenhome", "Dt_Customer",
           "Recency", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
           "MntGoldProds", "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases",
           "NumWebVisitsMonth", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2",
           "Complain", "Z_CostContact", "Z_Revenue", "Response")


def ifood_frame(n: int = 300, seed: int = 7) -> pd.DataFrame:
    """``n`` customers in the iFood layout: spend and purchases grow with income and fall with children,
    and the last campaign's Response is more likely for recent, high-spending customers without kids (as
    in the real file), so segments differ on their attributes."""
    rng = np.random.default_rng(seed)
    ids = rng.choice(np.arange(1, 12000), size=n, replace=False)
    year = rng.integers(1945, 1997, n)
    edu = rng.choice(["Graduation", "PhD", "Master", "2n Cycle", "Basic"], n, p=[0.5, 0.22, 0.16, 0.09, 0.03])
    mar = rng.choice(["Married", "Together", "Single", "Divorced", "Widow"], n, p=[0.39, 0.26, 0.21, 0.1, 0.04])
    income = np.round(rng.normal(52000, 20000, n).clip(5000, 160000), 0)
    kid = rng.choice([0, 1, 2], n, p=[0.58, 0.4, 0.02])
    teen = rng.choice([0, 1, 2], n, p=[0.52, 0.46, 0.02])
    start = pd.Timestamp("2012-07-30")
    signup = start + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    recency = rng.integers(0, 100, n)
    wealth = np.clip((income - 20000) / 60000, 0.05, 2.0) / (1 + kid + 0.5 * teen)
    base = {"MntWines": 300, "MntFruits": 26, "MntMeatProducts": 170, "MntFishProducts": 37,
            "MntSweetProducts": 27, "MntGoldProds": 44}
    out = {"ID": ids, "Year_Birth": year, "Education": edu, "Marital_Status": mar,
           "Income": income, "Kidhome": kid, "Teenhome": teen, "Dt_Customer": signup.strftime("%d-%m-%Y"),
           "Recency": recency}
    for col, mean in base.items():
        out[col] = np.round(rng.gamma(1.2, mean / 1.2, n) * wealth).astype(int)
    out["NumDealsPurchases"] = rng.poisson(1 + 1.5 * (kid + teen > 0), n)
    out["NumWebPurchases"] = rng.poisson(1 + 4 * np.minimum(wealth, 1.5), n)
    out["NumCatalogPurchases"] = rng.poisson(0.3 + 3 * np.minimum(wealth, 1.5), n)
    out["NumStorePurchases"] = rng.poisson(2 + 5 * np.minimum(wealth, 1.5), n)
    out["NumWebVisitsMonth"] = rng.poisson(5, n)
    p_acc = 0.03 + 0.12 * (wealth > 0.8)
    for c in ("AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2"):
        out[c] = (rng.random(n) < p_acc).astype(int)
    out["Complain"] = (rng.random(n) < 0.01).astype(int)
    out["Z_CostContact"] = 3
    out["Z_Revenue"] = 11
    p_resp = 0.05 + 0.30 * (wealth > 0.8) * (kid == 0) + 0.1 * (recency < 30)
    out["Response"] = (rng.random(n) < p_resp).astype(int)
    df = pd.DataFrame(out)[list(COLUMNS)]
    df.loc[rng.choice(n, size=max(1, n // 100), replace=False), "Income"] = np.nan  # as in the real file
    return df


def ifood_csv(n: int = 300, seed: int = 7, sep: str = "\t") -> bytes:
    """The frame as the real file is shipped: tab-separated, the missing incomes as empty cells."""
    return ifood_frame(n, seed).to_csv(index=False, sep=sep).encode()
