"""Tests for govtag.training.config: YAML training configs and their error messages."""

import json
import textwrap

import pytest

from govtag.training.config import Config, ConfigError, load_config


@pytest.fixture
def setup(tmp_path):
    """A tmp dir with fake train/dev exports and a fake base-model directory."""
    task = {"id": 1, "data": {"text": "xx镇20__年完成產值１２億元。", "doc_id": "t"},
            "annotations": [{"result": []}]}
    for name in ("train.json", "dev.json", "silver.json"):
        (tmp_path / name).write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "base").mkdir()
    return tmp_path


def _config(tmp_path, body: str | None = None, **replace):
    base = f"""\
        base_model: {tmp_path / 'base'}
        output: {tmp_path / 'run'}
        layers: [section, quantity]
        data:
          train: {tmp_path / 'train.json'}
          dev: {tmp_path / 'dev.json'}
        windows:
          length: 256
          stride: 64
          heading_context: true
          context_tokens: 32
        training:
          epochs: 2
          batch_size: 16
          learning_rate: 3.0e-4
          seed: 42
        """
    text = textwrap.dedent(base) if body is None else textwrap.dedent(body)
    for old, new in replace.items():
        old = old.replace("__", ": ")
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_loads(setup):
    config = load_config(_config(setup))
    assert isinstance(config, Config)
    assert config.base_model == str(setup / "base")
    assert config.layers == ["section", "quantity"]
    assert config.data.train == str(setup / "train.json") and config.data.silver is None
    assert config.windows.length == 256 and config.windows.heading_context is True
    assert config.training.epochs == 2 and config.training.learning_rate == pytest.approx(3e-4)
    assert config.training.batch_size == 16 and isinstance(config.training.batch_size, int)
    assert config.training.weight_decay == 0.01  # default kept


def test_minimal_config_uses_defaults(setup):
    path = _config(setup, f"""\
        base_model: {setup / 'base'}
        data:
          train: {setup / 'train.json'}
          dev: {setup / 'dev.json'}
        """)
    config = load_config(path)
    assert config.layers == ["section", "quantity"]
    assert config.windows.length == 256 and config.training.seed == 42


def test_fractional_epochs_and_exponent_learning_rate(setup):
    path = _config(setup, **{"epochs: 2": "epochs: 0.5", "learning_rate: 3.0e-4": "learning_rate: 2e-4"})
    config = load_config(path)
    assert config.training.epochs == 0.5
    assert config.training.learning_rate == pytest.approx(2e-4)


def test_unknown_top_level_key_has_did_you_mean(setup):
    path = _config(setup, **{"training:": "trainig:"})
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "'trainig'" in str(err.value) and "did you mean 'training'" in str(err.value)


def test_unknown_nested_key_has_did_you_mean(setup):
    path = _config(setup, **{"learning_rate:": "learnig_rate:"})
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "'training.learnig_rate'" in message and "did you mean 'training.learning_rate'" in message


def test_unknown_key_without_close_match_lists_known(setup):
    path = _config(setup, **{"seed: 42": "seed: 42\n  zzz: 1"})
    with pytest.raises(ConfigError, match="training.zzz.*known: .*epochs"):
        load_config(path)


@pytest.mark.parametrize("key", ["train", "dev"])
def test_missing_data_file_names_key_and_path(setup, key):
    (setup / f"{key}.json").unlink()
    with pytest.raises(ConfigError) as err:
        load_config(_config(setup))
    assert f"'data.{key}'" in str(err.value) and str(setup / f"{key}.json") in str(err.value)


def test_missing_silver_file_is_an_error_but_silver_is_optional(setup):
    assert load_config(_config(setup)).data.silver is None
    path = _config(setup, **{"  dev: ": f"  silver: {setup / 'nope.json'}\n  dev: "})
    with pytest.raises(ConfigError, match="data.silver.*nope.json"):
        load_config(path)


def test_required_data_key(setup):
    path = _config(setup, f"""\
        base_model: {setup / 'base'}
        data:
          dev: {setup / 'dev.json'}
        """)
    with pytest.raises(ConfigError, match="'data.train' is required"):
        load_config(path)


