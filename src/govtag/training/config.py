"""Training configs: YAML files validated into dataclasses, with errors that name the bad key.

A config names the base encoder, the data, the label layers, windowing, optimiser, epochs, seed
and output directory. Unknown or misspelt keys, missing files and out-of-range values stop with a
``ConfigError`` before any work starts. Relative paths are taken from the working directory.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml

from govtag.models.bases import OFFLINE_BASES, resolve_base  # noqa: F401  (part of this module's interface)
from govtag.core.components import QUANTITY_MODELS, SECTION_MODELS
from govtag.models.encoding import WindowSettings
from govtag.core.errors import ConfigError, UsageError
from govtag.core.labels import LAYERS, QUANTITY, SECTION
from govtag.models.settings import EncoderSettings, EnsembleSettings, HeadSettings, LayerSettings


@dataclass
class DataConfig:
    """The ``data`` section: Label Studio exports to train and pick the model on, and optional silver data."""

    train: str = ""
    dev: str = ""
    silver: str | None = None


@dataclass
class TrainingConfig:
    """The ``training`` section: optimiser, schedule, epochs, seed and rule-tag noise."""

    epochs: float = 3.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 42
    max_steps: int = -1
    rule_noise: float = 0.0  # share of the rule tagger's section runs replaced by another role in training


KINDS = ("tagger", "baseline")  # older configs: ``kind`` and ``section_head`` name the components
SECTION_HEADS = ("token", "sentence", "ensemble")
LEGACY_SECTIONS = {"token": "token", "sentence": "sentence_head", "ensemble": "ensemble"}


@dataclass
class Config:
    """A whole training config, one attribute per top-level YAML key; a key left out takes the
    value ``configs/default.yaml`` gives it (the shipped model's settings)."""

    # the section model: token (the encoder's token head, votes per sentence) or a registered
    # type (sentence_head, sentence_encoder, ensemble, ...), other keys being its options
    sections: dict = field(default_factory=lambda: {"type": "ensemble", "confident": 0.8})
    # the quantity model: token (the encoder's token head), rules, or candidates (the learned
    # layer, govtag.models.quantity_layer, its settings as other keys; rule_labels left to the rules)
    quantities: dict = field(default_factory=lambda: {"type": "rules"})
    kind: str | None = None  # older configs: tagger or baseline (read into sections and quantities)
    section_head: str | None = None  # older configs: token, sentence or ensemble
    base_model: str = "e5-small-l4"
    rule_features: bool = True  # give the heads the rule tagger's tags as extra features
    rule_layers: list[str] = field(default_factory=lambda: list(LAYERS))  # heads that get them
    output: str = "runs/default"
    experimental: bool = False  # allow the options whose experiment lost (EXPERIMENT_OPTIONS)
    layers: list[str] = field(default_factory=lambda: list(LAYERS))
    data: DataConfig = field(default_factory=DataConfig)
    windows: WindowSettings = field(default_factory=WindowSettings)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    sentence_head: HeadSettings = field(default_factory=HeadSettings)
    sentence_encoder: EncoderSettings = field(default_factory=EncoderSettings)


_SECTIONS = {"data": DataConfig, "windows": WindowSettings, "training": TrainingConfig,
             "sentence_head": HeadSettings, "sentence_encoder": EncoderSettings}


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
    _read_legacy_components(raw)
    config = _build(Config, raw, "")
    check_config(config)
    return config


def parse_overrides(items: list[str]) -> dict:
    """``KEY=VALUE`` items (``--set``) as dotted keys and YAML values."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--set needs KEY=VALUE, got {item!r}")
        try:
            overrides[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as err:
            raise UsageError(f"--set {item!r}: not a YAML value ({err})") from err
    return overrides


def _read_legacy_components(raw: dict) -> None:
    """``kind`` and ``section_head`` of older configs as ``sections`` and ``quantities``."""
    if "kind" not in raw and "section_head" not in raw:
        return
    if "sections" in raw or ("quantities" in raw and "kind" in raw):
        raise ConfigError("give either 'sections' and 'quantities' or the older 'kind' and "
                          "'section_head', not both")
    kind, head = raw.get("kind", "tagger"), raw.get("section_head", "sentence")
    for key, value, allowed in (("kind", kind, KINDS), ("section_head", head, SECTION_HEADS)):
        if value not in allowed:
            raise ConfigError(f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
    sections = LEGACY_SECTIONS[head]
    if kind == "baseline" and sections == "token":
        sections = "sentence_head"  # a baseline has no token head
    raw["sections"] = {"type": sections}
    raw.setdefault("quantities", {"type": "token" if kind == "tagger" else "rules"})


def needs_encoder(config: Config) -> bool:
    """Whether the run trains an encoder: a component of ``config`` is its token head, or the
    learned quantity layer that sits beside it."""
    # the learned quantity layer (candidates) is saved beside a token model, as the shipped one
    return config.sections["type"] == "token" or config.quantities["type"] in ("token", "candidates")


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
    if default is None and spec.default is None:  # an optional key: ``str | None`` and the like
        if value is None:
            return None
        kind = OPTIONAL_TYPES.get(str(spec.type).replace(" ", ""))
        return _coerce(name, _Typed(kind()), value) if kind else value
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


OPTIONAL_TYPES = {f"{kind.__name__}|None": kind for kind in (str, int, float, bool)}


class _Typed:
    """A stand-in field whose default gives an optional key's type to ``_coerce``."""

    def __init__(self, default):
        self.default, self.default_factory = default, None


# Options whose experiment lost (docs/RESULTS.md), with the value that leaves them off: a config
# sets another value only with ``experimental: true``.
EXPERIMENT_OPTIONS = {"training.rule_noise": 0.0, "sentence_head.heading_weight": 0.0,
                      "sentence_head.position_weight": 0.0, "rule_layers": list(LAYERS)}


def check_experiment_options(config: Config) -> None:
    """``ConfigError`` naming an option whose experiment lost, unless ``experimental: true``."""
    for dotted, off in EXPERIMENT_OPTIONS.items():
        value = config
        for part in dotted.split("."):
            value = getattr(value, part)
        if value != off and not config.experimental:
            raise ConfigError(f"'{dotted}' is an option whose experiment lost (docs/RESULTS.md); "
                              f"leave it out, or give 'experimental: true' to use it anyway")


def check_config(config: Config) -> None:
    """Value checks that need more than a type: ranges, known layers, existing files."""
    _default_type(config, "quantities")
    for key, registry in (("sections", SECTION_MODELS), ("quantities", QUANTITY_MODELS)):
        _check_component(key, getattr(config, key), registry)
    config.quantities = _checked_quantities(config.quantities)
    config.sections = _checked_sections(config.sections)
    _check_head(config.sentence_head)
    _check_encoder(config.sentence_encoder)
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
    if needs_encoder(config) or config.sections["type"] in ("ensemble", "sentence_encoder"):
        resolve_base(config.base_model)
    check_experiment_options(config)


# the settings a quantity model type takes as the other keys of ``quantities`` (none: no keys)
QUANTITY_OPTIONS = {"candidates": LayerSettings}


def _default_type(config: Config, key: str) -> None:
    """A component mapping without ``type`` takes the default type."""
    value = getattr(config, key)
    if isinstance(value, dict) and "type" not in value:
        setattr(config, key, {"type": Config.__dataclass_fields__[key].default_factory()["type"], **value})


def _checked_sections(sections: dict) -> dict:
    """The ``sections`` block; an ensemble's options type- and range-checked, every one given
    (a type registered elsewhere keeps its options as they are)."""
    if sections["type"] != "ensemble":
        return sections
    settings = _build(EnsembleSettings, {k: v for k, v in sections.items() if k != "type"}, "sections.")
    _positive("sections.confident", settings.confident, minimum=0.0, maximum=1.0)
    return {"type": "ensemble", **asdict(settings)}


def _checked_quantities(quantities: dict) -> dict:
    """The ``quantities`` block with its options type- and range-checked, every setting given."""
    options = {key: value for key, value in quantities.items() if key != "type"}
    settings = QUANTITY_OPTIONS.get(quantities["type"])
    if settings is None:
        if options:
            raise ConfigError(f"'quantities.{next(iter(options))}': quantities of type "
                              f"{quantities['type']!r} take no options")
        return quantities
    layer = _build(settings, options, "quantities.")
    labels = layer.rule_labels
    if not isinstance(labels, list) or any(label not in LAYERS[QUANTITY] for label in labels):
        raise ConfigError(f"'quantities.rule_labels' must be a list of {', '.join(LAYERS[QUANTITY])}; got {labels}")
    _positive("quantities.n_features", layer.n_features, minimum=2**10, maximum=2**24)
    _positive("quantities.c", layer.c, minimum=1e-6, maximum=1e6)
    _positive("quantities.rule_dropout", layer.rule_dropout, minimum=0.0, maximum=1.0)
    for name in ("add_threshold", "remove_threshold"):
        _positive(f"quantities.{name}", getattr(layer, name), minimum=0.0, maximum=1.0)
    return {"type": quantities["type"], **asdict(layer)}


def _check_component(key: str, value, registry) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise ConfigError(f"'{key}' must be a mapping with a 'type', e.g. {{type: {registry.names()[0]}}}")
    if not registry.has(value["type"]):
        raise ConfigError(f"'{key}.type': unknown {registry.what} type {value['type']!r}; "
                          f"known: {', '.join(registry.names())}")


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
