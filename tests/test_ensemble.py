"""The ensemble section model: the mean of its parts, the encoder only on sentences the head is
unsure of when ``confident`` is below 1, its setting saved, checked in configs."""

import json

import numpy as np
import pytest

from govtag.models.ensemble import SETTINGS_FILE, Ensemble
from govtag.models.sentence_head import CLASSES
from govtag.models.settings import EnsembleSettings
from govtag.training.config import ConfigError, load_config


class Fixed:
    """A stand-in section model: given probabilities per sentence (by text), and who it read."""

    def __init__(self, table: dict[str, list[float]]):
        self.classes, self.table, self.read = list(CLASSES), table, []

    def probabilities(self, sentences):
        self.read.append([s for s in sentences])
        return np.array([self.table[s] for s in sentences], np.float32)


HEAD = {"sure": [0.0, 0.95, 0.03, 0.02], "unsure": [0.0, 0.5, 0.4, 0.1]}
ENCODER = {"sure": [0.0, 0.1, 0.8, 0.1], "unsure": [0.0, 0.1, 0.8, 0.1]}


@pytest.mark.parametrize("confident, read, expected", [
    (1.0, ["sure", "unsure"], [[0.0, 0.525, 0.415, 0.06], [0.0, 0.3, 0.6, 0.1]]),
    (0.9, ["unsure"], [HEAD["sure"], [0.0, 0.3, 0.6, 0.1]]),
    (0.3, [], [HEAD["sure"], HEAD["unsure"]]),
])
def test_the_encoder_reads_only_what_the_head_is_unsure_of(confident, read, expected):
    assert len(CLASSES) == 4  # O and the three roles, in the order of the tables above
    head, encoder = Fixed(HEAD), Fixed(ENCODER)
    ensemble = Ensemble([head, encoder], settings=EnsembleSettings(confident=confident))
    probabilities = ensemble.probabilities(["sure", "unsure"])
    np.testing.assert_allclose(probabilities, expected, atol=1e-6)
    assert (encoder.read[0] if encoder.read else []) == read


def test_the_setting_is_saved_and_an_older_directory_reads_every_sentence(tmp_path, monkeypatch):
    from govtag.models import ensemble as module

    monkeypatch.setattr(module.SentenceHead, "load", classmethod(lambda cls, d: Fixed(HEAD)))
    monkeypatch.setattr(module.SentenceEncoder, "load", classmethod(lambda cls, d: Fixed(ENCODER)))
    Ensemble([], settings=EnsembleSettings(confident=0.8)).save(tmp_path)
    assert json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8")) == {"confident": 0.8}
    assert Ensemble.load(tmp_path).settings.confident == 0.8
    (tmp_path / SETTINGS_FILE).unlink()
    assert Ensemble.load(tmp_path).settings.confident == 1.0


def config_with_sections(directory, block: str):
    """A config naming ``block`` as its sections, with a one-task export as train and dev."""
    task = [{"id": 1, "data": {"text": "新修道路5公里。", "doc_id": "t"}, "annotations": [{"result": []}]}]
    (directory / "gold.json").write_text(json.dumps(task, ensure_ascii=False), encoding="utf-8")
    config = directory / "config.yaml"
    config.write_text(f"base_model: e5-small-l4\nsections: {block}\nquantities: {{type: rules}}\n"
                      f"data: {{train: {directory / 'gold.json'}, dev: {directory / 'gold.json'}}}\n",
                      encoding="utf-8")
    return config


@pytest.mark.parametrize("block, message", [
    ("{type: ensemble, confident: 1.5}", r"'sections.confident' must be"),
    ("{type: ensemble, confident: often}", r"'sections.confident' must be a number"),
    ("{type: ensemble, confidence: 0.9}", r"unknown config key 'sections.confidence'"),
])
def test_an_ensemble_option_is_checked(tmp_path, stand_in_bases, block, message):
    with pytest.raises(ConfigError, match=message):
        load_config(config_with_sections(tmp_path, block))


def test_an_ensemble_block_gets_every_setting(tmp_path, stand_in_bases):
    config = config_with_sections(tmp_path, "{type: ensemble, confident: 0.9}")
    assert load_config(config).sections == {"type": "ensemble", "confident": 0.9}
