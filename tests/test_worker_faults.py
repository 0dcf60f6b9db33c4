"""Worker processes and damaged models: workers end with govtag however it ends (SIGTERM,
``kill -9``), and a model directory that cannot be used is one line naming the file, exit 2,
with ``--jobs`` as without. Workers and token model weights are an encoder model's (the tiny
model of the session); the shipped default's own files are damaged too."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, pipeline_text, wait_for_workers
from govtag.cli.main import main
from govtag.run.predict import default_model_dir

REPORTS = [str(FIXTURES / "pipeline_xx_town.txt"), str(FIXTURES / "basic_township.txt")]
SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("govtag predict: error: "), err
    return lines[0]


@pytest.fixture
def model_copy(tmp_path, tiny_model) -> Path:
    """A copy of an encoder model, to damage."""
    return Path(shutil.copytree(tiny_model, tmp_path / "model"))


@pytest.fixture
def shipped_copy(tmp_path) -> Path:
    """A copy of the shipped model, to damage."""
    return Path(shutil.copytree(default_model_dir(), tmp_path / "shipped"))


def truncate(path: Path, keep: int) -> Path:
    path.write_bytes(path.read_bytes()[:keep])
    return path


# ------------------------------------------------------------------ damaged model directories

@pytest.mark.parametrize("keep", [1_000_000, 0])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_truncated_or_empty_weights_file_is_one_line_naming_it(capsys, model_copy, keep, jobs):
    weights = truncate(model_copy / "model.safetensors", keep)
    code, out, err = run(capsys, "predict", "--jobs", jobs, "--model", model_copy, *REPORTS)
    assert code == 2 and out == ""
    assert str(weights) in one_error_line(err)


@pytest.mark.parametrize("name, keep", [("sentence_head.safetensors", 5000),
                                        ("sentence_encoder/model.safetensors", 1_000_000),
                                        ("sentence_encoder/model.safetensors", 0)])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_damaged_weights_file_of_the_shipped_model_is_one_line_naming_it(capsys, shipped_copy,
                                                                          name, keep, jobs):
    weights = truncate(shipped_copy / name, keep)
    code, out, err = run(capsys, "predict", "--jobs", jobs, "--model", shipped_copy, *REPORTS)
    assert code == 2 and out == ""
    assert str(weights) in one_error_line(err)


def test_a_shipped_model_without_its_sentence_encoder_weights_is_one_line(capsys, shipped_copy):
    (shipped_copy / "sentence_encoder" / "model.safetensors").unlink()
    code, _, err = run(capsys, "predict", "--model", shipped_copy, REPORTS[0])
    line = one_error_line(err)
    assert code == 2 and str(shipped_copy / "sentence_encoder") in line and "no weights" in line


@pytest.mark.parametrize("name", ["tokenizer.json", "config.json"])
def test_a_shipped_model_whose_encoder_cannot_load_is_one_line(capsys, shipped_copy, name):
    (shipped_copy / "sentence_encoder" / name).write_text("not json", encoding="utf-8")
    code, _, err = run(capsys, "predict", "--model", shipped_copy, REPORTS[0])
    line = one_error_line(err)
    assert code == 2 and str(shipped_copy) in line and "cannot load the section model" in line


def test_a_plain_hugging_face_model_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "bert"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert", "hidden_size": 8}', encoding="utf-8")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")
    code, _, err = run(capsys, "predict", "--model", folder, REPORTS[0])
    line = one_error_line(err)
    assert code == 2 and "config.json" in line and "not a govtag model" in line


def test_a_missing_model_directory_says_so(capsys, tmp_path):
    code, _, err = run(capsys, "predict", "--model", tmp_path / "nonexistent", REPORTS[0])
    line = one_error_line(err)
    assert code == 2 and "no such model directory" in line and "config.json" not in line


def test_a_model_the_workers_cannot_load_is_one_line_not_lost_reports(capsys, model_copy):
    (model_copy / "tokenizer.json").write_text("not a tokenizer", encoding="utf-8")
    code, _, err = run(capsys, "predict", "--jobs", "2", "--model", model_copy, *REPORTS)
    line = one_error_line(err)
    assert code == 2 and str(model_copy) in line and "cannot load the model" in line
    assert "worker process died" not in line


# ------------------------------------------------------------------ workers end with govtag

def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True





def start_predict(tmp_path, model: Path) -> tuple[subprocess.Popen, Path]:
    """``govtag predict --jobs 2`` with the encoder ``model`` on long reports, in a session of
    its own, once its workers are up; (the process, its output file)."""
    reports = []
    for name in "abcd":  # long enough that a signal lands while the workers tag
        reports.append(tmp_path / f"{name}.txt")
        reports[-1].write_text(pipeline_text("pipeline_xx_town") * 200, encoding="utf-8")
    out = tmp_path / "out.json"
    process = subprocess.Popen([sys.executable, "-m", "govtag.cli", "predict", "--jobs", "2",
                                "--model", str(model), "-o", str(out), *map(str, reports)],
                               stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": SRC},
                               start_new_session=True)
    wait_for_workers(process.pid, 2)
    time.sleep(3)
    return process, out


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_no_worker_outlives_a_killed_predict(tmp_path, tiny_model, sig):
    process, out = start_predict(tmp_path, tiny_model)
    try:
        os.kill(process.pid, sig)  # the main process only, as a supervisor or the OOM killer does
        _, err = process.communicate(timeout=120)
        deadline = time.time() + 30
        while group_alive(process.pid) and time.time() < deadline:
            time.sleep(0.5)
        assert not group_alive(process.pid), "a worker outlived govtag"
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert process.returncode == 143 and "Traceback" not in err
        assert err.strip().splitlines()[-1] == "govtag predict: terminated"


@pytest.mark.slow
def test_a_second_ctrl_c_does_not_break_the_exit(tmp_path, tiny_model):
    process, out = start_predict(tmp_path, tiny_model)
    try:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, and again while govtag stops
        time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    assert (process.returncode, err) == (130, "govtag predict: interrupted\n")
    assert not out.exists()


# ------------------------------------------------------------------ more jobs than cores

def test_more_jobs_than_cores_is_cut_down_with_a_warning(capsys, monkeypatch, tmp_path,
                                                         tiny_model):
    from govtag.run import loading
    from govtag.run import predict
    from govtag.run import runtime

    started = []

    def fake_predictor(run):
        started.append(run.jobs)
        return predict.RuleTagger()

    monkeypatch.setattr(runtime, "available_cores", lambda: 2)
    monkeypatch.setattr(loading, "load_run", fake_predictor)
    reports = []
    for name in "abcd":
        reports.append(tmp_path / f"{name}.txt")
        reports[-1].write_text(pipeline_text("basic_township"), encoding="utf-8")
    code, _, err = run(capsys, "predict", "--jobs", "10", "--model", tiny_model, "--format",
                       "jsonl", *reports)
    assert code == 0 and started == [2]
    assert "--jobs 10 is more than the 2 available core(s); using 2" in err
