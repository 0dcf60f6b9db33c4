"""Where govtag finds the model when none is named: the environment, else a checkout's
``models/default``, else a clear error."""

from pathlib import Path

import pytest

from govtag.run import model_run
from govtag.core.errors import ModelError


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(model_run.MODEL_ENV, raising=False)
    monkeypatch.delenv(model_run.OLDER_MODEL_ENV, raising=False)


def test_environment_names_the_model(no_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GOVTAG_MODEL", str(tmp_path))
    assert model_run.default_model_dir() == tmp_path


def test_older_environment_name_is_still_read(no_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GOVTAG_MODEL_DIR", str(tmp_path))
    assert model_run.default_model_dir() == tmp_path


def test_checkout_model_is_found(no_env, monkeypatch, tmp_path):
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", (Path("/nonexistent"), tmp_path))
    assert model_run.default_model_dir() == tmp_path


def test_no_model_anywhere_is_a_clear_error(no_env, monkeypatch, tmp_path):
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", (tmp_path / "models" / "default",))
    with pytest.raises(ModelError, match="GOVTAG_MODEL"):
        model_run.default_model_dir()


def test_shipped_model_records_the_base_by_name():
    import json

    config_path = Path(__file__).resolve().parents[1] / "models" / "default" / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    assert config["base_model"] == config["encoder"]["_name_or_path"] == "albert-tiny"


def test_a_models_folder_in_the_working_directory_is_not_the_default(no_env, monkeypatch, tmp_path):
    checkout = Path(__file__).resolve().parents[1] / "models" / "default"
    installed = tuple(d for d in model_run.CHECKOUT_MODEL_DIRS if d != checkout)  # no checkout around
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", installed)
    (tmp_path / "models" / "default").mkdir(parents=True)
    (tmp_path / "models" / "default" / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match="no model given.*--model DIR"):
        model_run.default_model_dir()
