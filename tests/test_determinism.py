"""One report, one answer: with the default settings (int8 for an encoder model, whose batches
of windows could mix reports), a report's result is the same, field by field, whether it is
tagged alone, in a folder of other reports, with ``--jobs 1`` or ``--jobs 2``, or on Ray; and the
shipped model's too, alone or among others."""

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from govtag.cli.main import main
from govtag.run.loading import load
from govtag.run.predict import Tagger, report_batches

# made-up reports of different lengths, so batch mates and padding differ between runs
NAMES = ("township_report", "basic_township", "pipeline_xx_town", "township_traditional",
         "pipeline_yy_township")


def jsonl_rows(capsys, *argv) -> dict[str, dict]:
    """Report name -> its full result row of ``govtag predict --format jsonl``."""
    code = main(["predict", "--format", "jsonl", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {Path(row["doc_id"]).name: row for row in map(json.loads, out.splitlines())}


def scored_tasks(capsys, *argv) -> dict[str, dict]:
    """Report name -> its Label Studio task (text, spans and the model's confidence score)."""
    code = main(["predict", "--format", "labelstudio", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {Path(task["data"]["doc_id"]).name: task for task in json.loads(out)}


def ray_rows(capsys, model: Path, output: Path, folder: Path) -> dict[str, dict]:
    code = main(["predict", "--model", str(model), "--engine", "ray", "--workers", "2", "--format",
                 "jsonl", "-o", str(output), str(folder)])
    _, err = capsys.readouterr()
    assert code == 0, err
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for name in manifest["shards"]
            for line in (output / name).read_text(encoding="utf-8").splitlines()]
    return {Path(row["doc_id"]).name: row for row in rows}


@pytest.fixture
def folder(tmp_path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in NAMES:
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        (reports / f"{name}.txt").write_text(text, encoding="utf-8")
    return reports


@pytest.mark.slow
def test_a_report_gets_one_answer_whatever_its_batch_mates_jobs_and_engine(capsys, tmp_path,
                                                                            folder, tiny_model):
    alone, model = folder / f"{NAMES[0]}.txt", ("--model", tiny_model)
    tasks = {"alone": scored_tasks(capsys, *model, "--jobs", "1", alone),
             "folder, --jobs 1": scored_tasks(capsys, *model, "--jobs", "1", folder),
             "folder, --jobs 2": scored_tasks(capsys, *model, "--jobs", "2", folder)}
    for how, got in tasks.items():  # every field: text, spans, the model's confidence score
        assert got[NAMES[0]] == tasks["alone"][NAMES[0]], how
    assert tasks["folder, --jobs 1"] == tasks["folder, --jobs 2"]
    rows = {"alone": jsonl_rows(capsys, *model, "--jobs", "1", alone),
            "folder, --jobs 2": jsonl_rows(capsys, *model, "--jobs", "2", folder)}
    pytest.importorskip("ray")
    rows["folder, Ray"] = ray_rows(capsys, tiny_model, tmp_path / "shards", folder)
    assert set(rows["folder, Ray"]) == set(NAMES)
    assert rows["folder, Ray"] == rows["folder, --jobs 2"]
    assert rows["folder, Ray"][NAMES[0]] == rows["alone"][NAMES[0]]


@pytest.mark.parametrize("model", ["encoder", "shipped"])
def test_tag_many_gives_each_report_what_it_gets_alone(model, tiny_model):
    # an encoder model with the defaults (int8 on the CPU), or the shipped default as it loads
    tagger = Tagger.load(tiny_model) if model == "encoder" else load()
    texts = [(FIXTURES / f"{name}.txt").read_text(encoding="utf-8") for name in NAMES]
    together = tagger.tag_many(texts, list(NAMES))
    for text, name, doc in zip(texts, NAMES, together):
        single = tagger.tag(text, name)
        assert (doc.spans, doc.score) == (single.spans, single.score), name


def test_batches_never_mix_reports():
    windows = [type("W", (), {"input_ids": [0] * n})() for n in (5, 3, 4)]
    batches = report_batches(7, windows, 2)
    assert [[len(w.input_ids) for _, w in batch] for batch in batches] == [[3, 4], [5]]
    assert {d for batch in batches for d, _ in batch} == {7}
