"""The repository carries the public data sets its tests use, byte for byte as their SOURCE.md describes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.fixtures import DATA

ROOT = Path(__file__).resolve().parents[2]
CARRIED = {
    "online_retail": ["online_retail.csv.gz"],
    "hillstrom": ["hillstrom.csv.gz"],
    "cdnow": ["CDNOW_sample.txt", "cdnow_customers_summary.csv"],
    "pymc_marketing_mmm_example": ["mmm_example.csv"],
}


def _documented_sha(source: str, name: str) -> str | None:
    for line in source.splitlines():
        if line.startswith("|") and f"`{name}`" in line:
            # the file's own checksum is the last 64-hex value of its row (a row may also give the
            # uncompressed content's checksum before it)
            found = re.findall(r"`([0-9a-f]{64})`", line)
            return found[-1] if found else None
    return None


@pytest.mark.parametrize("folder,name", [(f, n) for f, names in CARRIED.items() for n in names])
def test_file_is_in_the_repository_with_its_documented_checksum(folder, name):
    path = DATA / folder / name
    assert path.is_file(), f"{path} missing"
    source = (DATA / folder / "SOURCE.md").read_text(encoding="utf-8")
    assert re.search(r"licen[cs]e", source, re.I), f"{folder}/SOURCE.md names no licence"
    want = _documented_sha(source, name)
    assert want is not None, f"{folder}/SOURCE.md gives no sha256 for {name}"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == want


def test_no_test_or_script_reads_outside_the_repository():
    """Nothing under tests/, bench/, data/ or analytics/ points at a ../shared checkout."""
    offenders = []
    for sub in ("tests", "bench", "data", "analytics", "components", "pages"):
        for f in (ROOT / sub).rglob("*.py"):
            if f.resolve() == Path(__file__).resolve():
                continue
            text = f.read_text(encoding="utf-8")
            if re.search(r"""["'/]shared["'/]|parents\[2\]\s*/\s*["']shared""", text):
                offenders.append(f.relative_to(ROOT).as_posix())
    assert offenders == []
