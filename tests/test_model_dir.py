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


def test_checkout_model_without_an_encoder_is_found_by_its_manifest(no_env, monkeypatch, tmp_path):
    (tmp_path / "govtag.json").write_text('{"encoder": false}', encoding="utf-8")
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", (Path("/nonexistent"), tmp_path))
    assert model_run.default_model_dir() == tmp_path


def test_the_shipped_model_is_the_default(no_env):
    shipped = Path(__file__).resolve().parents[1] / "models" / "default"
    assert model_run.default_model_dir() == shipped


def test_no_model_anywhere_is_a_clear_error(no_env, monkeypatch, tmp_path):
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", (tmp_path / "models" / "default",))
    with pytest.raises(ModelError, match="GOVTAG_MODEL"):
        model_run.default_model_dir()


def test_shipped_model_records_the_base_by_name():
    import json

    from govtag.models.bases import BASE_LICENCES, IMPORTED_BASES

    shipped = Path(__file__).resolve().parents[1] / "models" / "default"
    training = json.loads((shipped / "training.json").read_text(encoding="utf-8"))
    assert training["config"]["base_model"] == "e5-small-l4" and "e5-small-l4" in IMPORTED_BASES
    assert BASE_LICENCES["e5-small-l4"] in (shipped / "README.md").read_text(encoding="utf-8")
    encoder = json.loads((shipped / "sentence_encoder" / "config.json").read_text(encoding="utf-8"))
    # the lower 4 layers of multilingual-e5-small, and no path of the machine it was trained on
    assert (encoder["model_type"], encoder["num_hidden_layers"], encoder["hidden_size"]) == (
        "xlm-roberta", 4, 384)
    assert "/" not in encoder.get("_name_or_path", "")


def test_a_models_folder_in_the_working_directory_is_not_the_default(no_env, monkeypatch, tmp_path):
    checkout = Path(__file__).resolve().parents[1] / "models" / "default"
    installed = tuple(d for d in model_run.CHECKOUT_MODEL_DIRS if d != checkout)  # no checkout around
    monkeypatch.setattr(model_run, "CHECKOUT_MODEL_DIRS", installed)
    (tmp_path / "models" / "default").mkdir(parents=True)
    (tmp_path / "models" / "default" / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match="no model given.*--model DIR"):
        model_run.default_model_dir()
