"""Streaming ingest (issue 13): a big text file is read block by block, one part per block, committed
whole or not at all, and the stored lines are the ones the whole-file path stores."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.gen_orders import generate
from data import ingest, reader
from data.ingest import disk as ingest_disk  # the one home of STREAM_MIN_BYTES / WHOLE_FILE_MAX_BYTES
from data.ingest import stream as ingest_stream_mod  # _stream_pass is read there
from data.ingest import whole as ingest_whole  # the one home of file_hash
from data import limits as limits_mod
from data import mapping as mapping_mod
from data import repository as repo
from data.access import Actor
from data.errors import IngestError, NotAllowed

ROOT = Path(__file__).resolve().parents[2]
BLOCK = 64 * 1024  # small blocks: a few thousand lines make many chunks (and parts)


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return generate(6_000, seed=3)


def _csv(df: pd.DataFrame, **kw) -> bytes:
    return df.to_csv(index=False, **kw).encode("utf-8")


def _passes(monkeypatch) -> list:
    calls: list = []
    real = ingest_stream_mod._stream_pass

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(ingest_stream_mod, "_stream_pass", counting)
    return calls


def _both(tmp_path, engine, name: str, data: bytes, kind: str = "orders", **kw):
    """Ingest the same file whole and streamed; assert the stored datasets are the same."""
    path = tmp_path / name
    path.write_bytes(data)
    whole = ingest.ingest_file(path, kind=kind, engine=engine, stream=False, allow_duplicate=True, **kw)
    streamed = ingest.ingest_file(path, kind=kind, engine=engine, stream=True, block_bytes=BLOCK,
                                  allow_duplicate=True, **kw)
    assert whole["streamed"] is False and streamed["streamed"] is True
    assert len(repo.revision_parts(dataset_id=streamed["id"], engine=engine)) > 1  # one part per block
    for key in ("rows", "rejected_rows", "flagged_returns", "mapping", "attributes", "fields", "content_hash"):
        assert whole[key] == streamed[key], key
    a = repo.load_frame(dataset_id=whole["id"], engine=engine)
    b = repo.load_frame(dataset_id=streamed["id"], engine=engine)
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_array_equal(a.attrs["lines"], b.attrs["lines"])
    return a, whole


def _gb_orders(df: pd.DataFrame) -> bytes:
    cn = df.rename(columns={"order_id": "订单号", "order_date": "下单时间", "customer_id": "买家ID",
                            "product_id": "商品编码", "category": "类目", "quantity": "数量", "unit_price": "单价",
                            "amount": "实付金额", "channel": "渠道", "region": "收货省份"})
    cn["备注"] = np.where(np.arange(len(cn)) % 7 == 0, "加急", "")
    return cn.to_csv(index=False, sep=";").encode("gb18030")


def _with_attributes(df: pd.DataFrame) -> bytes:
    d = df.copy()
    n = len(d)
    d["note"] = np.where(np.arange(n) % 500 == 0, "gift wrap", "")  # sparse text
    d["store_no"] = (np.arange(n) % 40 + 1).astype(str)  # numbers
    d["zip"] = "310000"
    d.loc[n - 100, "zip"] = "010000"  # a leading zero near the bottom: the column is text after all
    d["loyalty_pts"] = ""
    d.loc[n - 50, "loyalty_pts"] = "5"  # empty for thousands of lines, then a number
    d["customer_id"] = [f"{i}.0" for i in range(n)]  # a float export of ids
    d[""] = ""  # a blank header cell (trailing delimiter) ...
    d.loc[n - 10, ""] = "x"  # ... holding a value only at the bottom
    return _csv(d)


def _title_and_totals(df: pd.DataFrame) -> bytes:
    body = df.to_csv(index=False).replace("\n", "\n\n", 5)  # a few blank lines near the top
    return ("店铺销售报表 2024年6月\n\n" + body + "合计,,,,,,,,,\nTotal,,,,,,,,,\n\n").encode("utf-8")


CASES = {
    "plain.csv": lambda df: _csv(df),
    "gzip.csv.gz": lambda df: gzip.compress(_csv(df)),
    "title_and_totals.csv": _title_and_totals,
    "gb18030_chinese_headers.csv": _gb_orders,
    "attributes.csv": _with_attributes,
    "crlf.tsv": lambda df: _csv(df, sep="\t", lineterminator="\r\n"),
    "bom.csv": lambda df: b"\xef\xbb\xbf" + _csv(df),
    "spaces.txt": lambda df: _csv(df.assign(order_date=df["order_date"].str.replace(" ", "T"))[
        ["order_id", "order_date", "amount", "region"]], sep=" "),
}


@pytest.mark.parametrize("name", list(CASES))
def test_both_paths_store_the_same_frame(tmp_path, engine, orders, name):
    frame, info = _both(tmp_path, engine, name, CASES[name](orders))
    assert len(frame) == len(orders) and info["rejected_rows"] == 0
    if name == "title_and_totals.csv":
        assert frame.attrs["lines"][0] == 5  # title, blank line, header, blank line
    if name == "attributes.csv":
        assert frame["attr_store_no"].dtype == "float64" and frame["attr_loyalty_pts"].dtype == "float64"
        assert frame["attr_zip"].tolist()[-100] == "010000" and frame["attr_zip"].dtype == "str"
        assert frame["customer_id"].iloc[3] == "3"
        assert frame["attr_column_15"].tolist()[-10] == "x"  # the blank header cell's column is kept
    if name == "gb18030_chinese_headers.csv":
        assert info["mapping"]["amount"] == "实付金额" and "attr_备注" in frame.columns


def test_a_choice_only_the_bottom_of_the_file_settles_converts_again(tmp_path, engine, orders, monkeypatch):
    calls = _passes(monkeypatch)
    d = orders.copy()
    d["store_no"] = "12"
    d.loc[len(d) - 3, "store_no"] = "A12"  # numbers for thousands of lines, then text
    _both(tmp_path, engine, "late_text.csv", _csv(d))
    assert len(calls) == 2
    calls.clear()
    dmy = orders.copy()  # a/b/yyyy dates that never say which comes first until the last block
    dates = pd.to_datetime(dmy["order_date"])
    dmy["order_date"] = [f"{x.month:02d}/{min(x.day, 12):02d}/{x.year}" for x in dates]
    dmy.loc[len(dmy) - 20, "order_date"] = "25/06/2025"
    frame, _ = _both(tmp_path, engine, "late_dayfirst.csv", _csv(dmy))
    assert len(calls) == 2
    assert frame["order_date"].iloc[len(dmy) - 20] == pd.Timestamp("2025-06-25")


def test_experiments_unit_ids_count_on_across_blocks(tmp_path, engine):
    n = 8_000
    ex = pd.DataFrame({"group": np.where(np.arange(n) % 2, "treatment", "control"), "converted": np.arange(n) % 3 == 0,
                       "revenue": np.arange(n) * 0.5})
    frame, _ = _both(tmp_path, engine, "exp.csv", _csv(ex), kind="experiments")
    assert frame["unit_id"].tolist() == [str(i) for i in range(1, n + 1)]


def test_ascii_head_then_gb18030_reads_like_the_whole_file(tmp_path, engine, orders, monkeypatch):
    monkeypatch.setattr(reader.stream, "STREAM_HEAD_BYTES", 600_000)  # read by data.reader.stream
    d = pd.concat([orders, orders], ignore_index=True)  # ~1 MB
    d["note"] = "ok"
    d.loc[len(d) - 30, "note"] = "中文备注"
    data = d.to_csv(index=False).encode("gb18030")
    head = reader.stream.STREAM_HEAD_BYTES  # the sample the encoding is guessed on is all ASCII
    assert len(data) > head and data[:head].isascii() and not data.isascii()
    frame, _ = _both(tmp_path, engine, "late_gb.csv", data)
    assert frame["attr_note"].iloc[len(d) - 30] == "中文备注"


def _bad_amounts(df: pd.DataFrame, every: int) -> pd.DataFrame:
    d = df.copy()
    d["amount"] = d["amount"].astype(str)
    d.loc[d.index[every - 1::every], "amount"] = "n/a?"
    return d


def test_too_many_bad_rows_refuse_the_file_and_leave_no_part(tmp_path, engine, orders):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(_bad_amounts(orders, 10)))  # 10 % bad, spread over every block
    before = (repo.list_datasets(engine=engine), repo.table_counts(engine=engine))
    with pytest.raises(IngestError, match="too many bad rows|over the 5% limit") as streamed:
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    assert (repo.list_datasets(engine=engine), repo.table_counts(engine=engine)) == before
    with pytest.raises(IngestError) as whole:
        ingest.ingest_file(path, kind="orders", engine=engine, stream=False)
    assert str(streamed.value) == str(whole.value)  # same counts, same first error
    assert "600 of 6,000 rows (10.0%)" in str(streamed.value) and "first: line 11, column 'amount'" in str(
        streamed.value)
    res = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK, keep_good_rows=True)
    assert res["rows"] == 5_400 and res["rejected_rows"] == 600


def test_line_numbers_of_errors_in_a_later_block(tmp_path, engine, orders):
    d = orders.copy()
    d["quantity"] = d["quantity"].astype(str)
    d.loc[5_000, "quantity"] = "lots"
    path = tmp_path / "late_bad.csv"
    path.write_bytes(("Orders export\n\n" + d.to_csv(index=False)).encode())
    with pytest.raises(IngestError, match=r"first: line 5004, column 'quantity', value 'lots'") as streamed:
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK, keep_good_rows=False)
    with pytest.raises(IngestError) as whole:
        ingest.ingest_file(path, kind="orders", engine=engine, stream=False, keep_good_rows=False)
    assert str(streamed.value) == str(whole.value)
    res = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert res["rejected_rows"] == 1 and 5_004 not in set(frame.attrs["lines"])
    assert frame.attrs["lines"][5_000] == 5_005 and frame.attrs["lines"][-1] == 6_003


def test_row_limit_crossed_mid_stream_is_refused_with_the_limit(tmp_path, engine, orders):
    path = tmp_path / "long.csv"
    path.write_bytes(_csv(orders))
    before = repo.table_counts(engine=engine)
    with pytest.raises(IngestError, match=r"row 5,001 \(line 5,002\): over the 5,000-row limit \(PRISM_MAX_ROWS\)"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK,
                           limits=limits_mod.current(rows=5_000))
    assert repo.table_counts(engine=engine) == before


def test_unpacked_size_of_a_gzip_is_counted_while_streaming(tmp_path, engine, orders):
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(_csv(orders)))
    before = repo.table_counts(engine=engine)
    with pytest.raises(IngestError, match="PRISM_MAX_UNPACKED_MB"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK,
                           limits=limits_mod.current(unpacked_bytes=300_000))
    assert repo.table_counts(engine=engine) == before


def test_a_failure_mid_stream_removes_the_staged_parts(tmp_path, engine, orders, monkeypatch):
    path = tmp_path / "o.csv"
    path.write_bytes(_csv(orders))
    before = repo.table_counts(engine=engine)
    real, seen = mapping_mod.to_canonical, []

    def failing(*a, **k):
        seen.append(1)
        if len(seen) == 4:
            raise MemoryError("simulated")
        return real(*a, **k)

    monkeypatch.setattr(mapping_mod, "to_canonical", failing)
    with pytest.raises(MemoryError):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    assert repo.table_counts(engine=engine) == before


def test_duplicates_are_found_by_a_streaming_hash(tmp_path, engine, orders):
    path = tmp_path / "o.csv"
    path.write_bytes(_csv(orders))
    assert ingest.file_hash(path) == ingest.content_hash(path.read_bytes())
    first = ingest.ingest_file(path, kind="orders", engine=engine, stream=False)
    with pytest.raises(IngestError, match=f"already uploaded as dataset #{first['id']}"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)


def test_a_duplicate_is_refused_when_its_digest_comes_after_the_last_block(tmp_path, engine, orders, monkeypatch):
    # the digest is taken in a thread beside the reading: here it arrives only once every block is staged;
    # the duplicate is still refused, its staged parts removed, nothing committed
    from data import engine as lines_engine
    from data.db import lines_dir

    path = tmp_path / "o.csv"
    path.write_bytes(_csv(orders))
    first = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    before, files = repo.table_counts(engine=engine), lines_engine.count_files(lines_dir(engine))
    staged = threading.Event()
    real_pass, real_hash = ingest_stream_mod._stream_pass, ingest_whole.file_hash

    def pass_then_signal(*a, **k):
        try:
            return real_pass(*a, **k)
        finally:
            staged.set()

    def late_hash(p):
        assert staged.wait(60)
        return real_hash(p)

    monkeypatch.setattr(ingest_stream_mod, "_stream_pass", pass_then_signal)
    monkeypatch.setattr(ingest_whole, "file_hash", late_hash)
    with pytest.raises(IngestError, match=f"already uploaded as dataset #{first['id']}"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    assert repo.table_counts(engine=engine) == before
    assert lines_engine.count_files(lines_dir(engine)) == files
    # a duplicate is refused as a duplicate even when reading it fails for another reason (here a row limit)
    staged.clear()
    small = limits_mod.current().with_(rows=100)
    with pytest.raises(IngestError, match="already uploaded"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK, limits=small)
    assert lines_engine.count_files(lines_dir(engine)) == files


def test_write_permission_is_checked_before_the_file_is_read(tmp_path, engine, orders):
    path = tmp_path / "o.csv"
    path.write_bytes(_csv(orders))
    with pytest.raises(NotAllowed):
        ingest.ingest_stream(path, kind="orders", engine=engine, actor=Actor("vic", "viewer"))
    res = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK,
                             actor=Actor("ana", "analyst"))
    with pytest.raises(NotAllowed):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, mode="append", dataset_id=res["id"],
                           actor=Actor("bob", "analyst"), allow_duplicate=True)
    again = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK, mode="append",
                               dataset_id=res["id"], actor=Actor("ana", "analyst"), allow_duplicate=True)
    assert again["rows"] == 2 * len(orders) and again["revision"] == 2


def test_a_quoted_value_spanning_lines_is_read_whole_or_refused(tmp_path, engine, orders, monkeypatch):
    d = orders.copy()
    d["note"] = ""
    d.loc[4_000, "note"] = "two\nlines"
    path = tmp_path / "multiline.csv"
    path.write_bytes(_csv(d))
    res = ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    assert res["streamed"] is False and res["rows"] == len(d)  # small enough: read whole
    monkeypatch.setattr(ingest_disk, "WHOLE_FILE_MAX_BYTES", 1_000)
    before = repo.table_counts(engine=engine)
    with pytest.raises(IngestError, match=r"line 4,002 has a quote mark that is not closed") as exc:
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK, allow_duplicate=True)
    assert str(exc.value).startswith("file 'multiline.csv'") and "\n" not in str(exc.value)
    assert repo.table_counts(engine=engine) == before


def test_a_ragged_row_in_a_big_file_is_refused_naming_its_line(tmp_path, engine, orders, monkeypatch):
    monkeypatch.setattr(ingest_disk, "WHOLE_FILE_MAX_BYTES", 1_000)
    lines = _csv(orders).decode().split("\n")
    lines[4_500] = ",".join(lines[4_500].split(",")[:5])  # line 4,501: 5 fields of 10
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines))
    before = repo.table_counts(engine=engine)
    with pytest.raises(IngestError, match=r"line 4,501 has 5 fields where the header has 10"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK)
    lines[4_500] += ",x" * 600  # over the column limit: the limit's own message, as the whole-file reader gives
    path.write_text("\n".join(lines))
    with pytest.raises(IngestError, match=r"line 4,501: 605 columns, over the 500-column limit \(PRISM_MAX_COLUMNS\)"):
        ingest.ingest_file(path, kind="orders", engine=engine, stream=True, block_bytes=BLOCK,
                           limits=limits_mod.current(columns=500))
    assert repo.table_counts(engine=engine) == before


def test_ingest_file_streams_text_files_over_the_threshold(tmp_path, engine, orders, monkeypatch):
    path = tmp_path / "o.csv"
    path.write_bytes(_csv(orders))
    assert ingest.ingest_file(path, kind="orders", engine=engine)["streamed"] is False
    monkeypatch.setattr(ingest_disk, "STREAM_MIN_BYTES", 10_000)
    seen: list[str] = []
    res = ingest.ingest_file(path, kind="orders", engine=engine, allow_duplicate=True,
                             progress=lambda f, text: seen.append(text))
    assert res["streamed"] is True and res["rows"] == len(orders)
    assert any(t.startswith(f"read {len(orders):,} rows") for t in seen)


# progress is shown from the first block on (by default only after 2 s, so a fast machine showed none and
# the check of the rows-read line depended on the machine's speed)
_CHILD = ("import runpy, sys; sys.argv=['data'] + sys.argv[1:];"
          "import data.__main__ as m; m._progress.__defaults__ = (0.0, 1.0); rc = m.main(sys.argv[1:]);"
          "print('@@RSS', next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')));"
          "sys.exit(rc)")


def _peak_mb(path: Path, tmp_path: Path) -> tuple[float, str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / (path.stem + '.db')}",
           "AUTH_CONFIG": str(tmp_path / "auth.yaml"), "PRISM_MAX_ROWS": "100000000", "PRISM_MAX_UPLOAD_MB": "10000"}
    r = subprocess.run([sys.executable, "-c", _CHILD, "ingest", str(path), "--kind", "orders", "--json"],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    rss = next(int(line.split()[1]) for line in r.stdout.splitlines() if line.startswith("@@RSS"))
    return rss / 1024, r.stdout, r.stderr


def test_peak_memory_does_not_grow_with_the_file(tmp_path):
    """1M and 2M generated order lines (86 / 172 MB of CSV) through the command line, each in its own
    process: both stream, and the peak RSS of the bigger file is within 25 % of the smaller's."""
    one = tmp_path / "orders_1m.csv"
    subprocess.run([sys.executable, "-m", "bench.gen_orders", "1000000", str(one)], cwd=ROOT, check=True, timeout=120)
    two = tmp_path / "orders_2m.csv"
    with open(one, "rb") as src, open(two, "wb") as dst:
        header = src.readline()
        body = src.read()
        dst.write(header + body + body)
    del body
    peak1, out1, err1 = _peak_mb(one, tmp_path)
    peak2, out2, err2 = _peak_mb(two, tmp_path)
    assert '"rows": 1000000' in out1 and '"rows": 2000000' in out2
    assert "read 2,000,000 rows" in err2  # the command line reports rows read (on stderr)
    assert peak2 < 1.25 * peak1, (peak1, peak2)
    assert peak2 < 1_500, (peak1, peak2)
