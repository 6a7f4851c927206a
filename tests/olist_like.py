"""Small, seeded files in the layout of Olist's public e-commerce export (orders, order items, payments,
customers), and the figures they hold computed here with the csv module (independent of ingest).

Like Olist: order and customer ids are 32-character hex hashes; ``customer_id`` is scoped to one order
and ``customer_unique_id`` is the person (a person with two orders has two customer ids); an order has
one line per unit (``order_item_id`` 1, 2, ...), some orders have no items (unavailable / canceled) and
some several payments (a voucher beside the card).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

ORDERS = "olist_orders_dataset.csv"
ITEMS = "olist_order_items_dataset.csv"
PAYMENTS = "olist_order_payments_dataset.csv"
CUSTOMERS = "olist_customers_dataset.csv"
FILES = (ORDERS, ITEMS, PAYMENTS, CUSTOMERS)

_CITIES = [("sao paulo", "SP"), ("rio de janeiro", "RJ"), ("belo horizonte", "MG"), ("curitiba", "PR"),
           ("porto alegre", "RS")]


def _hex(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(32))


def _ts(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode()


def files(n_orders: int = 40, seed: int = 11) -> dict[str, bytes]:
    """The four files' bytes, by file name."""
    rng = random.Random(seed)
    people = [_hex(rng) for _ in range(max(2, n_orders * 3 // 4))]
    orders, items, payments, customers = [], [], [], []
    start = datetime(2017, 10, 2, 10, 56, 33)
    for i in range(n_orders):
        oid, cid = _hex(rng), _hex(rng)
        person = people[i % len(people)] if i < len(people) else rng.choice(people)
        bought = start + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1440))
        has_items = i % 13 != 5  # a few orders without items, as in Olist (unavailable / canceled)
        status = "delivered" if has_items and i % 9 else ("canceled" if not has_items else "shipped")
        delivered = bought + timedelta(days=rng.randint(3, 20)) if status == "delivered" else None
        orders.append([oid, cid, status, _ts(bought), _ts(bought + timedelta(hours=1)), _ts(delivered and bought + timedelta(days=2)),
                       _ts(delivered), _ts(bought + timedelta(days=25)).split(" ")[0] + " 00:00:00"])
        city, state = rng.choice(_CITIES)
        customers.append([cid, person, f"{rng.randint(1000, 99999):05d}", city, state])
        total = 0.0
        if has_items:
            product, seller = _hex(rng), _hex(rng)
            for k in range(1, rng.randint(1, 4) + 1):  # one line per unit
                price = round(rng.uniform(9.9, 450.0), 2)
                freight = round(rng.uniform(5.0, 40.0), 2)
                total += price + freight
                items.append([oid, k, product, seller, _ts(bought + timedelta(days=6)), f"{price:.2f}", f"{freight:.2f}"])
        if total == 0:
            total = round(rng.uniform(20, 200), 2)  # a canceled order still shows what was charged
        parts = [round(total, 2)] if i % 4 else [round(total * 0.3, 2), round(total - round(total * 0.3, 2), 2)]
        kinds = ["credit_card"] if len(parts) == 1 else ["voucher", "credit_card"]
        for seq, (value, kind) in enumerate(zip(parts, kinds), start=1):
            payments.append([oid, seq, kind, rng.randint(1, 10) if kind == "credit_card" else 1, f"{value:.2f}"])
    rng.shuffle(customers)  # no file is in the order of another
    return {
        ORDERS: _csv(["order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
                      "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date"],
                     orders),
        ITEMS: _csv(["order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price",
                     "freight_value"], items),
        PAYMENTS: _csv(["order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"],
                       payments),
        CUSTOMERS: _csv(["customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city",
                         "customer_state"], customers),
    }


def write(folder: Path, n_orders: int = 40, seed: int = 11) -> dict[str, Path]:
    out = {}
    for name, content in files(n_orders, seed).items():
        (folder / name).write_bytes(content)
        out[name] = folder / name
    return out


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def expected(content: dict[str, bytes]) -> dict:
    """What order lines joined from these files must hold, computed row by row with plain Python."""
    orders = {r["order_id"]: r for r in _rows(content[ORDERS])}
    customers = {r["customer_id"]: r for r in _rows(content[CUSTOMERS])}
    items = _rows(content[ITEMS])
    paid: dict[str, float] = {}
    largest: dict[str, tuple[float, str]] = {}
    for p in _rows(content[PAYMENTS]):
        v = float(p["payment_value"])
        paid[p["order_id"]] = paid.get(p["order_id"], 0.0) + v
        if v > largest.get(p["order_id"], (-1.0, ""))[0]:
            largest[p["order_id"]] = (v, p["payment_type"])
    with_items = {r["order_id"] for r in items}
    return {
        "lines": len(items),
        "orders": len(with_items),
        "people": len({customers[orders[o]["customer_id"]]["customer_unique_id"] for o in with_items}),
        "order_scoped_ids": len({orders[o]["customer_id"] for o in with_items}),
        "amount": round(sum(float(r["price"]) for r in items), 2),
        "freight": round(sum(float(r["freight_value"]) for r in items), 2),
        "first_date": min(orders[o]["order_purchase_timestamp"] for o in with_items),
        "paid_by_order": {o: round(paid[o], 2) for o in with_items},
        "type_by_order": {o: largest[o][1] for o in with_items},
        "person_by_order": {o: customers[orders[o]["customer_id"]]["customer_unique_id"] for o in with_items},
        "date_by_order": {o: orders[o]["order_purchase_timestamp"] for o in with_items},
        "state_by_order": {o: customers[orders[o]["customer_id"]]["customer_state"] for o in with_items},
        "status_by_order": {o: orders[o]["order_status"] for o in with_items},
    }