@pytest.mark.parametrize("old, new, key", [
    ("epochs: 2", 'epochs: "many"', "training.epochs"),
    ("batch_size: 16", "batch_size: 2.5", "training.batch_size"),
    ("batch_size: 16", "batch_size: true", "training.batch_size"),
    ("heading_context: true", "heading_context: 3", "windows.heading_context"),
    ("learning_rate: 3.0e-4", "learning_rate: .nan", "training.learning_rate"),
    ("learning_rate: 3.0e-4", "learning_rate: [1, 2]", "training.learning_rate"),
    ("windows:\n  length: 256\n  stride: 64\n  heading_context: true\n  context_tokens: 32",
     "windows: 256", "windows"),
])
def test_bad_value_type_names_the_key(setup, old, new, key):
    path = _config(setup, **{old: new})
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_config(path)


def test_base_model_must_be_a_string(setup):
    path = _config(setup, **{f"base_model: {setup / 'base'}": "base_model: 12"})
    with pytest.raises(ConfigError, match="base_model"):
        load_config(path)


@pytest.mark.parametrize("old, new, key", [
    ("length: 256", "length: 4096", "windows.length"),
    ("length: 256", "length: 8", "windows.length"),
    ("stride: 64", "stride: 200", "windows.stride"),
    ("context_tokens: 32", "context_tokens: -1", "windows.context_tokens"),
    ("epochs: 2", "epochs: 0", "training.epochs"),
    ("batch_size: 16", "batch_size: 0", "training.batch_size"),
    ("learning_rate: 3.0e-4", "learning_rate: 5", "training.learning_rate"),
])
def test_out_of_range_value_names_the_key(setup, old, new, key):
    path = _config(setup, **{old: new})
    with pytest.raises(ConfigError, match=f"'{key}' must be at least"):
        load_config(path)


@pytest.mark.parametrize("layers", ["[section, topic]", "[]", "[Section]"])
def test_unknown_layer(setup, layers):
    path = _config(setup, **{"layers: [section, quantity]": f"layers: {layers}"})
    with pytest.raises(ConfigError, match="'layers'"):
        load_config(path)


def test_one_layer_is_fine(setup):
    path = _config(setup, **{"layers: [section, quantity]": "layers: [quantity]"})
    assert load_config(path).layers == ["quantity"]


def test_invalid_yaml(setup):
    path = setup / "broken.yaml"
    path.write_text("training:\n  epochs: [2\n  seed: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.yaml.*not valid YAML"):
        load_config(path)


def test_yaml_that_is_not_a_mapping(setup):
    path = setup / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(path)


def test_missing_config_file(setup):
    with pytest.raises(ConfigError, match="absent.yaml"):
        load_config(setup / "absent.yaml")


def test_unknown_base_model(setup):
    path = _config(setup, **{f"base_model: {setup / 'base'}": "base_model: no-such-model"})
    with pytest.raises(ConfigError, match="base_model 'no-such-model'"):
        load_config(path)


def test_overrides_via_dotted_keys(setup):
    config = load_config(_config(setup), {
        "training.epochs": 3,
        "training.learning_rate": "1e-3",  # as yaml.safe_load gives it from --set
        "windows.length": 128,
        "windows.stride": 32,
        "data.silver": str(setup / "silver.json"),
        "output": str(setup / "other"),
    })
    assert config.training.epochs == 3
    assert config.training.learning_rate == pytest.approx(1e-3)
    assert config.windows.length == 128 and config.windows.stride == 32
    assert config.data.silver == str(setup / "silver.json")
    assert config.output == str(setup / "other")
    assert config.training.batch_size == 16  # untouched


def test_overrides_are_validated(setup):
    with pytest.raises(ConfigError, match="did you mean 'training.epochs'"):
        load_config(_config(setup), {"training.epoch": 3})
    with pytest.raises(ConfigError, match="'windows.length' must be at least"):
        load_config(_config(setup), {"windows.length": 4096})
    with pytest.raises(ConfigError, match="'training.seed' must be a number"):
        load_config(_config(setup), {"training.seed": "abc"})


def test_rule_layers_default_to_both_heads_and_can_name_one(setup):
    assert load_config(_config(setup)).rule_layers == ["section", "quantity"]
    path = _config(setup, **{"layers: [section, quantity]":
                             "layers: [section, quantity]\nrule_layers: [quantity]\nexperimental: true"})
    assert load_config(path).rule_layers == ["quantity"]


