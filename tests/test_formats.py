"""Every output format of ``govtag predict`` carries each quantity's fields (value, unit,
qualifier, per, change, placeholder, status, relation, total); parquet holds one row per quantity
and needs -o."""

import csv
import io
import json
from pathlib import Path

import pytest

from govtag.cli.main import main
from govtag.outputs.formats import CSV_COLUMNS, QUANTITY_FIELDS

REPORT = ("xx鎮20__年工作總結\n一、工作回顧\n農民人均純收入約９５００元，同比增長６．３％。"
          "投入資金xx萬元，新設展板４塊。撥付資金２００萬元，其中上級補助３０萬元。\n三、20__年工作計劃\n新增就業不少於１５０個。\n")
EXPECTED = {  # text: (value, unit, qualifier, per, change, placeholder, status, relation, total)
    "９５００元": (9500, "元", "about", "人", None, False, "actual", None, False),
    "６．３％": (6.3, "%", "exact", None, "increase", False, "actual", None, False),
    "xx萬元": (None, "元", "exact", None, None, True, "actual", None, False),
    "４塊": (4, "块", "exact", None, None, False, "actual", None, True),
    "１５０個": (150, "个", "at_least", None, None, False, "target", None, False),
    "２００萬元": (2_000_000, "元", "exact", None, None, False, "actual", None, True),
    "３０萬元": (300_000, "元", "exact", None, None, False, "actual", "part", False),
}
FIELDS = ("value", "unit", "qualifier", "per", "change", "placeholder", "status", "relation", "total")


@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / "xx_town.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def predict(capsys, *argv) -> str:
    assert main(["predict", "--rules", *map(str, argv)]) == 0
    return capsys.readouterr().out


def fields(row: dict) -> tuple:
    return tuple(row[key] for key in FIELDS)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_formats_carry_the_quantity_fields(capsys, report, fmt):
    out = predict(capsys, "--format", fmt, report)
    (result,) = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    found = {q["text"]: fields(q) for q in result["quantities"]}
    assert found == EXPECTED
    assert all(set(QUANTITY_FIELDS) <= set(q) for q in result["quantities"])


def test_csv_carries_the_quantity_fields(capsys, report):
    rows = list(csv.DictReader(io.StringIO(predict(capsys, "--format", "csv", report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    found = {r["text"]: tuple(r[k] for k in FIELDS) for r in rows if r["layer"] == "quantity"}
    as_csv = {text: tuple("" if v is None else str(v) for v in values) for text, values in EXPECTED.items()}
    assert found == as_csv


def test_labelstudio_regions_carry_the_fields_as_meta(capsys, report):
    (task,) = json.loads(predict(capsys, "--format", "labelstudio", report))
    items = [i for i in task["predictions"][0]["result"] if i["from_name"] == "quantity"]
    found = {i["value"]["text"]: tuple(i["meta"][k] for k in FIELDS) for i in items}
    assert found == EXPECTED
    assert all(isinstance(i["meta"]["text"], list) and i["meta"]["text"][0] for i in items)
    assert "qualifier=about" in next(i for i in items if i["value"]["text"] == "９５００元")["meta"]["text"][0]
    assert "status=target" in next(i for i in items if i["value"]["text"] == "１５０個")["meta"]["text"][0]
    assert "relation=part" in next(i for i in items if i["value"]["text"] == "３０萬元")["meta"]["text"][0]


def test_parquet_has_one_row_per_quantity_with_doc_id(capsys, report, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "quantities.parquet"
    predict(capsys, "--format", "parquet", "-o", out, report, report)
    table = pq.read_table(out)
    rows = table.to_pylist()
    assert len(rows) == 2 * len(EXPECTED)
    assert table.column_names == ["doc_id", "offsets", *QUANTITY_FIELDS]
    assert {r["doc_id"] for r in rows} == {"xx_town", "xx_town#2"}  # the same file twice
    found = {r["text"]: fields(r) for r in rows}
    assert found == EXPECTED  # ints come back as floats; 9500 == 9500.0
    assert not list(tmp_path.glob(".quantities.parquet.*"))  # written atomically: no temporary left


def test_parquet_needs_an_output_file(capsys, report):
    assert main(["predict", "--rules", "--format", "parquet", str(report)]) == 2
    assert "-o" in capsys.readouterr().err


def test_parquet_read_only_target_is_refused_up_front(capsys, report, tmp_path):
    out = tmp_path / "kept.parquet"
    out.write_bytes(b"old")
    out.chmod(0o444)
    assert main(["predict", "--rules", "--format", "parquet", "-o", str(out), str(report)]) == 2
    assert out.read_bytes() == b"old"
