"""``ModelRun``: which model a command runs and how, decided once from the options and handed to
the loaders as it is; a model without an encoder (the shipped default among them) gets nothing of
the runtime decided. Encoder models: the tiny model of the session."""

import dataclasses
import json

import pytest

from conftest import FIXTURES
from govtag.cli.main import main
from govtag.core.errors import ModelError, UsageError
from govtag.run import model_run, runtime
from govtag.run.model_run import ModelRun, default_model_dir
from govtag.run.parallel import ParallelTagger
from govtag.run.predict import Tagger

REPORT = str(FIXTURES / "basic_township.txt")


@pytest.fixture
def sentence_model(tmp_path):
    """A directory whose manifest says it has no encoder."""
    (tmp_path / "govtag.json").write_text(json.dumps(
        {"govtag_model": 1, "encoder": False, "sections": {"type": "token"},
         "quantities": {"type": "rules"}}), encoding="utf-8")
    return tmp_path


def counted(monkeypatch, module, name):
    """Count the calls of ``module.name`` (still made)."""
    calls = []
    real = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_the_options_are_decided_into_run_settings(tiny_model):
    run = ModelRun.of(tiny_model, device="cpu", stride="model", batch_size=4, jobs=3)
    assert run.model_dir == tiny_model and run.encoder and run.trained.stride == 16
    assert run.settings == runtime.RunSettings("cpu", True, run.trained.stride, 3, 4)
    assert run.for_reports(2).jobs == 2 and run.for_reports(0).jobs == 1
    assert run.with_jobs(1).settings.jobs == 1 and run.jobs == 3  # a new object each time
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.settings = None


def test_a_stride_that_does_not_fit_the_windows_is_refused_naming_the_option(tiny_model):
    # the tiny model: 64-token windows, 16 context tokens -> 45 text tokens per window
    with pytest.raises(UsageError, match=r"^--stride must be at least 0 and below 45 .* got 45$"):
        ModelRun.of(tiny_model, device="cpu", stride=45, option="--stride")
    with pytest.raises(UsageError, match=r"^stride must be at least 0 and below 45"):
        Tagger.load(tiny_model, stride=45, device="cpu")


def test_a_bad_stride_on_the_command_line_is_one_error_from_one_check(capsys, monkeypatch,
                                                                       no_tagging, tiny_model):
    checks = counted(monkeypatch, model_run, "check_stride")
    code = main(["predict", "--model", str(tiny_model), "--stride", "45", REPORT])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--stride must be at least 0 and below 45" in err
    assert len(checks) == 1


def test_predict_decides_the_model_and_its_settings_once(capsys, monkeypatch, tmp_path,
                                                         tiny_model):
    model_checks = counted(monkeypatch, model_run, "check_model_dir")
    resolutions = counted(monkeypatch, runtime, "resolve")
    code = main(["predict", "--model", str(tiny_model), "--jobs", "1", "--format", "jsonl",
                 "-o", str(tmp_path / "out.jsonl"), REPORT])
    assert code == 0, capsys.readouterr().err
    assert len(model_checks) == 1 and len(resolutions) == 1


def test_predict_with_the_shipped_model_checks_it_once_and_decides_no_runtime(capsys, monkeypatch,
                                                                              tmp_path):
    model_checks = counted(monkeypatch, model_run, "check_model_dir")
    resolutions = counted(monkeypatch, runtime, "resolve")
    code = main(["predict", "--jobs", "2", "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"),
                 REPORT])
    assert code == 0, capsys.readouterr().err
    assert [call[0] for call in model_checks] == [default_model_dir()] and resolutions == []
    assert not ModelRun.of(jobs=2).encoder


def test_a_model_without_an_encoder_gets_no_runtime_decided(sentence_model, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("runtime decided for a model without an encoder")

    monkeypatch.setattr(runtime, "resolve", refuse)
    run = ModelRun.of(sentence_model, device="cuda", stride=10**6, jobs=8)
    assert (run.model_dir, run.trained, run.settings) == (sentence_model, None, None)
    assert not run.encoder and run.jobs == 1 and run.for_reports(5) is run


def test_an_encoder_loader_refuses_a_model_without_an_encoder(sentence_model):
    with pytest.raises(ModelError, match="without an encoder"):
        Tagger.load(sentence_model)
    with pytest.raises(ModelError, match="without an encoder"):
        ParallelTagger(2, ModelRun.of(sentence_model))


def test_parallel_tagger_takes_a_run_or_options_not_both(tiny_model):
    with pytest.raises(UsageError, match="not both"):
        ParallelTagger(2, ModelRun.of(tiny_model, device="cpu"), stride=8)