@pytest.mark.parametrize("key, line", [
    ("rule_layers", "rule_layers: [quantity]"),
    ("sentence_head.heading_weight", "sentence_head: {heading_weight: 0.5}"),
    ("sentence_head.position_weight", "sentence_head: {position_weight: 0.5}"),
    ("training.rule_noise", "rule_features: true\nexperimental: false\ntraining: {rule_noise: 0.1}"),
])
def test_options_whose_experiment_lost_need_experimental(setup, key, line):
    text = _config(setup).read_text(encoding="utf-8")
    if "training:" in line:
        text = text[:text.index("training:")]
    path = setup / "fenced.yaml"
    path.write_text(text + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"'{key}' is an option whose experiment lost.*experimental: true"):
        load_config(path)
    path.write_text(text + line.replace("experimental: false", "") + "\nexperimental: true\n", encoding="utf-8")
    load_config(path)


@pytest.mark.parametrize("layers", ["[sections]", "[]", "quantity"])
def test_bad_rule_layers_name_the_key(setup, layers):
    path = _config(setup, **{"layers: [section, quantity]":
                             f"layers: [section, quantity]\nrule_layers: {layers}"})
    with pytest.raises(ConfigError, match="'rule_layers'"):
        load_config(path)


def test_rule_noise_needs_rule_features_on_the_section_head(setup):
    with_noise = {"seed: 42": "seed: 42\n  rule_noise: 0.3", "output:": "experimental: true\noutput:"}
    without_rules = {"layers: [section, quantity]": "layers: [section, quantity]\nrule_features: false"}
    with pytest.raises(ConfigError, match="'training.rule_noise' needs rule_features"):
        load_config(_config(setup, **with_noise, **without_rules))
    path = _config(setup, **with_noise, **{"layers: [section, quantity]":
                                          "layers: [section, quantity]\nrule_features: true"})
    assert load_config(path).training.rule_noise == pytest.approx(0.3)
    path = _config(setup, **{"seed: 42": "seed: 42\n  rule_noise: 1.5"})
    with pytest.raises(ConfigError, match="'training.rule_noise' must be at least 0.0 and at most 1.0"):
        load_config(path)


def test_windows_section_is_the_window_settings_with_help_on_each_field(setup):
    from dataclasses import fields

    from govtag.models.encoding import WindowSettings

    config = load_config(_config(setup))
    assert isinstance(config.windows, WindowSettings)
    assert all(f.metadata.get("help") for f in fields(WindowSettings))
    with pytest.raises(ConfigError, match="unknown config key 'windows.rule_features'"):
        load_config(_config(setup), {"windows.rule_features": True})


def test_window_settings_go_to_the_saved_config_and_back():
    from govtag.models.encoding import WindowSettings
    from govtag.models.model import GovtagConfig, window_fields, window_settings

    settings = WindowSettings(128, 16, False, 8, True)
    saved = window_fields(settings)
    assert saved["window_length"] == 128 and saved["rule_features"] is True
    assert window_settings(GovtagConfig(**saved)) == settings
    older = GovtagConfig(window_length=200, stride=50)  # a config.json from before rule features
    assert window_settings(older) == WindowSettings(200, 50)


REPOSITORY = __import__("pathlib").Path(__file__).resolve().parents[1]
SHIPPED_CONFIGS = sorted(p.relative_to(REPOSITORY) for folder in ("configs", "experiments")
                         for p in (REPOSITORY / folder).rglob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED_CONFIGS, ids=str)
def test_every_shipped_config_loads(path, tmp_path, monkeypatch, stand_in_bases):
    """A key misspelt or out of range in a shipped config is caught here, not by a user; the
    data files are replaced by stand-ins so the check does not need ../shared."""
    import yaml

    raw = yaml.safe_load((REPOSITORY / path).read_text(encoding="utf-8"))
    monkeypatch.chdir(REPOSITORY)
    task = [{"id": 1, "data": {"text": "新修道路5公里。", "doc_id": "t"}, "annotations": [{"result": []}]}]
    overrides = {"output": str(tmp_path / "run")}
    for key in ("train", "dev", "silver"):
        if raw.get("data", {}).get(key):
            stand_in = tmp_path / f"{key}.json"
            stand_in.write_text(json.dumps(task), encoding="utf-8")
            overrides[f"data.{key}"] = str(stand_in)
    try:
        config = load_config(REPOSITORY / path, overrides)
    except ConfigError as err:
        if "needs the package" in str(err):  # m3e-small: WITH_M3E=1 scripts/setup.sh
            pytest.skip(str(err))
        raise
    assert isinstance(config, Config) and config.output == str(tmp_path / "run")
