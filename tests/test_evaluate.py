"""Tests for govtag.outputs.evaluate: strict span metrics, char metrics, confusion matrix, report files."""

import csv
import json
from dataclasses import replace

import pytest

from govtag.outputs import evaluate
from govtag.outputs.evaluate import (evaluate_documents, evaluate_predictor, format_report, summary_line,
                             write_report)
from govtag.core.labels import Document, Span

ACHIEVED = "全年新增就业1200人，增长12.8%。"
PROBLEM = "财政收入下降3个百分点。"
PLAN = "计划投资5000万元，新建195户705人安置房。"
TEXT = f"XX县政府工作报告\n{ACHIEVED}\n{PROBLEM}\n{PLAN}\n"
QUANTITIES = [("1200人", "COUNT"), ("12.8%", "PERCENT"), ("3个百分点", "PERCENT"),
              ("5000万元", "MONEY"), ("195户", "COUNT"), ("705人", "COUNT")]


def span_of(text, part, label, layer):
    start = text.index(part)
    return Span(start, start + len(part), label, layer)


def gold_document(doc_id="county-2023", roles=("成绩", "问题", "计划")):
    lines = (ACHIEVED, PROBLEM, PLAN)
    sections = [span_of(TEXT, line, role, "section") for line, role in zip(lines, roles)]
    quantities = [span_of(TEXT, part, label, "quantity") for part, label in QUANTITIES]
    return Document(doc_id, TEXT, sections + quantities)


def with_spans(doc, drop, add):
    return replace(doc, spans=[s for s in doc.spans if s not in drop] + list(add))


