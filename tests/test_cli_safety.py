"""Tests for what a user gets when things go wrong: no output lost, no traceback, exit codes.

Exit codes: 0 all done, 1 some inputs skipped, 2 usage or input error, 130 interrupted. Most
cases use the rule tagger or the shipped default model (no training); those about an encoder's
windows (stride, window progress, weights, workers) use the tiny encoder model of the session.
"""

import json
import os
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, pipeline_text, write_train_config
from govtag.core import errors
from govtag.cli.main import main
from govtag.run.loading import load
from govtag.run.parallel import ParallelTagger
from govtag.run.predict import RuleTagger, Tagger

REPORT = str(FIXTURES / "pipeline_xx_town.txt")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, command: str) -> str:
    """The stderr of a failed command: exactly one line, ``govtag CMD: error: ...``."""
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith(f"govtag {command}: error: "), err
    return lines[0]





# ------------------------------------------------------------------ 1. nothing tagged, nothing written

@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_all_inputs_failing_leaves_an_existing_output_untouched(capsys, tmp_path, fmt):
    out = tmp_path / "out.json"
    out.write_text('{"old":1}\n', encoding="utf-8")
    empty, binary = tmp_path / "empty.txt", tmp_path / "binary.txt"
    empty.write_bytes(b"")
    binary.write_bytes(b"\x00\x01\x02" * 50)
    code, stdout, err = run(capsys, "predict", "--rules", "--format", fmt, "-o", out, empty, binary,
                            tmp_path / "typo.txt")
    assert code == 2 and stdout == ""
    assert out.read_text(encoding="utf-8") == '{"old":1}\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert "nothing tagged" in err and "all 3 input(s) failed" in err and "left unchanged" in err


def test_nothing_tagged_writes_nothing_to_stdout(capsys, tmp_path):
    code, stdout, err = run(capsys, "predict", "--rules", tmp_path / "typo.txt")
    assert code == 2 and stdout == "" and "nothing tagged" in err


def test_an_empty_directory_is_an_error_not_an_empty_result(capsys, tmp_path):
    out = tmp_path / "out.json"
    (tmp_path / "reports").mkdir()
    code, _, err = run(capsys, "predict", "--rules", "-o", out, tmp_path / "reports")
    assert code == 2 and not out.exists() and "no report found" in err


def test_preannotate_with_nothing_tagged_keeps_the_output(capsys, tmp_path):
    out = tmp_path / "tasks.json"
    out.write_text("[1]", encoding="utf-8")
    code, _, err = run(capsys, "preannotate", "-o", out, tmp_path / "typo.txt")
    assert code == 2 and out.read_text(encoding="utf-8") == "[1]" and "nothing tagged" in err


# ------------------------------------------------------------------ 3. outputs checked first

def test_a_directory_as_output_is_refused_before_tagging(capsys, tmp_path, no_tagging):
    code, _, err = run(capsys, "predict", "--rules", "-o", tmp_path, REPORT)
    assert code == 2
    assert "is a directory" in one_error_line(err, "predict")


def test_an_output_under_a_file_is_refused_before_tagging(capsys, tmp_path, no_tagging):
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "predict", "--rules", "-o", blocker / "missing" / "out.json", REPORT)
    assert code == 2 and "not a directory" in one_error_line(err, "predict")


def test_output_checked_before_the_model_is_loaded(capsys, tmp_path, no_tagging):
    code, _, err = run(capsys, "predict", "-o", tmp_path, REPORT)
    assert code == 2 and "is a directory" in one_error_line(err, "predict")


def test_preannotate_and_evaluate_check_outputs_first(capsys, tmp_path, no_tagging):
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "preannotate", "-o", tmp_path, REPORT)
    assert code == 2 and "is a directory" in one_error_line(err, "preannotate")
    code, _, err = run(capsys, "evaluate", "--rules", "--data", "unused.json", "-o", blocker)
    assert code == 2 and "not a directory" in one_error_line(err, "evaluate")


@pytest.mark.skipif(AS_ROOT, reason="root may write into read-only directories")
def test_a_read_only_directory_is_refused_before_tagging(capsys, tmp_path, no_tagging):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = run(capsys, "predict", "--rules", "-o", locked / "out.json", REPORT)
    finally:
        locked.chmod(0o755)
    assert code == 2 and "not writable" in one_error_line(err, "predict")


def test_a_read_only_output_file_is_refused(capsys, tmp_path, no_tagging):
    out = tmp_path / "out.json"
    out.write_text("keep", encoding="utf-8")
    out.chmod(0o444)
    code, _, err = run(capsys, "predict", "--rules", "-o", out, REPORT)
    assert code == 2 and "read-only" in one_error_line(err, "predict")
    assert out.read_text(encoding="utf-8") == "keep"


# ------------------------------------------------------------------ 4. incomplete model directory

