"""Write N generated order lines as a CSV (the shape of a platform export), for the ingest benchmark."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def generate(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_orders = max(1, int(n / 1.7))
    order_idx = np.sort(rng.integers(0, n_orders, n))
    start = np.datetime64("2024-11-01T00:00:00")
    order_secs = rng.integers(0, 730 * 86400, n_orders)
    cust = rng.integers(1, max(2, n // 10), n_orders)
    products = np.array([f"SKU-{i:04d}" for i in range(600)])
    cats = np.array(["Skincare", "Makeup", "Fragrance", "Personal care", "Gift sets"])
    chans = np.array(["Douyin", "Kuaishou", "Taobao", "JD", "Pinduoduo", "WeChat", "Xiaohongshu"])
    prov = np.array(["Zhejiang", "Guangdong", "Jiangsu", "Beijing", "Shanghai", "Sichuan", "Hubei", "Shandong"])
    pid = rng.integers(0, 600, n)
    qty = rng.integers(1, 4, n).astype(float)
    ret = rng.random(n) < 0.03
    qty[ret] = -qty[ret]
    price = np.round(39 + (pid % 50) * 17.3, 2)
    df = pd.DataFrame({
        "order_id": np.char.add("O", order_idx.astype(str)),
        "order_date": (start + order_secs[order_idx].astype("timedelta64[s]")).astype("datetime64[s]").astype(str),
        "customer_id": np.char.add("C", cust[order_idx].astype(str)),
        "product_id": products[pid],
        "category": cats[pid % 5],
        "quantity": qty,
        "unit_price": price,
        "amount": np.round(qty * price, 2),
        "channel": chans[rng.integers(0, 7, n_orders)][order_idx],
        "region": prov[rng.integers(0, 8, n_orders)][order_idx],
    })
    df["order_date"] = df["order_date"].str.replace("T", " ")
    return df


if __name__ == "__main__":
    n, path = int(sys.argv[1]), sys.argv[2]
    generate(n).to_csv(path, index=False)
