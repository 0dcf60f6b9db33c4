"""A config that leaves a key out gets the shipped model's setting, and every key is type-checked,
optional ones too."""

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from govtag.training.config import ConfigError, load_config

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def data(tmp_path, stand_in_bases):
    task = [{"id": 1, "data": {"text": "新修道路5公里。", "doc_id": "t"}, "annotations": [{"result": []}]}]
    for name in ("train", "dev"):
        (tmp_path / f"{name}.json").write_text(json.dumps(task, ensure_ascii=False), encoding="utf-8")
    return {"data.train": str(tmp_path / "train.json"), "data.dev": str(tmp_path / "dev.json"),
            "output": str(tmp_path / "run")}


def settings(config) -> dict:
    """The settings of a config, without where its data and output are."""
    values = asdict(config)
    values.pop("data"), values.pop("output")
    return values


def test_a_config_with_only_data_gets_the_default_models_settings(tmp_path, data):
    minimal = tmp_path / "minimal.yaml"
    minimal.write_text("{}\n", encoding="utf-8")
    assert settings(load_config(minimal, data)) == settings(load_config(REPOSITORY / "configs/default.yaml", data))


def test_the_small_config_has_the_default_models_settings_but_epochs(data):
    small = settings(load_config(REPOSITORY / "configs/small.yaml", data))
    default = settings(load_config(REPOSITORY / "configs/default.yaml", data))
    assert small["sentence_encoder"].pop("epochs") == 0.5
    assert default["sentence_encoder"].pop("epochs") == 3
    assert small == default


@pytest.mark.parametrize("value", [5, 1.5, True, ["a.json"], {"path": "a.json"}])
def test_an_optional_path_must_be_a_string(tmp_path, data, value):
    path = tmp_path / "config.yaml"
    path.write_text(f"data:\n  silver: {json.dumps(value)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'data\.silver' must be a string"):
        load_config(path, data)


def test_an_optional_path_may_be_left_empty(tmp_path, data):
    path = tmp_path / "config.yaml"
    path.write_text("data:\n  silver: null\n", encoding="utf-8")
    assert load_config(path, data).data.silver is None