@pytest.fixture
def weightless_model(tmp_path, tiny_model):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_bytes((tiny_model / "config.json").read_bytes())
    return model


def test_predict_with_a_model_without_weights_is_one_message(capsys, weightless_model):
    code, _, err = run(capsys, "predict", "--model", weightless_model, REPORT)
    assert code == 2
    line = one_error_line(err, "predict")
    assert str(weightless_model) in line and "no weights" in line


def test_evaluate_with_a_model_without_weights_is_one_message(capsys, weightless_model,
                                                              tiny_exports):
    _, dev = tiny_exports
    code, _, err = run(capsys, "evaluate", "--model", weightless_model, "--data", dev)
    assert code == 2 and "no weights" in one_error_line(err, "evaluate")


def test_jobs_with_a_model_without_weights_is_one_message(capsys, weightless_model):
    code, _, err = run(capsys, "predict", "--jobs", "2", "--model", weightless_model, REPORT)
    assert code == 2 and "no weights" in one_error_line(err, "predict")


# ------------------------------------------------------------------ 5. option ranges

@pytest.mark.parametrize("option, value", [("--stride", "-1"), ("--stride", "45"),
                                           ("--stride", "1000"), ("--batch-size", "0"),
                                           ("--jobs", "0")])
def test_predict_option_out_of_range_names_the_option(capsys, option, value, no_tagging,
                                                      tiny_model):
    code, _, err = run(capsys, "predict", "--model", tiny_model, option, value, REPORT)
    assert code == 2
    line = one_error_line(err, "predict")
    assert option in line and value in line


def test_stride_limit_comes_from_the_model(capsys, no_tagging, tiny_model):
    # the tiny model: 64-token windows, 16 context tokens -> 45 text tokens per window
    code, _, err = run(capsys, "predict", "--model", tiny_model, "--stride", "45", REPORT)
    assert code == 2 and "below 45" in one_error_line(err, "predict")


def test_evaluate_stride_out_of_range(capsys, tiny_exports, no_tagging):
    _, dev = tiny_exports
    code, _, err = run(capsys, "evaluate", "--stride", "-5", "--data", dev)
    assert code == 2 and "--stride" in one_error_line(err, "evaluate")


# ------------------------------------------------------------------ 7. interrupts and progress

def _interrupt(*_args, **_kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_in_predict_is_one_line_and_130(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(RuleTagger, "tag_many", _interrupt)
    out = tmp_path / "out.json"
    code, stdout, err = run(capsys, "predict", "--rules", "-o", out, REPORT)
    assert code == 130 and stdout == "" and err == "govtag predict: interrupted\n"
    assert not out.exists()


def test_ctrl_c_in_train_is_one_line_and_130(capsys, monkeypatch, tmp_path, tiny_exports):
    monkeypatch.setattr("govtag.training.train.train", _interrupt)
    config = write_train_config(tmp_path, *tiny_exports, tmp_path / "run")
    code, _, err = run(capsys, "train", config)
    assert code == 130 and err == "govtag train: interrupted\n"


def test_ctrl_c_in_evaluate_and_preannotate(capsys, monkeypatch, tmp_path, tiny_exports):
    monkeypatch.setattr(RuleTagger, "tag", _interrupt)
    monkeypatch.setattr(RuleTagger, "tag_many", _interrupt)
    code, _, err = run(capsys, "evaluate", "--rules", "--data", tiny_exports[1])
    assert code == 130 and err.endswith("govtag evaluate: interrupted\n")
    code, _, err = run(capsys, "preannotate", "-o", tmp_path / "t.json", REPORT)
    assert code == 130 and err == "govtag preannotate: interrupted\n"


@pytest.fixture(scope="module")
def default_tagger():
    """The shipped default model as ``load`` gives it."""
    return load()


@pytest.fixture(scope="module")
def window_tagger(tiny_model):
    """An encoder model, which tags reports in windows."""
    return Tagger.load(tiny_model, batch_size=4)


def long_report(repeats: int = 12) -> str:
    return pipeline_text("pipeline_xx_town") * repeats


def test_tagger_progress_counts_windows_on_stderr(capsys, window_tagger):
    window_tagger.progress = True
    try:
        window_tagger.tag(long_report())
    finally:
        window_tagger.progress = False
    err = capsys.readouterr().err
    assert "windows" in err and "window/s" in err
    counts = [(int(done), int(total)) for done, total in re.findall(r"(\d+)/(\d+) \[", err)]
    total = counts[-1][1]
    assert total > window_tagger.batch_size and counts[-1] == (total, total)


def test_tagger_is_quiet_without_progress(capsys, window_tagger):
    window_tagger.tag(long_report())
    assert capsys.readouterr().err == ""


def test_predict_shows_window_progress_with_verbose_only(capsys, tmp_path, tiny_model):
    report = tmp_path / "long.txt"
    report.write_text(long_report(), encoding="utf-8")
    code, _, quiet = run(capsys, "predict", "--model", tiny_model, "--batch-size", "4",
                         "-o", tmp_path / "a.json", report)
    assert code == 0 and "window" not in quiet
    code, _, loud = run(capsys, "-v", "predict", "--model", tiny_model, "--batch-size", "4",
                        "-o", tmp_path / "b.json", report)
    assert code == 0 and "window/s" in loud


def test_the_default_model_tags_quietly(capsys, tmp_path):
    code, out, err = run(capsys, "predict", "-o", tmp_path / "a.json", REPORT)
    assert (code, out, err) == (0, "", "")
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))[0]["sections"]


