"""Tests for govtag.core.labelstudio: lossless converters, export validation, labeling config."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from govtag.core.labels import LAYERS, QUANTITY, SECTION, Document, Span
from govtag.core.labelstudio import (
    ExportError,
    document_to_task,
    labeling_config,
    parse_tasks,
    read_export,
    task_to_document,
    write_tasks,
)

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = Path(os.environ.get("GOVTAG_GOLD_DIR", REPO.parent / "shared" / "gold"))

TEXT = "xx镇20__年工作報告\n一、工作回顧\n完成產值１２．８億元，新建農田1.85萬畝，惠及195户705人。\n二、存在問題\n"


def _item(layer, label, start, end, text=TEXT, item_id=None):
    item = {"from_name": layer, "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}
    if item_id:
        item["id"] = item_id
    return item


def _good_task(task_id=1, doc_id="basic_town"):
    money = TEXT.index("１２．８億元")
    area = TEXT.index("1.85萬畝")
    households = TEXT.index("195户")
    line = TEXT.index("完成")
    line_end = TEXT.index("\n", line)
    result = [
        _item(SECTION, "成绩", TEXT.index("一、"), TEXT.index("一、") + 6, item_id="s1"),
        _item(SECTION, "成绩", line, line_end, item_id="s2"),
        _item(QUANTITY, "MONEY", money, money + 6, item_id="q1"),
        _item(QUANTITY, "AREA", area, area + 6, item_id="q2"),
        _item(QUANTITY, "COUNT", households, households + 4, item_id="q3"),
        _item(QUANTITY, "COUNT", households + 4, households + 8, item_id="q4"),
    ]
    return {"id": task_id, "data": {"text": TEXT, "doc_id": doc_id},
            "annotations": [{"id": 10, "result": result, "was_cancelled": False}]}


def _write(tmp_path, obj, name="export.json"):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _key(item):
    value = item["value"]
    return item["from_name"], value["start"], value["end"], value["labels"][0], value["text"]


# --- round trip of the real gold files -------------------------------------------------------

@pytest.mark.parametrize("name", ["train.json", "dev.json", "test.json"])
def test_gold_round_trip(tmp_path, name):
    # test.json is only read here to check its format, never used for training.
    path = GOLD_DIR / name
    if not path.is_file():
        pytest.skip(f"gold file {path} not found (set GOVTAG_GOLD_DIR to the gold directory)")
    docs = read_export(path)
    assert docs, f"{path} has no documents"
    out = tmp_path / name
    write_tasks(docs, out)
    again = read_export(out)
    assert [d.doc_id for d in again] == [d.doc_id for d in docs]
    for before, after in zip(docs, again):
        assert after.text == before.text
        assert sorted(after.spans) == sorted(before.spans)

    original = json.loads(path.read_text(encoding="utf-8-sig"))
    rewritten = json.loads(out.read_text(encoding="utf-8"))
    assert len(rewritten) == len(original)
    for task_in, task_out in zip(original, rewritten):
        assert task_out["data"]["text"] == task_in["data"]["text"]
        wanted = {_key(item) for ann in task_in["annotations"] if not ann.get("was_cancelled")
                  for item in ann["result"] if item.get("type", "labels") == "labels"}
        got = [_key(item) for item in task_out["annotations"][0]["result"]]
        assert len(got) == len(set(got))
        assert wanted <= set(got)
        assert set(got) <= wanted


def test_hand_made_round_trip(tmp_path):
    path = _write(tmp_path, [_good_task(1, "a"), _good_task(2, "b")])
    docs = read_export(path)
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert len(docs[0].layer(SECTION)) == 2 and len(docs[0].layer(QUANTITY)) == 4
    write_tasks(docs, tmp_path / "out" / "tasks.json")
    again = read_export(tmp_path / "out" / "tasks.json")
    assert [(d.doc_id, d.text, sorted(d.spans)) for d in again] == \
        [(d.doc_id, d.text, sorted(d.spans)) for d in docs]


def test_doc_id_falls_back_to_task_id():
    task = _good_task(77)
    del task["data"]["doc_id"]
    assert task_to_document(task).doc_id == "77"


def test_latest_non_cancelled_annotation_is_used():
    task = _good_task()
    old = {"id": 9, "result": [], "updated_at": "2024-01-01T00:00:00"}
    task["annotations"][0]["updated_at"] = "2024-02-01T00:00:00"
    cancelled = {"id": 11, "result": [], "was_cancelled": True, "updated_at": "2024-03-01T00:00:00"}
    task["annotations"] = [old, task["annotations"][0], cancelled]
    assert len(task_to_document(task).spans) == 6


# --- malformed exports -----------------------------------------------------------------------

def test_not_json(tmp_path):
    path = _write(tmp_path, "[{\"data\": ")
    with pytest.raises(ExportError, match="not a JSON"):
        read_export(path)


def test_missing_export_file(tmp_path):
    with pytest.raises(ExportError, match="missing.json"):
        read_export(tmp_path / "missing.json")


def test_not_a_list(tmp_path):
    path = _write(tmp_path, {"data": {"text": TEXT}})
    with pytest.raises(ExportError, match="export.json: a Label Studio export is a JSON list of "
                                          "tasks, this file holds a JSON object"):
        read_export(path)


def test_empty_export_names_the_file(tmp_path):
    path = _write(tmp_path, [])
    with pytest.raises(ExportError, match="export.json: the export holds no tasks"):
        read_export(path)


def test_whole_float_offsets_are_read_as_integers(tmp_path):
    task = _good_task()
    for item in task["annotations"][0]["result"]:
        item["value"]["start"] = float(item["value"]["start"])
        item["value"]["end"] = float(item["value"]["end"])
    (doc,) = read_export(_write(tmp_path, [task]))
    assert doc.spans == task_to_document(_good_task()).spans
    assert all(type(s.start) is int and type(s.end) is int for s in doc.spans)


def _bad(mutate):
    task = _good_task(5, "bad_town")
    mutate(task)
    return task


def _set_value(index, **changes):
    def mutate(task):
        task["annotations"][0]["result"][index]["value"].update(changes)
    return mutate


BAD_TASKS = {
    "no data.text": (lambda t: t["data"].pop("text"), "no 'text'"),
    "data not an object": (lambda t: t.update(data="xx镇"), "no 'data'"),
    "text mismatch": (_set_value(2, text="１２．８萬元"), "'１２．８萬元'"),
    "unknown label": (_set_value(2, labels=["PRICE"]), "unknown quantity label 'PRICE'"),
    "unknown from_name": (lambda t: t["annotations"][0]["result"][0].update(from_name="topic"),
                          "unknown from_name 'topic'"),
    "offsets past the end": (_set_value(2, start=len(TEXT) - 1, end=len(TEXT) + 3, text="\n"),
                             "outside the text"),
    "two labels": (_set_value(2, labels=["MONEY", "COUNT"]), "exactly one label"),
    "no start": (lambda t: t["annotations"][0]["result"][2]["value"].pop("start"), "start/end"),
    "overlap in a layer": (lambda t: t["annotations"][0]["result"].append(
        _item(QUANTITY, "COUNT", TEXT.index("１２．８億元") + 3, TEXT.index("１２．８億元") + 8)),
        "overlapping quantity spans"),
    "only cancelled": (lambda t: t["annotations"][0].update(was_cancelled=True), "no usable annotation"),
    "no annotations": (lambda t: t.pop("annotations"), "no 'annotations'"),
    "result item not an object": (lambda t: t["annotations"][0]["result"].append("q9"), "not a JSON object"),
    "fractional offset": (_set_value(2, start=109.7), "start 109.7 is not a whole"),
    "offset as a string": (_set_value(2, end="15"), "end '15' is not a whole"),
}


@pytest.mark.parametrize("case", BAD_TASKS)
def test_malformed_task_gives_export_error(tmp_path, case):
    mutate, message = BAD_TASKS[case]
    path = _write(tmp_path, [_good_task(1, "good_town"), _bad(mutate)])
    with pytest.raises(ExportError) as err:
        read_export(path)
    text = str(err.value)
    assert message in text
    assert "export.json" in text and "1 bad task" in text and "task 5" in text
    assert "good_town" not in text


def test_text_mismatch_message_shows_both_texts():
    task = _bad(_set_value(2, text="１２．８萬元"))
    with pytest.raises(ExportError) as err:
        task_to_document(task)
    assert "'１２．８億元'" in str(err.value) and "'１２．８萬元'" in str(err.value)


def test_overlap_across_layers_is_accepted():
    task = _good_task()
    # a quantity inside a section span is normal
    doc = task_to_document(task)
    sections, quantities = doc.layer(SECTION), doc.layer(QUANTITY)
    assert all(any(s.start <= q.start and q.end <= s.end for s in sections) for q in quantities)


def test_parse_tasks_keeps_good_and_lists_rejected():
    tasks = [_good_task(1, "one"), _bad(BAD_TASKS["unknown label"][0]), "not a task", _good_task(3, "three"),
             _bad(BAD_TASKS["data not an object"][0])]
    docs, rejected = parse_tasks(tasks)
    assert [d.doc_id for d in docs] == ["one", "three"]
    assert len(docs) + len(rejected) == len(tasks)
    assert [r.task_id for r in rejected] == [5, 2, 5]
    assert rejected[0].doc_id == "bad_town" and "PRICE" in rejected[0].reason
    assert rejected[1].doc_id is None and rejected[1].reason
    assert rejected[2].doc_id is None and "data" in rejected[2].reason


def test_parse_tasks_needs_a_list():
    with pytest.raises(ExportError):
        parse_tasks({"tasks": []})


def test_non_label_result_items_are_ignored():
    task = _good_task()
    task["annotations"][0]["result"].append(
        {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["备注"]}})
    assert len(task_to_document(task).spans) == 6


# --- writing tasks and predictions -----------------------------------------------------------

def test_document_to_task_as_prediction():
    doc = task_to_document(_good_task(1, "pred_town"))
    task = document_to_task(doc, as_prediction=True, model_version="govtag-test-1", score=0.875)
    assert task["data"] == {"text": TEXT, "doc_id": "pred_town"}
    assert "annotations" not in task
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "govtag-test-1"
    assert prediction["score"] == 0.875
    items = prediction["result"]
    assert len(items) == len(doc.spans)
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)
    for item in items:
        assert item["type"] == "labels" and item["to_name"] == "text"
        assert item["from_name"] in ("section", "quantity")
        value = item["value"]
        assert set(value) == {"start", "end", "text", "labels"}
        assert value["text"] == TEXT[value["start"]:value["end"]]
        assert len(value["labels"]) == 1 and value["labels"][0] in LAYERS[item["from_name"]]
    # and the prediction reads back as the same document
    back = task_to_document(json.loads(json.dumps(task)), source="predictions")
    assert sorted(back.spans) == sorted(doc.spans)


def test_document_to_task_without_score_has_no_score():
    doc = Document("d", TEXT, [Span(0, 3, "计划", SECTION)])
    task = document_to_task(doc, as_prediction=True, model_version="m")
    assert "score" not in task["predictions"][0]
    annotation = document_to_task(doc)
    assert annotation["annotations"][0]["result"][0]["value"]["text"] == TEXT[:3]


def test_labeling_config_is_xml_with_the_label_layers():
    root = ET.fromstring(labeling_config())
    assert root.tag == "View"
    texts = root.findall("Text")
    assert len(texts) == 1 and texts[0].get("name") == "text" and texts[0].get("value") == "$text"
    groups = root.findall("Labels")
    assert sorted(g.get("name") for g in groups) == ["quantity", "section"]
    for group in groups:
        assert group.get("toName") == "text"
        assert tuple(label.get("value") for label in group.findall("Label")) == LAYERS[group.get("name")]


def test_write_tasks_leaves_no_temporary_files(tmp_path):
    doc = task_to_document(_good_task())
    write_tasks([doc], tmp_path / "tasks.json")
    write_tasks([doc], tmp_path / "tasks.json")
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.json"]
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert tasks[0]["data"]["doc_id"] == "basic_town"
