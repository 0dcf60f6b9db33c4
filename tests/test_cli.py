"""Tests for the ``govtag`` command line: predict formats, inputs, exit codes, train/evaluate errors."""

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, PIPELINE_DEV, PIPELINE_TRAIN, pipeline_text, write_train_config
from govtag.cli.main import main
from govtag.outputs.formats import CSV_COLUMNS
from govtag.core.labels import LAYERS

REPORTS = PIPELINE_TRAIN + PIPELINE_DEV


def report_path(name: str) -> str:
    return str(FIXTURES / f"{name}.txt")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_prediction_task(task, model_version=None):
    text = task["data"]["text"]
    (prediction,) = task["predictions"]
    assert isinstance(prediction["model_version"], str) and prediction["model_version"]
    if model_version:
        assert prediction["model_version"] == model_version
    assert prediction["result"], "no predicted spans"
    for item in prediction["result"]:
        assert item["from_name"] in LAYERS
        assert item["to_name"] == "text"
        assert item["type"] == "labels"
        value = item["value"]
        assert set(value) == {"start", "end", "text", "labels"}
        (label,) = value["labels"]
        assert label in LAYERS[item["from_name"]]
        assert 0 <= value["start"] < value["end"] <= len(text)
        assert value["text"] == text[value["start"]:value["end"]]
    return prediction


