"""Shared fixtures: offline Hugging Face, made-up reports, tiny Label Studio exports, tiny models.

The tiny models are trained once per test session (a few optimiser steps of ALBERT-tiny on two
made-up documents) and shared by the pipeline and CLI tests.
"""

import json
import os
from pathlib import Path

import pytest

# Set before any test module imports transformers / huggingface_hub (they read it at import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PIPELINE_TRAIN = ("pipeline_xx_town", "pipeline_yy_township")
PIPELINE_DEV = ("pipeline_zz_street",)


@pytest.fixture(autouse=True)
def _offline_hub(monkeypatch):
    """Every test runs with the hub switched off, whatever the caller's environment says."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture
def stand_in_bases(tmp_path, monkeypatch) -> Path:
    """Stand-ins for what ``govtag base import-e5`` writes (every imported short name), so configs
    naming an imported base load without converting one."""
    from govtag.models.bases import IMPORTED_BASES

    for name in IMPORTED_BASES:
        (tmp_path / "bases" / name).mkdir(parents=True)
        (tmp_path / "bases" / name / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("GOVTAG_BASES", str(tmp_path / "bases"))
    return tmp_path / "bases"


def pipeline_text(name: str) -> str:
    from govtag.core.text import read_report

    return read_report(FIXTURES / f"{name}.txt")


def write_silver_export(path: Path, names) -> Path:
    """A Label Studio export of the named fixture reports, annotated by the rule tagger."""
    from govtag.core.labelstudio import write_tasks
    from govtag.rules.tagger import tag_document

    docs = [tag_document(pipeline_text(name), name) for name in names]
    write_tasks(docs, path)
    return path


def write_train_config(directory: Path, train: Path, dev: Path, output: Path, *,
                       rule_features: bool = False, max_steps: int = 3, epochs: float = 1,
                       batch_size: int = 4, extra: str = "") -> Path:
    """A tiny YAML training config (ALBERT-tiny, 64-token windows)."""
    config = directory / f"{output.name}.yaml"
    config.write_text(
        f"""base_model: albert-tiny
section_head: token
rule_features: {str(rule_features).lower()}
output: {json.dumps(str(output))}
layers: [section, quantity]
data:
  train: {json.dumps(str(train))}
  dev: {json.dumps(str(dev))}
windows:
  length: 64
  stride: 16
  heading_context: true
  context_tokens: 16
training:
  epochs: {epochs}
  batch_size: {batch_size}
  learning_rate: 5.0e-4
  warmup_ratio: 0.0
  seed: 7
  max_steps: {max_steps}
{extra}""", encoding="utf-8")
    return config


@pytest.fixture(scope="session")
def tiny_exports(tmp_path_factory) -> tuple[Path, Path]:
    """(train.json, dev.json): two made-up reports to train on, a third as dev (silver labels)."""
    directory = tmp_path_factory.mktemp("exports")
    train = write_silver_export(directory / "train.json", PIPELINE_TRAIN)
    dev = write_silver_export(directory / "dev.json", PIPELINE_DEV)
    return train, dev


@pytest.fixture(scope="session")
def albert_tokenizer():
    from transformers import AutoTokenizer

    from govtag.training.config import resolve_base

    tokenizer = AutoTokenizer.from_pretrained(resolve_base("albert-tiny"))
    tokenizer.model_max_length = 10**9
    return tokenizer


def _train_tiny(tmp_path_factory, exports, name: str, **options) -> Path:
    from govtag.training.config import load_config
    from govtag.training.train import train

    directory = tmp_path_factory.mktemp(name)
    train_path, dev_path = exports
    config = write_train_config(directory, train_path, dev_path, directory / "run", **options)
    return train(load_config(config))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tiny_exports) -> Path:
    """Model directory of a plain tagger trained for 3 steps."""
    return _train_tiny(tmp_path_factory, tiny_exports, "tiny_model", max_steps=3)


@pytest.fixture(scope="session")
def rules_model(tmp_path_factory, tiny_exports) -> Path:
    """Model directory of a tagger with rule features, trained for 2 steps.

    Its heads start by voting for the rule tagger's tags, so it predicts real spans.
    """
    return _train_tiny(tmp_path_factory, tiny_exports, "rules_model", rule_features=True,
                       max_steps=2)


@pytest.fixture(scope="session")
def tiny_tagger(tiny_model):
    """The float model as trained (int8's activation scale depends on the batch it sees)."""
    from govtag.run.predict import Tagger

    return Tagger.load(tiny_model, batch_size=64, quantize=False, stride="model")


@pytest.fixture(scope="session")
def rules_tagger(rules_model):
    from govtag.run.predict import Tagger

    return Tagger.load(rules_model, batch_size=64)


def wait_for_workers(pid: int, count: int, timeout: float = 120) -> None:
    """Wait until process ``pid`` has ``count`` worker processes (and the resource tracker that
    the spawn start method adds beside them)."""
    import time

    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if children.exists() and len(children.read_text().split()) >= count + 1:
            return
        time.sleep(0.5)
    raise AssertionError("workers did not start")


@pytest.fixture
def no_tagging(monkeypatch):
    """Fail the test if any report gets tagged (checks must come before the work)."""
    from govtag.run.predict import RuleTagger

    def refuse(*_args, **_kwargs):
        raise AssertionError("tagging started before the checks")

    monkeypatch.setattr(RuleTagger, "tag_many", refuse)
    monkeypatch.setattr("govtag.run.predict.Tagger.load", refuse)
