"""Every kind of model directory (token tagger, baseline) through training again and the
commands that load one (``ls push``, ``ls select``), and what decides a report's confidence."""

import json

import numpy as np
import pytest

from govtag.training.config import ConfigError, load_config
from govtag.models.sentence_head import CLASSES
from test_sentence_head import _baseline_config, annotated


@pytest.fixture(scope="module")
def training_docs():
    return [annotated(i) for i in range(12)]


@pytest.fixture(scope="module")
def baseline_dir(tmp_path_factory, training_docs):
    from govtag.training.train import train

    directory = tmp_path_factory.mktemp("baseline")
    return train(load_config(_baseline_config(directory, training_docs)))


class Unsure:
    """A sentence classifier that gives every role the same probability."""

    classes = list(CLASSES)

    def probabilities(self, sentences):
        return np.full((len(sentences), len(CLASSES)), 1 / len(CLASSES), np.float32)


def test_overwriting_a_baseline_run_leaves_nothing_of_the_old_model(tmp_path, training_docs):
    from govtag.run.loading import load_predictor
    from govtag.training.train import train

    config = load_config(_baseline_config(tmp_path, training_docs))
    model_dir = tmp_path / "run" / "model"
    (model_dir / "sentence_encoder").mkdir(parents=True)
    for stale in ("config.json", "model.safetensors", "sentence_encoder/config.json"):
        (model_dir / stale).write_text("{}", encoding="utf-8")
    assert train(config, overwrite=True) == model_dir
    assert not (model_dir / "config.json").exists() and not (model_dir / "sentence_encoder").exists()
    assert not (model_dir / "model.safetensors").exists()
    assert type(load_predictor(model_dir)).__name__ == "SentenceTagger"


def test_resuming_a_baseline_says_there_is_nothing_to_resume(tmp_path, training_docs):
    from govtag.training.train import train

    config = load_config(_baseline_config(tmp_path, training_docs))
    with pytest.raises(ConfigError, match="--resume.*--overwrite"):
        train(config, resume=True)


def test_ls_select_takes_a_baseline_model(tmp_path, baseline_dir, capsys):
    from govtag.cli.main import main

    for index in (50, 51):
        (tmp_path / f"r{index}.txt").write_text(annotated(index).text, encoding="utf-8")
    out = tmp_path / "next.json"
    assert main(["ls", "select", "1", "--model", str(baseline_dir), "-o", str(out), str(tmp_path)]) == 0
    (picked,) = json.loads(out.read_text(encoding="utf-8"))
    assert picked["doc_id"] in ("r50", "r51") and 0 < picked["confidence"] <= 1


def test_ls_push_takes_a_baseline_model(tmp_path, baseline_dir, monkeypatch, capsys):
    from govtag.cli import ls_commands
    from govtag.cli.main import main
    from govtag.outputs.studio import PushResult

    pushed = {}

    def fake_push(client, project, docs, version):
        pushed.update(docs=docs, version=version)
        return PushResult(1, True, created=len(docs))

    monkeypatch.setattr(ls_commands, "connect", lambda *args, **kwargs: object())
    monkeypatch.setattr(ls_commands, "push", fake_push)
    (tmp_path / "r52.txt").write_text(annotated(52).text, encoding="utf-8")
    assert main(["ls", "push", "--project", "p", "--model", str(baseline_dir), str(tmp_path / "r52.txt")]) == 0
    assert [d.doc_id for d in pushed["docs"]] == ["r52"] and pushed["version"] == "model"
    assert pushed["docs"][0].spans


def test_confidence_comes_from_what_decides_the_sections(tiny_model):
    from govtag.run.sentence_tagger import BaselineTagger
    from govtag.run.predict import Tagger

    text = annotated(53).text
    tagger = Tagger.load(tiny_model, quantize=False)
    tagger.sentence_heads = [Unsure()]
    assert tagger.confidence(text) == pytest.approx(1 / len(CLASSES))
    assert BaselineTagger([Unsure()]).confidence(text) == pytest.approx(1 / len(CLASSES))


def test_token_head_confidence_is_a_mean_over_sentences(tiny_model):
    from govtag.models.decoding import section_confidence, sentence_role_probabilities
    from govtag.run.predict import Tagger

    text = annotated(54).text
    tagger = Tagger.load(tiny_model, quantize=False)
    probabilities = sentence_role_probabilities(text, tagger.token_probs([text])[0])
    assert probabilities.shape[0] == text.count("。") + 3  # the three headings are sentences too
    np.testing.assert_allclose(probabilities.sum(1), 1, atol=1e-5)
    assert tagger.confidence(text) == pytest.approx(section_confidence(probabilities))