# ------------------------------------------------------------------ 8. train into a used run directory

@pytest.fixture
def used_run(tmp_path, tiny_exports):
    run_dir = tmp_path / "run"
    (run_dir / "model").mkdir(parents=True)
    (run_dir / "model" / "config.json").write_text("{}", encoding="utf-8")
    return write_train_config(tmp_path, *tiny_exports, run_dir), run_dir


def test_train_refuses_a_run_directory_holding_a_model(capsys, monkeypatch, used_run):
    monkeypatch.setattr("govtag.training.train.train", _interrupt)  # must not be reached
    config, run_dir = used_run
    code, _, err = run(capsys, "train", config)
    assert code == 2
    line = one_error_line(err, "train")
    assert "--overwrite" in line and "--resume" in line and str(run_dir / "model") in line
    assert (run_dir / "model" / "config.json").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("flag", ["--overwrite", "--resume"])
def test_train_into_a_used_run_directory_with_a_flag(capsys, monkeypatch, used_run, flag):
    calls = []

    def fake_train(config, resume=False, overwrite=False):
        calls.append((resume, overwrite))
        return Path(config.output) / "model"

    monkeypatch.setattr("govtag.training.train.train", fake_train)
    config, _ = used_run
    code, _, _ = run(capsys, "train", config, flag, "--no-eval")
    assert code == 0 and calls == [(flag == "--resume", flag == "--overwrite")]


def test_train_library_refuses_too(used_run):
    from govtag.training.config import load_config
    from govtag.training.train import train

    config, _ = used_run
    with pytest.raises(errors.OutputError, match="--overwrite"):
        train(load_config(config))


# ------------------------------------------------------------------ 9. export messages