def test_help_in_a_real_process():
    result = subprocess.run([sys.executable, "-m", "govtag.cli", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("train", "evaluate", "predict", "preannotate"):
        assert command in result.stdout


def test_no_command_prints_help_and_fails(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "predict" in out


# ------------------------------------------------------------------ predict with a model

@pytest.mark.slow
def test_predict_json(capsys, rules_model):
    code, out, _ = run(capsys, "predict", "--model", rules_model, report_path(REPORTS[0]),
                       report_path(REPORTS[1]))
    assert code == 0
    results = json.loads(out)
    assert [r["doc_id"] for r in results] == list(REPORTS[:2])
    text = pipeline_text(REPORTS[0])
    assert results[0]["sections"] and results[0]["quantities"]
    for part in results[0]["sections"] + results[0]["quantities"]:
        assert part["text"] == text[part["start"]:part["end"]]
    money = next(q for q in results[0]["quantities"] if q["text"] == "18171元")
    assert money["label"] == "MONEY" and money["value"] == pytest.approx(18171)


@pytest.mark.slow
def test_predict_jsonl(capsys, tiny_model):
    code, out, _ = run(capsys, "predict", "--model", tiny_model, "--format", "jsonl",
                       *[report_path(n) for n in REPORTS])
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(REPORTS)
    rows = [json.loads(line) for line in lines]
    assert [r["doc_id"] for r in rows] == list(REPORTS)
    assert all(set(r) == {"doc_id", "offsets", "sections", "quantities"} for r in rows)
    assert {r["offsets"] for r in rows} == {"text"}


@pytest.mark.slow
def test_predict_csv(capsys, rules_model):
    code, out, _ = run(capsys, "predict", "--model", rules_model, "--format", "csv",
                       report_path(REPORTS[0]))
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    rows = list(reader)
    assert {r["layer"] for r in rows} == {"section", "quantity"}
    text = pipeline_text(REPORTS[0])
    for row in rows:
        assert row["doc_id"] == REPORTS[0]
        assert row["text"] == text[int(row["start"]):int(row["end"])]
    area = next(r for r in rows if r["text"] == "１．２萬畝")
    assert area["label"] == "AREA" and float(area["value"]) == pytest.approx(12000)
    assert area["section"] == "成绩"


@pytest.mark.slow
def test_predict_labelstudio(capsys, rules_model):
    code, out, _ = run(capsys, "predict", "--model", rules_model, "--format", "labelstudio",
                       report_path(REPORTS[0]), report_path(REPORTS[2]))
    assert code == 0
    tasks = json.loads(out)
    assert [t["data"]["doc_id"] for t in tasks] == [REPORTS[0], REPORTS[2]]
    for task, name in zip(tasks, (REPORTS[0], REPORTS[2])):
        assert task["data"]["text"] == pipeline_text(name)
        prediction = check_prediction_task(task, model_version="model")
        assert isinstance(prediction["score"], float) and 0.0 <= prediction["score"] <= 1.0
    # the export can be read back as documents
    from govtag.core.labelstudio import parse_tasks

    docs, rejected = parse_tasks(tasks, source="predictions")
    assert not rejected and len(docs) == 2


@pytest.mark.slow
def test_predict_output_file_is_written_atomically(tmp_path, capsys, tiny_model):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "result.json"
    target.write_text("old", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--model", tiny_model, "-o", target, report_path(REPORTS[1]))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))[0]["doc_id"] == REPORTS[1]
    assert [p.name for p in out_dir.iterdir()] == ["result.json"], "temporary files left behind"


@pytest.mark.slow
def test_predict_reads_stdin(capsys, monkeypatch, tiny_model):
    text = pipeline_text(REPORTS[2])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
    code, out, _ = run(capsys, "predict", "--model", tiny_model, "--format", "jsonl", "-")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["doc_id"] == "stdin"
    for part in row["sections"] + row["quantities"]:
        assert part["text"] == text[part["start"]:part["end"]]


@pytest.fixture
def mixed_dir(tmp_path):
    directory = tmp_path / "reports"
    (directory / "sub").mkdir(parents=True)
    (directory / "good_a.txt").write_text(pipeline_text(REPORTS[0]), encoding="utf-8")
    (directory / "sub" / "good_b.txt").write_bytes(pipeline_text(REPORTS[1]).encode("gb18030"))
    (directory / "broken.txt").write_bytes(bytes(range(256)) * 8)
    (directory / "notes.md").write_text("not a report", encoding="utf-8")
    return directory


@pytest.mark.slow
def test_predict_directory_with_a_broken_file(capsys, tmp_path, mixed_dir, tiny_model):
    out_file = tmp_path / "out.jsonl"
    code, out, err = run(capsys, "predict", "--model", tiny_model, "--format", "jsonl", "-o", out_file,
                         mixed_dir)
    assert code == 1
    rows = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["doc_id"] for r in rows) == ["good_a", "sub/good_b"]
    assert "broken.txt" in err


def test_predict_directory_with_a_broken_file_rules(capsys, mixed_dir):
    code, out, err = run(capsys, "predict", "--rules", mixed_dir)
    assert code == 1
    results = json.loads(out)
    assert sorted(r["doc_id"] for r in results) == ["good_a", "sub/good_b"]
    assert str(mixed_dir / "broken.txt") in err
    good_b = next(r for r in results if r["doc_id"] == "sub/good_b")
    text = pipeline_text(REPORTS[1])  # decoded from GB18030
    assert all(q["text"] == text[q["start"]:q["end"]] for q in good_b["quantities"])


def test_predict_only_broken_input_is_an_error(capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    code, out, err = run(capsys, "predict", "--rules", bad)
    assert code == 2
    assert "bad.txt" in err
    code, _, err = run(capsys, "predict", "--rules", tmp_path / "missing.txt")
    assert code == 2 and "missing.txt" in err


def test_predict_rules(capsys):
    code, out, _ = run(capsys, "predict", "--rules", "--format", "labelstudio", report_path(REPORTS[0]))
    assert code == 0
    (task,) = json.loads(out)
    prediction = check_prediction_task(task, model_version="govtag-rules")
    labels = {(i["value"]["text"], i["value"]["labels"][0]) for i in prediction["result"]}
    assert ("18171元", "MONEY") in labels and ("二、存在的问题", "问题") in labels


# ------------------------------------------------------------------ preannotate, evaluate

def test_preannotate_writes_label_studio_tasks(capsys, tmp_path):
    out_file = tmp_path / "tasks" / "out.json"
    code, out, err = run(capsys, "preannotate", "-o", out_file, report_path(REPORTS[0]),
                         report_path(REPORTS[1]))
    assert code == 0
    tasks = json.loads(out_file.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == list(REPORTS[:2])
    for task in tasks:
        assert "annotations" not in task
        check_prediction_task(task)
    assert "2 report(s)" in err
    assert [p.name for p in out_file.parent.iterdir()] == ["out.json"]


def test_evaluate_rules_writes_report(capsys, tmp_path, tiny_exports):
    _, dev = tiny_exports
    out_dir = tmp_path / "eval"
    code, out, _ = run(capsys, "evaluate", "--rules", "--data", dev, "-o", out_dir)
    assert code == 0
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert {"section", "quantity"} <= set(metrics)
    assert (out_dir / "section_confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out_dir / "documents.csv").is_file()
    assert "metrics.json" in out


# ------------------------------------------------------------------ train errors

def test_train_misspelt_key_exits_2_naming_it(capsys, tmp_path, tiny_exports):
    train, dev = tiny_exports
    config = write_train_config(tmp_path, train, dev, tmp_path / "run")
    text = config.read_text(encoding="utf-8").replace("  batch_size:", "  batch_sise:")
    config.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "train", config)
    assert code == 2
    assert "training.batch_sise" in err and "batch_size" in err
    assert not (tmp_path / "run").exists()


def test_train_missing_data_file_exits_2_naming_it(capsys, tmp_path, tiny_exports):
    _, dev = tiny_exports
    missing = tmp_path / "no_such_train.json"
    config = write_train_config(tmp_path, missing, dev, tmp_path / "run")
    code, _, err = run(capsys, "train", config)
    assert code == 2
    assert "no_such_train.json" in err and "data.train" in err
    assert not (tmp_path / "run").exists()


def test_train_bad_override_exits_2(capsys, tmp_path, tiny_exports):
    train, dev = tiny_exports
    config = write_train_config(tmp_path, train, dev, tmp_path / "run")
    code, _, err = run(capsys, "train", config, "--set", "windows.lenght=128")
    assert code == 2 and "windows.lenght" in err


@pytest.mark.slow
def test_predict_with_two_jobs_matches_one_job(capsys, tmp_path, rules_model):
    paths = [report_path(name) for name in REPORTS]
    code, single, _ = run(capsys, "predict", "--model", rules_model, "--format", "jsonl",
                          "--jobs", "1", *paths)
    assert code == 0
    code, parallel, _ = run(capsys, "predict", "--model", rules_model, "--format", "jsonl",
                            "--jobs", "2", *paths)
    assert code == 0
    assert parallel == single  # same reports, same order, same spans and values


def test_predict_jobs_must_be_positive(capsys):
    code, _, err = run(capsys, "predict", "--jobs", "0", report_path(REPORTS[0]))
    assert code == 2 and "--jobs" in err


def test_preannotate_leaves_out_the_reports_of_given_exports(capsys, tmp_path, tiny_exports):
    train, dev = tiny_exports  # dev holds PIPELINE_DEV reports
    out_file = tmp_path / "silver.json"
    paths = [report_path(name) for name in REPORTS]
    code, _, err = run(capsys, "preannotate", "-o", out_file, *paths, "--exclude", dev)
    assert code == 0
    kept = [t["data"]["doc_id"] for t in json.loads(out_file.read_text(encoding="utf-8"))]
    assert kept == list(PIPELINE_TRAIN)
    assert not set(kept) & set(PIPELINE_DEV)
    assert f"left out {len(PIPELINE_DEV)} report(s)" in err and str(dev) in err


def test_preannotate_silver_is_a_training_export(capsys, tmp_path):
    from govtag.core.labelstudio import read_export
    from govtag.rules.tagger import tag_document

    out_file = tmp_path / "silver.json"
    code, _, _ = run(capsys, "preannotate", "--format", "silver", "-o", out_file,
                     report_path(REPORTS[0]))
    assert code == 0
    (doc,) = read_export(out_file)  # annotations, as training reads them
    assert set(doc.spans) == set(tag_document(pipeline_text(REPORTS[0])).spans)
