"""``scripts/audit_quantities.py``: the sample an analyst checks by hand holds each quantity's
sentence and fields, and ``--largest`` lists totals only (no target, part, tier or from level)."""

import csv
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_quantities.py"
SRC = Path(__file__).resolve().parents[1] / "src"


def audit(*argv) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), *map(str, argv)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, check=True)
    return done.stdout


def test_largest_lists_totals_only():
    out = audit(FIXTURES / "township_totals.txt", "--largest", "3", "--label", "MONEY")
    amounts = [line.split("\t")[1] for line in out.splitlines()]
    assert amounts == ["MONEY 3.2亿元", "MONEY 8000万元", "MONEY 500万元"]  # not 10亿元 (a target), 千亿 (a tier)


def test_sample_writes_every_field_and_the_sentence(tmp_path):
    out = tmp_path / "audit.csv"
    audit(FIXTURES / "township_totals.txt", "--sample", "5", "--seed", "3", "-o", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 5 and len({r["text"] + r["context"] for r in rows}) == 5
    assert set(rows[0]) >= {"value", "unit", "qualifier", "per", "change", "status", "relation", "total",
                            "context", "wrong"}
    assert all("【" + r["text"] + "】" in r["context"] for r in rows)