def test_perfect_prediction_scores_one_everywhere():
    gold = gold_document()
    report = evaluate_documents([gold], [gold_document()])
    assert report["quantity"]["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                           "support": 6, "predicted": 6}
    assert report["quantity"]["labels"]["COUNT"]["support"] == 3
    assert report["quantity"]["labels"]["AREA"]["f1"] is None
    assert report["section"]["span"]["micro"]["f1"] == 1.0
    assert report["section"]["char"]["macro_f1"] == 1.0
    matrix = report["section"]["char"]["confusion"]["matrix"]
    assert [matrix[i][i] for i in range(4)] == [len(ACHIEVED), len(PROBLEM), len(PLAN),
                                                len(TEXT) - len(ACHIEVED + PROBLEM + PLAN)]
    assert sum(map(sum, matrix)) == len(TEXT)
    assert report["per_document"] == [{"doc_id": "county-2023", "chars": len(TEXT), "quantity_f1": 1.0,
                                       "section_span_f1": 1.0, "section_char_macro_f1": 1.0,
                                       "problem_char_f1": 1.0}]
    assert report["sequence_unit"] == "document"


def test_span_one_char_short_is_false_positive_and_false_negative():
    text = "今年投资5000万元。"
    gold = Document("d", text, [span_of(text, "5000万元", "MONEY", "quantity")])
    predicted = Document("d", text, [span_of(text, "5000万", "MONEY", "quantity")])
    micro = evaluate_documents([gold], [predicted])["quantity"]["micro"]
    assert (micro["precision"], micro["recall"], micro["f1"]) == (0.0, 0.0, 0.0)
    assert (micro["support"], micro["predicted"]) == (1, 1)


def test_merged_adjacent_quantities_match_neither():
    gold = gold_document()
    merged = span_of(TEXT, "195户705人", "COUNT", "quantity")
    drop = [s for s in gold.spans if s.text_in(TEXT) in ("195户", "705人")]
    report = evaluate_documents([gold], [with_spans(gold, drop, [merged])])
    count = report["quantity"]["labels"]["COUNT"]
    assert count["precision"] == pytest.approx(1 / 2)  # 1200人 right, the merged span wrong
    assert count["recall"] == pytest.approx(1 / 3)
    assert report["quantity"]["micro"]["precision"] == pytest.approx(4 / 5)
    assert report["quantity"]["micro"]["recall"] == pytest.approx(4 / 6)


def test_role_swap_lands_in_confusion_cell():
    report = evaluate_documents([gold_document()], [gold_document(roles=("成绩", "成绩", "计划"))])
    char_scores = report["section"]["char"]
    labels = char_scores["confusion"]["labels"]
    assert labels == ["成绩", "问题", "计划", "O"]
    matrix = char_scores["confusion"]["matrix"]
    assert matrix[labels.index("问题")][labels.index("成绩")] == len(PROBLEM)
    assert matrix[labels.index("问题")][labels.index("问题")] == 0
    assert char_scores["labels"]["问题"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                            "support": len(PROBLEM)}
    assert char_scores["labels"]["成绩"]["precision"] == pytest.approx(
        len(ACHIEVED) / (len(ACHIEVED) + len(PROBLEM)))
    assert report["section"]["span"]["micro"]["f1"] == pytest.approx(2 / 3)
    assert report["section"]["char"]["macro_f1"] < 1.0


def test_roles_absent_from_gold_and_prediction_leave_the_macro():
    text = "明年计划新建学校。"
    doc = Document("plan-only", text, [Span(0, len(text), "计划", "section")])
    report = evaluate_documents([doc], [doc])
    assert report["section"]["char"]["macro_f1"] == 1.0
    assert report["section"]["char"]["labels"]["问题"]["f1"] is None
    assert report["per_document"][0]["quantity_f1"] is None
    assert "n/a" in summary_line(report)


def test_missing_prediction_raises():
    with pytest.raises(ValueError, match="no prediction for 1 gold document.*county-b"):
        evaluate_documents([gold_document("county-a"), gold_document("county-b")],
                           [gold_document("county-a")])


def test_differing_text_raises():
    predicted = Document("county-2023", TEXT.replace("1200", "1300"), [])
    with pytest.raises(ValueError, match="'county-2023'.*text differs.*offset 17"):
        evaluate_documents([gold_document()], [predicted])


def test_duplicate_prediction_raises():
    with pytest.raises(ValueError, match="duplicate predicted doc_id"):
        evaluate_documents([gold_document()], [gold_document(), gold_document()])


def test_overlapping_predicted_spans_raise():
    gold = gold_document()
    bad = with_spans(gold, [], [span_of(TEXT, "1200", "COUNT", "quantity")])
    with pytest.raises(ValueError, match="overlapping quantity spans"):
        evaluate_documents([gold], [bad])


def test_evaluate_predictor_calls_predict_with_text_and_id():
    gold = [gold_document("a"), gold_document("b")]
    calls = []

    def predict(text, doc_id):
        calls.append((text, doc_id))
        return Document(doc_id, text, [])

    report = evaluate_predictor(predict, gold, progress=False)
    assert calls == [(TEXT, "a"), (TEXT, "b")]
    assert report["quantity"]["micro"]["recall"] == 0.0
    assert report["quantity"]["micro"]["predicted"] == 0


def test_format_report_and_summary_line():
    report = evaluate_documents([gold_document()], [gold_document(roles=("成绩", "成绩", "计划"))])
    # 成绩 chars: P = 20/32, R = 1, F1 = 40/52; 问题 F1 0; 计划 F1 1 -> macro 0.590
    assert summary_line(report) == (
        "quantity F1 1.000 | section span F1 0.667 | section char macro F1 0.590")
    text = format_report(report)
    for heading in ("## quantity spans", "## section spans", "## section chars",
                    "## section char confusion", "## per document"):
        assert heading in text
    assert f"| 问题 | 0 | {len(PROBLEM)} | 0 | 0 |" not in text  # rows are gold: the swap is col 成绩
    assert f"| 问题 | {len(PROBLEM)} | 0 | 0 | 0 |" in text


def test_last_resort_font_is_not_taken_for_cjk():
    found = evaluate.cjk_font_path()
    assert found is None or "LastResort" not in found


@pytest.mark.parametrize("with_font", [False, True])
def test_write_report_files(tmp_path, monkeypatch, with_font):
    from matplotlib import font_manager

    font = (evaluate.cjk_font_path() or font_manager.findfont("DejaVu Sans")) if with_font else None
    monkeypatch.setattr(evaluate, "cjk_font_path", lambda: font)
    report = evaluate_documents([gold_document()], [gold_document(roles=("成绩", "成绩", "计划"))])
    paths = write_report(report, tmp_path / "eval")
    assert [p.name for p in paths] == ["metrics.json", "section_confusion.png", "documents.csv"]
    assert json.loads(paths[0].read_text(encoding="utf-8")) == report
    assert paths[1].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    rows = list(csv.DictReader(paths[2].read_text(encoding="utf-8").splitlines()))
    assert rows[0]["doc_id"] == "county-2023" and float(rows[0]["quantity_f1"]) == 1.0
    assert not list((tmp_path / "eval").glob(".*.tmp"))
