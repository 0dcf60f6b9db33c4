"""Tests for govtag.run.inputs (collecting reports) and govtag.outputs.formats (rendering results)."""

import csv
import io
import json
import sys

import pytest

from govtag.outputs.formats import CSV_COLUMNS, FORMATS, render
from govtag.run.inputs import expand_paths, iter_reports
from govtag.core.labels import QUANTITY, SECTION, Document, Span

REPORT_A = "xx镇20__年工作報告\n全镇完成產值１２．８億元。\n"
REPORT_B = "xx村20__年工作总结\n新建農田1.85萬畝，惠及195户。\n"


def test_iter_reports_over_a_directory(tmp_path):
    (tmp_path / "a_town.txt").write_text(REPORT_A, encoding="utf-8")
    (tmp_path / "b_village.txt").write_bytes(REPORT_B.encode("gbk"))
    (tmp_path / "c_broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x10\xff\xfe" * 20)
    (tmp_path / "notes.md").write_text("not a report", encoding="utf-8")
    results = list(iter_reports([str(tmp_path)]))
    assert [doc_id for doc_id, _, _ in results] == ["a_town", "b_village", "c_broken"]
    good = {doc_id: text for doc_id, text, error in results if error is None}
    assert good == {"a_town": REPORT_A, "b_village": REPORT_B}
    bad = [(doc_id, text, error) for doc_id, text, error in results if error is not None]
    assert len(bad) == 1
    doc_id, text, error = bad[0]
    assert doc_id == "c_broken" and text is None and "c_broken.txt" in error


def test_iter_reports_recurses_and_takes_files_as_given(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text(REPORT_A, encoding="utf-8")
    other = tmp_path / "other.report"
    other.write_text(REPORT_B, encoding="utf-8")
    assert expand_paths([str(tmp_path), str(other), "-"]) == [
        str(tmp_path / "sub" / "deep.txt"), str(other), "-"]
    results = list(iter_reports([str(tmp_path / "sub"), str(other)]))
    assert results == [("deep", REPORT_A, None), ("other", REPORT_B, None)]


def test_iter_reports_missing_file_is_an_error_not_a_crash(tmp_path):
    results = list(iter_reports([str(tmp_path / "gone.txt")]))
    assert len(results) == 1
    doc_id, text, error = results[0]
    assert doc_id == "gone" and text is None and "gone.txt" in error


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_dash_reads_stdin_gbk(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(REPORT_A.replace("\n", "\r\n").encode("gbk")))
    assert list(iter_reports(["-"])) == [("stdin", REPORT_A, None)]


def test_empty_stdin_is_an_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    ((doc_id, text, error),) = list(iter_reports(["-"]))
    assert doc_id == "stdin" and text is None and "<stdin>" in error


# --- formats.render --------------------------------------------------------------------------

def _hand_made():
    text = REPORT_A
    line = text.index("全镇")
    money = text.index("１２．８億元")
    doc = Document("a_town", text, [Span(line, len(text) - 1, "成绩", SECTION),
                                    Span(money, money + 6, "MONEY", QUANTITY)])
    result = {
        "doc_id": "a_town",
        "sections": [{"role": "成绩", "start": line, "end": len(text) - 1, "text": text[line:-1]}],
        "quantities": [{"label": "MONEY", "start": money, "end": money + 6, "text": "１２．８億元",
                        "value": 1_280_000_000, "unit": "元", "low": None, "high": None,
                        "approximate": False, "section": "成绩"}],
    }
    empty_doc = Document("b_empty", "无内容。\n", [])
    empty = {"doc_id": "b_empty", "sections": [], "quantities": []}
    return [result, empty], [doc, empty_doc]


def test_render_json():
    results, docs = _hand_made()
    assert json.loads(render(results, docs, "json", "m1")) == results


def test_render_jsonl():
    results, docs = _hand_made()
    out = render(results, docs, "jsonl", "m1")
    assert out.endswith("\n")
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == results
    assert "１２．８億元" in out  # not escaped


def test_render_csv():
    results, docs = _hand_made()
    out = render(results, docs, "csv", "m1")
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    records = list(csv.DictReader(io.StringIO(out)))
    assert len(records) == 2  # one row per span, none for the empty document
    section, quantity = records
    assert section["doc_id"] == "a_town" and section["layer"] == "section" and section["label"] == "成绩"
    assert section["text"] == REPORT_A[int(section["start"]):int(section["end"])]
    assert quantity["layer"] == "quantity" and quantity["label"] == "MONEY"
    assert quantity["text"] == "１２．８億元" and quantity["value"] == "1280000000"
    assert quantity["unit"] == "元" and quantity["section"] == "成绩"


def test_render_csv_quotes_commas_and_newlines():
    text = "甲，乙,丙\n丁"
    results = [{"doc_id": "q", "sections": [{"role": "计划", "start": 0, "end": len(text), "text": text}],
                "quantities": []}]
    records = list(csv.DictReader(io.StringIO(render(results, [], "csv", "m"))))
    assert len(records) == 1 and records[0]["text"] == text


def test_render_labelstudio():
    results, docs = _hand_made()
    tasks = json.loads(render(results, docs, "labelstudio", "govtag-0.1", scores=[0.9, None]))
    assert isinstance(tasks, list) and len(tasks) == 2
    first = tasks[0]
    assert first["data"] == {"text": REPORT_A, "doc_id": "a_town"}
    prediction = first["predictions"][0]
    assert prediction["model_version"] == "govtag-0.1" and prediction["score"] == 0.9
    assert {(r["from_name"], r["value"]["labels"][0]) for r in prediction["result"]} == \
        {("section", "成绩"), ("quantity", "MONEY")}
    assert tasks[1]["predictions"][0]["result"] == [] and "score" not in tasks[1]["predictions"][0]


def test_render_unknown_format():
    results, docs = _hand_made()
    assert set(FORMATS) == {"json", "jsonl", "csv", "labelstudio", "parquet"}
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(results, docs, "xml", "m")