def test_empty_export_as_evaluate_data_names_the_file(capsys, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--rules", "--data", empty)
    assert code == 2
    line = one_error_line(err, "evaluate")
    assert str(empty) in line and "no tasks" in line


@pytest.mark.parametrize("content, expected", [("[]", "no tasks"),
                                               ('{"data": {"text": "x"}}', "list of tasks")])
def test_bad_export_as_training_data_names_key_and_file(capsys, tmp_path, tiny_exports, content,
                                                        expected):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    config = write_train_config(tmp_path, bad, tiny_exports[1], tmp_path / "run")
    code, _, err = run(capsys, "train", config)
    assert code == 2
    line = one_error_line(err, "train")
    assert "data.train" in line and str(bad) in line and expected in line


# ------------------------------------------------------------------ 10. truncated reports

def test_truncated_utf8_report_is_tagged_with_a_warning(capsys, tmp_path):
    text = pipeline_text("pipeline_xx_town")
    report = tmp_path / "cut.txt"
    report.write_bytes(text.encode("utf-8") + "镇".encode("utf-8")[:2])
    code, out, err = run(capsys, "predict", "--rules", report)
    assert code == 0
    assert "cut.txt" in err and "last 2 byte(s) were dropped" in err
    (result,) = json.loads(out)
    assert result["sections"] and result["quantities"]
    assert all(q["text"] == text[q["start"]:q["end"]] for q in result["quantities"])


# ------------------------------------------------------------------ 11. offsets against the file

@pytest.fixture
def windows_report(tmp_path):
    """A report saved the Windows way: UTF-8 BOM and CRLF line ends."""
    text = pipeline_text("pipeline_xx_town")
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    return path, text


def _raw(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # BOM kept as U+FEFF, CRLF kept


def _parts(result: dict) -> list[dict]:
    return result["sections"] + result["quantities"]


def test_default_offsets_index_the_text(capsys, windows_report):
    path, text = windows_report
    code, out, _ = run(capsys, "predict", "--rules", "--format", "jsonl", path)
    assert code == 0
    (result,) = [json.loads(line) for line in out.splitlines()]
    assert result["offsets"] == "text"
    assert all(p["text"] == text[p["start"]:p["end"]] for p in _parts(result))


def test_file_offsets_index_the_file_as_it_is(capsys, windows_report):
    path, text = windows_report
    raw = _raw(path)
    code, out, _ = run(capsys, "predict", "--rules", "--offsets", "file", path)
    assert code == 0
    (result,) = json.loads(out)
    assert result["offsets"] == "file"
    parts = _parts(result)
    assert parts and all(p["text"] == raw[p["start"]:p["end"]] for p in parts)
    assert any(p["start"] != text.index(p["text"]) for p in parts), "offsets did not move"


def test_file_offsets_in_csv(capsys, windows_report):
    import csv
    import io

    path, _ = windows_report
    raw = _raw(path)
    code, out, _ = run(capsys, "predict", "--rules", "--offsets", "file", "--format", "csv", path)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {r["offsets"] for r in rows} == {"file"}
    assert all(r["text"] == raw[int(r["start"]):int(r["end"])] for r in rows)


def test_file_offsets_do_not_apply_to_label_studio_tasks(capsys, windows_report):
    code, _, err = run(capsys, "predict", "--rules", "--offsets", "file", "--format", "labelstudio",
                       windows_report[0])
    assert code == 2 and "--offsets" in one_error_line(err, "predict")


# ------------------------------------------------------------------ one error base, one handler

def test_every_govtag_error_class_derives_from_one_base():
    from govtag.training.config import ConfigError
    from govtag.core.labels import AnnotationError
    from govtag.core.labelstudio import ExportError
    from govtag.outputs.studio import StudioError
    from govtag.core.text import ReportReadError

    for cls in (ConfigError, AnnotationError, ExportError, StudioError, ReportReadError,
                errors.UsageError, errors.OutputError, errors.ModelError, errors.NotTextError,
                errors.InputError):
        assert issubclass(cls, errors.GovtagError), cls
    for cls in (ConfigError, AnnotationError, ExportError, ReportReadError):
        assert issubclass(cls, ValueError), "kept for callers that catch ValueError"


def test_verbose_shows_the_traceback_of_an_error(capsys, tmp_path):
    code, _, err = run(capsys, "-v", "predict", "--rules", "-o", tmp_path, REPORT)
    assert code == 2 and "Traceback" in err and "OutputError" in err
    assert err.strip().splitlines()[-1].startswith("govtag predict: error: ")


def test_a_bug_is_not_turned_into_a_message(capsys, monkeypatch):
    def bug(*_args, **_kwargs):
        raise ZeroDivisionError("a genuine bug")

    monkeypatch.setattr(RuleTagger, "tag_many", bug)
    with pytest.raises(ZeroDivisionError):
        main(["predict", "--rules", REPORT])


def test_ls_errors_go_through_the_same_handler(capsys, tmp_path):
    code, _, err = run(capsys, "ls", "select", "-1", REPORT)
    assert code == 2 and "N must be at least 0" in one_error_line(err, "ls select")
    code, _, err = run(capsys, "ls", "pull", "--project", "p", "-o", tmp_path)
    assert code == 2 and "is a directory" in one_error_line(err, "ls pull")


def test_file_errors_are_one_line(capsys, tmp_path):
    missing = tmp_path / "missing.yaml"
    code, _, err = run(capsys, "train", missing)
    assert code == 2 and "missing.yaml" in one_error_line(err, "train")


# ------------------------------------------------------------------ 2 and 10. tagger inputs

@pytest.mark.parametrize("make", [RuleTagger, "default"])
def test_tag_many_refuses_doc_ids_of_another_length(make, default_tagger):
    tagger = default_tagger if make == "default" else make()
    texts = [pipeline_text("pipeline_xx_town"), pipeline_text("pipeline_zz_street")]
    for doc_ids in (["a"], ["a", "b", "c"], []):
        with pytest.raises(errors.InputError, match="2 text.*doc_id"):
            tagger.tag_many(texts, doc_ids)
    assert [d.doc_id for d in tagger.tag_many(texts, ["a", "b"])] == ["a", "b"]


def test_parallel_tagger_refuses_doc_ids_of_another_length(tiny_model):
    with ParallelTagger(2, tiny_model) as tagger:
        with pytest.raises(errors.InputError, match="2 text.*1 doc_id"):
            tagger.tag_many(["一", "二"], ["a"])
        with pytest.raises(errors.NotTextError, match="expected str"):
            tagger.tag(None)


@pytest.mark.parametrize("make", [RuleTagger, "default"])
@pytest.mark.parametrize("value", [None, "报告".encode("utf-8"), 42])
def test_tag_refuses_what_is_not_text(make, value, default_tagger):
    tagger = default_tagger if make == "default" else make()
    with pytest.raises(errors.NotTextError, match="expected str") as caught:
        tagger.tag(value)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, errors.GovtagError)
    with pytest.raises(errors.NotTextError, match="expected str"):
        tagger.tag_many(["好", value])
    with pytest.raises(errors.NotTextError, match="single str"):
        tagger.tag_many("一段文字")
