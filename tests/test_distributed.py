"""Ray batch prediction (``govtag predict --engine ray``) and worker deaths under ``--jobs`` and Ray:
the output equals the single-process output report by report, a broken file loses nothing else,
and a worker that dies mid-run loses no report another can tag."""

import json
import os

import pytest

from conftest import FIXTURES
from fault_taggers import TESTS, dying_loader
from govtag.cli.main import main
from govtag.run import loading
from govtag.run.parallel import ParallelTagger

FIXTURE_NAMES = ("basic_township", "pipeline_xx_town", "pipeline_yy_township", "pipeline_zz_street",
                 "township_report", "township_traditional", "township_village_brief")


def made_up_reports(directory, count=20):
    """``count`` made-up reports: the fixture reports, each with a numbered closing line."""
    directory.mkdir()
    for i in range(count):
        text = (FIXTURES / f"{FIXTURE_NAMES[i % len(FIXTURE_NAMES)]}.txt").read_text(encoding="utf-8")
        (directory / f"report_{i:02d}.txt").write_text(
            f"{text}\n今年新建道路{i + 3}公里，投入资金{i + 1}.5万元。\n", encoding="utf-8")
    return directory


def single_process(capsys, model, paths, *flags):
    """doc_id -> result line of ``govtag predict --jobs 1 --format jsonl``."""
    code = main(["predict", "--model", str(model), "--format", "jsonl", "--jobs", "1", *flags,
                 *map(str, paths)])
    out, _ = capsys.readouterr()
    assert code in (0, 1)
    return {json.loads(line)["doc_id"]: json.loads(line) for line in out.splitlines()}


def shard_results(output):
    """doc_id -> result of every JSONL shard in a Ray output directory."""
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for name in manifest["shards"]
            for line in (output / name).read_text(encoding="utf-8").splitlines()]
    return {row["doc_id"]: row for row in rows}, manifest


@pytest.mark.slow
def test_ray_output_equals_single_process_and_a_broken_file_loses_nothing(capsys, tmp_path,
                                                                          rules_model):
    pytest.importorskip("ray")
    reports = made_up_reports(tmp_path / "reports")
    (reports / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    expected = single_process(capsys, rules_model, [reports])
    output = tmp_path / "out"
    code = main(["predict", "--engine", "ray", "--workers", "2", "--model", str(rules_model),
                 "--format", "jsonl", "-o", str(output), str(reports)])
    _, err = capsys.readouterr()
    assert code == 1, err  # one input skipped, the rest written
    got, manifest = shard_results(output)
    assert len(got) == 20 and got == expected
    assert [f["doc_id"] for f in manifest["failures"]] == ["broken"]
    assert manifest["failures"][0]["reason"] and "broken" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no staging left


def workers_die_on(monkeypatch, doc_id, marker=None):
    """``govtag predict --jobs`` workers whose tagger ends its process on ``doc_id``."""
    def parallel_tagger(jobs, run, loader=None):
        return ParallelTagger(jobs, run, loader=dying_loader(doc_id, marker))

    monkeypatch.setattr(loading, "ParallelTagger", parallel_tagger)


@pytest.mark.slow
def test_ray_actor_that_dies_mid_run_loses_nothing(capsys, tmp_path, rules_model, monkeypatch):
    pytest.importorskip("ray")
    from govtag.run.distributed import predict_on_ray

    reports = made_up_reports(tmp_path / "reports")
    expected = single_process(capsys, rules_model, [reports])
    # set before Ray starts: its workers import the dying loader from the tests directory
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")])))
    outcome = predict_on_ray([str(reports)], tmp_path / "out", model=str(rules_model), workers=2,
                             fmt="parquet", loader=dying_loader("report_07", tmp_path / "died_once"))
    assert (tmp_path / "died_once").exists()  # an actor did die
    assert outcome.reports == 20 and not outcome.failures
    import pandas as pd

    table = pd.concat([pd.read_parquet(tmp_path / "out" / name) for name in outcome.shards])
    assert sorted(set(table["doc_id"])) == sorted(d for d, r in expected.items() if r["quantities"])
    assert len(table) == sum(len(r["quantities"]) for r in expected.values())


@pytest.mark.slow
def test_jobs_worker_that_dies_once_loses_nothing(capsys, tmp_path, rules_model, monkeypatch):
    reports = made_up_reports(tmp_path / "reports", count=6)
    expected = single_process(capsys, rules_model, [reports])
    workers_die_on(monkeypatch, "report_03", tmp_path / "died_once")
    assert single_process(capsys, rules_model, [reports], "--jobs", "2") == expected
    assert (tmp_path / "died_once").exists()


@pytest.mark.slow
def test_jobs_report_that_always_kills_its_worker_is_listed_and_the_rest_written(
        capsys, tmp_path, rules_model, monkeypatch):
    reports = made_up_reports(tmp_path / "reports", count=6)
    expected = single_process(capsys, rules_model, [reports])
    workers_die_on(monkeypatch, "report_02")
    output = tmp_path / "out.jsonl"
    code = main(["predict", "--model", str(rules_model), "--format", "jsonl", "--jobs", "2",
                 "-o", str(output), str(reports)])
    _, err = capsys.readouterr()
    assert code == 1 and "report_02" in err and "died" in err
    got = {json.loads(line)["doc_id"]: json.loads(line) for line in output.read_text("utf-8").splitlines()}
    assert got == {d: r for d, r in expected.items() if d != "report_02"}


def test_ray_options_are_checked_before_any_work(capsys, tmp_path):
    (tmp_path / "a.txt").write_text("今年投入资金5万元。", encoding="utf-8")
    code = main(["predict", "--engine", "ray", "--rules", str(tmp_path / "a.txt")])
    assert code == 2 and "-o DIR" in capsys.readouterr().err
    code = main(["predict", "--engine", "ray", "--rules", "--format", "csv", "-o",
                 str(tmp_path / "o"), str(tmp_path / "a.txt")])
    assert code == 2 and "jsonl or parquet" in capsys.readouterr().err
    code = main(["predict", "--workers", "2", "--rules", str(tmp_path / "a.txt")])
    assert code == 2 and "--engine ray" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("x")
    code = main(["predict", "--engine", "ray", "--rules", "-o", str(tmp_path / "mine"),
                 str(tmp_path / "a.txt")])
    assert code == 2 and "not empty" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.md").exists()
